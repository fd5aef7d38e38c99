import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { groupAccess, requireRole, routeModelAccess } from '../access';
import { isUniqueViolation } from '../db/connect';
import { ApiError } from '../errors';
import { pageLimit } from '../domain/cursor';
import {
  commonErrors,
  errorRef,
  GroupParams,
  ModelParams,
  Name,
  page,
  Paging
} from '../schemas/common';
import { ModelMetadataSchema } from '../schemas/objects';
import {
  createModel,
  deleteModel,
  modelView,
  searchModels,
  updateCard
} from '../repos/models';
import { renameModel } from '../repos/model-names';
import { resignModel } from '../signing/manifest';

const modelRef = Type.Ref('Model');

export const modelRoutes: FastifyPluginAsyncTypebox = async app => {
  app.get(
    '/models',
    {
      schema: {
        tags: ['models'],
        summary: 'Search models you can read, by text, group and card tag',
        querystring: Type.Object({
          q: Type.Optional(
            Type.String({
              description:
                "matches the model's name, description, group or any of its candidates' names"
            })
          ),
          group: Type.Optional(Type.String()),
          tag: Type.Optional(Type.String()),
          ...Paging
        }),
        response: { 200: page(modelRef), 400: errorRef }
      }
    },
    async request => {
      const { q, group, tag, cursor, limit } = request.query;
      const caller = request.caller;
      const res = await searchModels(app.db, {
        q,
        group,
        tag,
        cursor,
        limit: pageLimit(limit),
        userId: caller?.id ?? null,
        isAdmin: caller?.is_admin === 1
      });
      const roles = caller
        ? new Map(
            (
              await app.db
                .selectFrom('memberships')
                .innerJoin('groups', 'groups.id', 'memberships.group_id')
                .select(['groups.name', 'memberships.role'])
                .where('memberships.user_id', '=', caller.id)
                .execute()
            ).map(r => [r.name, r.role])
          )
        : new Map();
      const items = await Promise.all(
        res.rows.map(m =>
          modelView(
            app.db,
            m,
            m.group_name,
            caller?.is_admin ? 'owner' : (roles.get(m.group_name) ?? null)
          )
        )
      );
      return { items, next_cursor: res.next_cursor };
    }
  );

  app.post(
    '/models/:group',
    {
      schema: {
        tags: ['models'],
        summary: 'Create a model (developer+)',
        params: GroupParams,
        body: Type.Object({
          name: Name,
          description: Type.Optional(Type.String()),
          metadata: Type.Optional(ModelMetadataSchema)
        }),
        response: { 201: modelRef, 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const access = await groupAccess(
        app.db,
        request.caller,
        request.params.group
      );
      requireRole(access, request.caller, 'developer', 'creating a model');
      try {
        const model = await createModel(
          app.db,
          access.group.id,
          request.body,
          request.caller!.username
        );
        return reply
          .status(201)
          .send(await modelView(app.db, model, access.group.name, access.role));
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ApiError(
            'CONFLICT',
            `model "${access.group.name}/${request.body.name}" already exists`
          );
        }
        throw err;
      }
    }
  );

  app.get(
    '/models/:group/:model',
    {
      schema: {
        tags: ['models'],
        summary: 'The model card',
        params: ModelParams,
        response: { 200: modelRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return modelView(app.db, a.model, a.group.name, a.role);
    }
  );

  app.patch(
    '/models/:group/:model',
    {
      schema: {
        tags: ['models'],
        summary: 'Edit the card (developer+); metadata keys are merged',
        params: ModelParams,
        body: Type.Object({
          description: Type.Optional(Type.String()),
          metadata: Type.Optional(ModelMetadataSchema)
        }),
        response: { 200: modelRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'developer', 'editing the model card');
      await updateCard(app.db, a.model, request.body, request.caller!.username);
      const fresh = await app.db
        .selectFrom('models')
        .selectAll()
        .where('id', '=', a.model.id)
        .executeTakeFirstOrThrow();
      return modelView(app.db, fresh, a.group.name, a.role);
    }
  );

  app.delete(
    '/models/:group/:model',
    {
      schema: {
        tags: ['models'],
        summary: 'Delete a model with all its candidates and versions (owner)',
        params: ModelParams,
        response: { 204: Type.Null(), ...commonErrors }
      }
    },
    async (request, reply) => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'owner', 'deleting a model');
      await deleteModel(app.db, a.model.id);
      return reply.status(204).send(null);
    }
  );

  app.post(
    '/models/:group/:model/rename',
    {
      schema: {
        tags: ['models'],
        summary:
          'Rename a model (maintainer+; owner once it has versions, and the old name is then retired for good)',
        params: ModelParams,
        body: Type.Object({ name: Name }),
        response: { 200: modelRef, 409: errorRef, ...commonErrors }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'renaming a model');
      await renameModel(app.db, a.model, a.group.name, request.body.name, {
        username: request.caller!.username,
        role: a.role
      });
      await resignModel(
        app.db,
        app.signingKey,
        a.model.id,
        `${a.group.name}/${request.body.name}`
      );
      const fresh = await app.db
        .selectFrom('models')
        .selectAll()
        .where('id', '=', a.model.id)
        .executeTakeFirstOrThrow();
      return modelView(app.db, fresh, a.group.name, a.role);
    }
  );
};
