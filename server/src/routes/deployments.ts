import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { requireRole, routeModelAccess } from '../access';
import { badRequest } from '../errors';
import { pageLimit } from '../domain/cursor';
import {
  commonErrors,
  errorRef,
  FreeObject,
  ModelParams,
  onePage,
  page,
  Paging
} from '../schemas/common';
import { listActivity } from '../repos/activity';
import { findCandidate } from '../repos/candidates';
import {
  DEPLOYMENT_STATUSES,
  deploymentDetail,
  findDeployment,
  listDeployments,
  readThresholds,
  recordDeployment,
  recordLiveMetrics,
  updateDeploymentStatus,
  writeThresholds
} from '../repos/deployments';
import { resolveVersion } from '../repos/versions';

const Nullable = <
  T extends ReturnType<typeof Type.String | typeof Type.Integer>
>(
  t: T
) => Type.Union([t, Type.Null()]);
const Status = Type.Union(
  DEPLOYMENT_STATUSES.map(s => Type.Literal(s)),
  {
    description:
      'pending -> active -> degraded -> retired (degraded may return to active)'
  }
);
const Deployment = Type.Object({
  id: Type.Integer(),
  version: Nullable(Type.String()),
  candidate: Nullable(Type.Integer()),
  environment: Type.String(),
  url: Nullable(Type.String()),
  status: Type.String(),
  created_by: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String()
});
const StatusChange = Type.Object({
  status: Type.String(),
  previous: Nullable(Type.String()),
  actor: Type.String(),
  reason: Type.String(),
  created_at: Type.String()
});
const LivePoint = Type.Object({
  value: Type.Number(),
  timestamp: Type.Integer()
});
const DeploymentDetail = Type.Intersect([
  Deployment,
  Type.Object({
    history: Type.Array(StatusChange),
    metrics: Type.Record(Type.String(), Type.Array(LivePoint))
  })
]);
const Threshold = Type.Object(
  {
    metric: Type.String({ minLength: 1, maxLength: 250 }),
    min: Type.Optional(
      Type.Number({
        description: 'degraded when the newest live value is below'
      })
    ),
    max: Type.Optional(
      Type.Number({
        description: 'degraded when the newest live value is above'
      })
    ),
    environment: Type.Optional(Type.String({ minLength: 1, maxLength: 100 }))
  },
  { additionalProperties: false }
);
const Thresholds = Type.Object({
  items: Type.Array(Threshold, { maxItems: 100 })
});
const DeploymentParams = Type.Object({
  group: Type.String(),
  model: Type.String(),
  id: Type.Integer({ minimum: 1 })
});
const Activity = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  actor: Type.String(),
  created_at: Type.String(),
  details: FreeObject
});
const PRODUCTION = /^prod(uction)?$/i;

