import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { BlobStore } from './blobs/store';
import type { DatabaseKind } from './db/connect';
import type { Db } from './db/database';
import { SERVER_VERSION, type TrustProxy } from './config';
import { mlflowPlugin } from './mlflow';
import { DEFAULT_LIMITS, type Limits } from './limits/config';
import { fastifyLimitOptions, installLimits } from './limits/plugin';
import { installAuth } from './plugins/auth';
import {
  clientErrorHandler,
  frameworkErrors,
  installErrorHandling
} from './plugins/errors';
import { installStorage } from './plugins/storage';
import { installMetrics, instrumentBlobs } from './plugins/metrics';
import { readyRoutes } from './plugins/ready';
import { parseBlobSettings, type BlobSettings } from './blobs/open';
import { uploadRoutes } from './routes/uploads';
import { lazySerializers } from './plugins/serialization';
import { installValidation } from './plugins/validation';
import { CardSchema } from './schemas/card';
import { CompareSchema } from './schemas/compare';
import { DEFAULT_WEBHOOKS, type WebhookConfig } from './outbox/config';
import { installOutbox } from './outbox/plugin';
import { installLeaseSweeper } from './plugins/lease-sweeper';
import { ErrorBody } from './schemas/common';
import {
  ArtifactSchema,
  CandidateSchema,
  ModelCard,
  VersionSchema
} from './schemas/objects';
import { aliasRoutes } from './routes/aliases';
import { artifactRoutes } from './routes/artifacts';
import { candidateRoutes } from './routes/candidates';
import { cardRoutes } from './routes/card';
import { compareRoutes } from './routes/compare';
import { deploymentRoutes } from './routes/deployments';
import { groupRoutes } from './routes/groups';
import { invitationRoutes } from './routes/invitations';
import { modelRoutes } from './routes/models';
import { systemRoutes } from './routes/system';
import { userRoutes } from './routes/users';
import { versionRoutes } from './routes/versions';
import { versionGitRoutes } from './routes/version-git';
import { webhookRoutes } from './routes/webhooks';
import { signingRoutes } from './routes/signing';
import { ephemeralSigningKey, type SigningKey } from './signing/key';

export interface AppDeps {
  db: Db;
  dbKind: DatabaseKind;
  blobs: BlobStore;
  logLevel?: string;
  /** Body/JSON/artifact limits, timeouts, auth-failure throttling (reliability). */
  limits?: Limits;
  /** Webhook delivery: private targets, retry timing (issue 13). */
  webhooks?: WebhookConfig;
  /** Presigned transfers and their lifetimes (defaults: the environment's). */
  blobSettings?: BlobSettings;
  /** When set, GET /metrics needs it as a bearer token. */
  metricsToken?: string | null;
  /** Signs promoted versions; serve loads it from the data dir (default: a key in memory only). */
  signingKey?: SigningKey;
  /** How long a heartbeat keeps a running candidate open (default 300 s). */
  candidateLeaseSeconds?: number;
  /** Whose X-Forwarded-For gives request.ip (MODELREG_TRUST_PROXY; default: nobody's). */
  trustProxy?: TrustProxy;
}

/** Builds the app: external plugins -> decorators (storage, auth) -> route groups under /api/v1. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.logLevel ?? 'info'
    },
    // One line per request from the onResponse hook below, without headers (Authorization carries tokens).
    logController: new LogController({ disableRequestLogging: true }),
    // Large artifact transfers: no overall request timeout by default, but idle sockets are closed.
    ...fastifyLimitOptions(deps.limits ?? DEFAULT_LIMITS),
    routerOptions: { maxParamLength: 2048 },
    // Behind a reverse proxy the throttle and the log see the client, not the proxy (docs/deploy.md).
    trustProxy: deps.trustProxy ?? false,
    // Errors raised before routing keep the {"error": {code, message}} shape too (security).
    clientErrorHandler,
    frameworkErrors,
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } }
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        ip: request.ip,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime)
      },
      'request'
    );
  });

  installValidation(app);
  installErrorHandling(app);
  for (const schema of [
    ErrorBody,
    ModelCard,
    CandidateSchema,
    ArtifactSchema,
    VersionSchema,
    CardSchema,
    CompareSchema
  ]) {
    app.addSchema(schema);
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'modelreg registry',
        version: SERVER_VERSION,
        description:
          'Models, candidates and locked versions. Errors are {"error": {"code", "message"}}.'
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }
      },
      security: [{ bearer: [] }]
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        String(json.$id ?? `def-${i}`)
    }
  });
  // Assets ship inside the package: the docs page works without internet.
  await app.register(swaggerUi, {
    routePrefix: '/api/v1/docs',
    staticCSP: false
  });

  // Metrics first: the blob store is wrapped so its failures are counted.
  installMetrics(app, { token: deps.metricsToken ?? null });
  const blobSettings = deps.blobSettings ?? parseBlobSettings({});
  installStorage(app, {
    ...deps,
    blobs: instrumentBlobs(deps.blobs, app.metrics),
    blobSettings
  });
  app.decorate('draining', false);
  app.decorate('signingKey', deps.signingKey ?? ephemeralSigningKey());
  const authThrottle = installLimits(app, deps.limits ?? DEFAULT_LIMITS);
  installAuth(app, authThrottle);
  installOutbox(app, deps.webhooks ?? DEFAULT_WEBHOOKS);
  installLeaseSweeper(app, deps.candidateLeaseSeconds ?? 300);

  await app.register(
    async api => {
      await api.register(systemRoutes);
      await api.register(readyRoutes);
      await api.register(userRoutes);
      await api.register(groupRoutes);
      await api.register(invitationRoutes);
      await api.register(modelRoutes);
      await api.register(cardRoutes);
      await api.register(candidateRoutes);
      await api.register(artifactRoutes);
      await api.register(
        uploadRoutes({
          direct: blobSettings.directUploads,
          expiresSeconds: blobSettings.uploadUrlSeconds
        })
      );
      await api.register(versionRoutes);
      await api.register(aliasRoutes);
      await api.register(compareRoutes);
      await api.register(deploymentRoutes);
      await api.register(versionGitRoutes);
      await api.register(webhookRoutes);
      await api.register(signingRoutes);
    },
    { prefix: '/api/v1' }
  );
  // MLflow's REST protocol per group (server/src/mlflow, see docs/mlflow.md).
  await app.register(mlflowPlugin, { prefix: '/mlflow/:group' });

  return app as unknown as FastifyInstance;
}
