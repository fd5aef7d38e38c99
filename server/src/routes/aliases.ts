import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { requireRole, routeModelAccess } from '../access';
import { badRequest, notFound } from '../errors';
import { NAME_RE } from '../domain/roles';
import { parseSemver } from '../domain/semver';
import { commonErrors, ModelParams, onePage, page } from '../schemas/common';
import {
  aliasAt,
  aliasHistory,
  deleteAlias,
  listAliases,
  moveAlias
} from '../repos/aliases';
import { resolveVersion } from '../repos/versions';

const AliasParams = Type.Object({
  group: Type.String(),
  model: Type.String(),
  alias: Type.String()
});
const Alias = Type.Object({
  alias: Type.String(),
  version: Type.String(),
  updated_by: Type.String(),
  updated_at: Type.String()
});
const AliasMove = Type.Object({
  alias: Type.String(),
  version: Type.Union([Type.String(), Type.Null()], {
    description: 'null: the alias was removed'
  }),
  previous: Type.Union([Type.String(), Type.Null()]),
  action: Type.Union([Type.Literal('moved'), Type.Literal('deleted')]),
  actor: Type.String(),
  at: Type.String()
});

export const aliasRoutes: FastifyPluginAsyncTypebox = async app => {
  app.get(
    '/models/:group/:model/aliases',
    {
      schema: {
        tags: ['aliases'],
        summary: 'Aliases of the model',
        params: ModelParams,
        response: {
          200: page(Alias),
          ...commonErrors
        }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return onePage(await listAliases(app.db, a.model.id));
    }
  );

  app.get(
    '/models/:group/:model/aliases/:alias',
    {
      schema: {
        tags: ['aliases'],
        summary:
          'Where an alias points; ?at=<ISO time> answers where it pointed then',
        params: AliasParams,
        querystring: Type.Object({
          at: Type.Optional(
            Type.String({ description: 'e.g. 2026-03-03T12:00:00Z' })
          )
        }),
        response: { 200: Alias, ...commonErrors }
      }
    },
    async request => {
      const { alias } = request.params;
      const a = await routeModelAccess(app, request);
      if (request.query.at !== undefined) {
        return aliasAt(app.db, a.model.id, alias, request.query.at);
      }
      const current = (await listAliases(app.db, a.model.id)).find(
        x => x.alias === alias
      );
      if (!current) {
        throw notFound(`alias "${alias}"`);
      }
      return current;
    }
  );

  app.get(
    '/models/:group/:model/aliases/:alias/history',
    {
      schema: {
        tags: ['aliases'],
        summary: 'Every move of an alias, newest first, with who and when',
        params: AliasParams,
        response: {
          200: page(AliasMove),
          ...commonErrors
        }
      }
    },
    async request => {
      const a = await routeModelAccess(app, request);
      return onePage(
        await aliasHistory(app.db, a.model.id, request.params.alias)
      );
    }
  );

  app.put(
    '/models/:group/:model/aliases/:alias',
    {
      schema: {
        tags: ['aliases'],
        summary:
          'Point an alias at a version (maintainer+); recorded in the activity log',
        params: AliasParams,
        body: Type.Object({ version: Type.String() }),
        response: { 200: Alias, ...commonErrors }
      }
    },
    async request => {
      const { alias } = request.params;
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'moving an alias');
      if (!NAME_RE.test(alias) || alias === 'latest' || parseSemver(alias)) {
        throw badRequest(
          `"${alias}" cannot be an alias name: use letters, digits, ".", "_", "-", not "latest" and not a version number`
        );
      }
      const v = await resolveVersion(app.db, a.model.id, request.body.version);
      await moveAlias(app.db, a.model.id, alias, v, request.caller!.username);
      return (await listAliases(app.db, a.model.id)).find(
        x => x.alias === alias
      )!;
    }
  );

  app.delete(
    '/models/:group/:model/aliases/:alias',
    {
      schema: {
        tags: ['aliases'],
        summary: 'Remove an alias (maintainer+)',
        params: AliasParams,
        response: { 204: Type.Null(), ...commonErrors }
      }
    },
    async (request, reply) => {
      const a = await routeModelAccess(app, request);
      requireRole(a, request.caller, 'maintainer', 'removing an alias');
      await deleteAlias(
        app.db,
        a.model.id,
        request.params.alias,
        request.caller!.username
      );
      return reply.status(204).send(null);
    }
  );
};