export const deploymentRoutes: FastifyPluginAsyncTypebox = async app => {
  app.post(
    '/models/:group/:model/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'Record that a version (or, outside production, a candidate) went to an environment (maintainer+)',
        params: ModelParams,
        body: Type.Object({
          version: Type.Optional(
            Type.String({ description: 'a version, alias or "latest"' })
          ),
          candidate: Type.Optional(
            Type.Integer({
              minimum: 1,
              description: 'a candidate number, for non-production environments'
            })
          ),
          environment: Type.String({ minLength: 1, maxLength: 100 }),
          url: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
          status: Type.Optional(Status)
        }),
        response: { 201: Deployment, ...commonErrors }
      }
    },
    async (request, reply) => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'recording a deployment');
      const { version, candidate, environment } = request.body;
      if ((version === undefined) === (candidate === undefined)) {
        throw badRequest(
          'give exactly one of "version" (e.g. "1.2.0", an alias or "latest") or "candidate" (its number)'
        );
      }
      if (candidate !== undefined && PRODUCTION.test(environment)) {
        throw badRequest(
          `a candidate cannot be deployed to "${environment}": promote it to a version first (candidates may go to staging, dev, experiments...)`
        );
      }
      const target =
        version !== undefined
          ? { version: await resolveVersion(app.db, a.model.id, version) }
          : { candidate: await findCandidate(app.db, a.model.id, candidate!) };
      return reply
        .status(201)
        .send(
          await recordDeployment(
            app.db,
            a.model.id,
            target,
            request.body,
            request.caller!.username
          )
        );
    }
  );

  app.get(
    '/models/:group/:model/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Deployments, newest first',
        params: ModelParams,
        querystring: Type.Object({ environment: Type.Optional(Type.String()) }),
        response: {
          200: page(Deployment),
          ...commonErrors
        }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return onePage(
        await listDeployments(app.db, a.model.id, request.query.environment)
      );
    }
  );

  app.get(
    '/models/:group/:model/deployments/:id',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'One deployment with its status history (oldest first) and live metrics',
        params: DeploymentParams,
        response: { 200: DeploymentDetail, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return deploymentDetail(app.db, a.model.id, request.params.id);
    }
  );

  app.patch(
    '/models/:group/:model/deployments/:id',
    {
      schema: {
        tags: ['deployments'],
        summary:
          "Change a deployment's status (maintainer+); each change is kept with who and when",
        params: DeploymentParams,
        body: Type.Object(
          {
            status: Status,
            reason: Type.Optional(Type.String({ maxLength: 2000 }))
          },
          { additionalProperties: false }
        ),
        response: { 200: Deployment, 409: errorRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'changing a deployment');
      return updateDeploymentStatus(
        app.db,
        a.model.id,
        request.params.id,
        request.body.status,
        request.caller!.username,
        request.body.reason ?? ''
      );
    }
  );

  app.post(
    '/models/:group/:model/deployments/:id/metrics',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'Record live metrics of a deployment (developer+); a breached threshold marks it degraded',
        params: DeploymentParams,
        body: Type.Array(
          Type.Object(
            {
              key: Type.String({ minLength: 1, maxLength: 250 }),
              value: Type.Number(),
              timestamp: Type.Optional(
                Type.Integer({
                  minimum: 0,
                  maximum: Number.MAX_SAFE_INTEGER,
                  description: 'milliseconds since epoch (default: now)'
                })
              )
            },
            { additionalProperties: false }
          ),
          { maxItems: 10000 }
        ),
        response: {
          201: Type.Object({
            accepted: Type.Integer(),
            status: Type.String(),
            breach: Nullable(Type.String())
          }),
          ...commonErrors
        }
      }
    },
    async (request, reply) => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'developer', 'recording live metrics');
      await findDeployment(app.db, a.model.id, request.params.id);
      return reply
        .status(201)
        .send(
          await recordLiveMetrics(
            app.db,
            a.model.id,
            request.params.id,
            request.body,
            request.caller!.username
          )
        );
    }
  );

  app.get(
    '/models/:group/:model/deployment-thresholds',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Healthy ranges of live metrics (part of the card)',
        params: ModelParams,
        response: { 200: page(Threshold), ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return onePage(await readThresholds(app.db, a.model.id));
    }
  );

  app.put(
    '/models/:group/:model/deployment-thresholds',
    {
      schema: {
        tags: ['deployments'],
        summary:
          'Replace the healthy ranges of live metrics (maintainer+); raises card.updated',
        params: ModelParams,
        body: Thresholds,
        response: { 200: page(Threshold), ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(
        a,
        request.caller,
        'maintainer',
        'editing deployment thresholds'
      );
      for (const t of request.body.items) {
        if (t.min === undefined && t.max === undefined) {
          throw badRequest(
            `threshold of "${t.metric}" needs "min", "max" or both`
          );
        }
        if (t.min !== undefined && t.max !== undefined && t.min > t.max) {
          throw badRequest(
            `threshold of "${t.metric}": min ${t.min} is above max ${t.max}`
          );
        }
      }
      await writeThresholds(
        app.db,
        a.model.id,
        request.body.items,
        request.caller!.username
      );
      return onePage(await readThresholds(app.db, a.model.id));
    }
  );

  app.get(
    '/models/:group/:model/activity',
    {
      schema: {
        tags: ['activity'],
        summary: 'Append-only log of what happened to the model, newest first',
        params: ModelParams,
        querystring: Type.Object({ ...Paging }),
        response: { 200: page(Activity), ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return listActivity(
        app.db,
        a.model.id,
        request.query.cursor,
        pageLimit(request.query.limit)
      );
    }
  );
};
