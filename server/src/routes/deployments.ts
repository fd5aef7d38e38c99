import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { modelAccess, requireRole } from '../access';
import { pageLimit } from '../domain/cursor';
import {
  commonErrors,
  FreeObject,
  ModelParams,
  page,
  Paging
} from '../schemas/common';
import { listActivity } from '../repos/activity';
import { listDeployments, recordDeployment } from '../repos/deployments';
import { resolveVersion } from '../repos/versions';

const Deployment = Type.Object({
  id: Type.Integer(),
  version: Type.String(),
  environment: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  created_by: Type.String(),
  created_at: Type.String()
});
const Activity = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  actor: Type.String(),
  created_at: Type.String(),
  details: FreeObject
});

export const deploymentRoutes: FastifyPluginAsyncTypebox = async app => {
  app.post(
    '/models/:group/:model/deployments',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Record that a version went to an environment (maintainer+)',
        params: ModelParams,
        body: Type.Object({
          version: Type.String({ description: 'a version, alias or "latest"' }),
          environment: Type.String({ minLength: 1, maxLength: 100 }),
          url: Type.Optional(
            Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])
          ),
          status: Type.String({
            minLength: 1,
            maxLength: 50,
            description: 'e.g. deployed, failed, retired'
          })
        }),
        response: { 201: Deployment, ...commonErrors }
      }
    },
    async (request, reply) => {
      const a = await modelAccess(
        app.db,
        request.caller,
        request.params.group,
        request.params.model
      );
      requireRole(a, request.caller, 'maintainer', 'recording a deployment');
      const v = await resolveVersion(app.db, a.model.id, request.body.version);
      const id = await recordDeployment(
        app.db,
        a.model.id,
        v,
        request.body,
        request.caller!.username
      );
      const row = (await listDeployments(app.db, a.model.id)).find(
        d => d.id === id
      )!;
      return reply.status(201).send(row);
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
          200: Type.Object({ items: Type.Array(Deployment) }),
          ...commonErrors
        }
      }
    },
    async request => {
      const a = await modelAccess(
        app.db,
        request.caller,
        request.params.group,
        request.params.model
      );
      return {
        items: await listDeployments(
          app.db,
          a.model.id,
          request.query.environment
        )
      };
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
      const a = await modelAccess(
        app.db,
        request.caller,
        request.params.group,
        request.params.model
      );
      return listActivity(
        app.db,
        a.model.id,
        request.query.cursor,
        pageLimit(request.query.limit)
      );
    }
  );
};
