import type { FastifyInstance } from 'fastify';
import { artifactListRoutes, artifactProxyRoutes } from './artifacts';
import { jsonBodyParser } from '../limits/plugin';
import { datasetSearchRoutes } from './dataset-search';
import { toMlflowError } from './errors';
import { experimentRoutes } from './experiments';
import { graphqlRoutes } from './graphql-routes';
import { loggedModelRoutes } from './logged-models';
import { metricHistoryRoutes } from './metric-history';
import { modelVersionRoutes } from './model-versions';
import { registeredModelRoutes } from './registered-models';
import { runSearchRoutes } from './run-search';
import { runRoutes } from './runs';
import { uiArtifactRoutes } from './ui-artifacts';
import {
  attachRequestSchema,
  normalizeRequest,
  rememberBodyText,
  validationError
} from './validation';

/**
 * MLflow's REST protocol for one group. Registered by the app under `/mlflow/:group`, so a client with
 * MLFLOW_TRACKING_URI=<registry>/mlflow/<group> reaches `/api/2.0/mlflow/...` and the artifact proxy
 * `/api/2.0/mlflow-artifacts/...` here. Errors are MLflow's `{error_code, message}` (see docs/mlflow.md).
 */
export async function mlflowPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err, request, reply) => {
    const { status, body, internal } = toMlflowError(
      validationError(err, request) ?? err
    );
    if (internal) {
      request.log.error({ err }, 'internal error on an MLflow route');
    }
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `modelreg does not serve ${request.method} ${request.url.split('?')[0]} (traces, datasets, prompts and gateway are not part of its MLflow support; see docs/mlflow.md)`
    });
  });

  // MLflow's request checks and wording (schemas/mlflow.ts); the body text is kept to quote numbers as sent.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    jsonBodyParser(app, rememberBodyText)
  );
  app.addHook('onRoute', attachRequestSchema);
  app.addHook('preValidation', normalizeRequest);

  const tracking = async (api: FastifyInstance) => {
    await api.register(experimentRoutes);
    await api.register(runRoutes);
    await api.register(runSearchRoutes);
    await api.register(metricHistoryRoutes);
    await api.register(datasetSearchRoutes);
    await api.register(artifactListRoutes);
    await api.register(loggedModelRoutes);
    await api.register(registeredModelRoutes);
    await api.register(modelVersionRoutes);
  };
  // The MLflow UI's routes (/ajax-api) are the same handlers under another prefix.
  await app.register(tracking, { prefix: '/api/2.0/mlflow' });
  await app.register(tracking, { prefix: '/ajax-api/2.0/mlflow' });
  await app.register(uiArtifactRoutes);
  await app.register(graphqlRoutes);
  await app.register(artifactProxyRoutes, {
    prefix: '/api/2.0/mlflow-artifacts'
  });

  // Multipart uploads are offered when parts can go straight to the bucket (mpu/*, multipart.ts);
  // otherwise the client sends each file as one streamed PUT.
  app.get('/api/3.0/mlflow/server-info', async () => ({
    store_type: 'modelreg',
    workspaces_enabled: false,
    multipart_uploads_enabled: Boolean(
      app.blobs.direct && app.blobSettings.directUploads
    ),
    multipart_downloads_enabled: false
  }));
}
