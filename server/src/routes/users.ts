import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { requireUser, selfOrAdmin, type Caller } from '../access';
import { isUniqueViolation } from '../db/connect';
import { ApiError, badRequest, notFound } from '../errors';
import { grants, SCOPES, within, type Scope } from '../domain/scopes';
import { commonErrors, errorRef, Name, onePage, page } from '../schemas/common';
import {
  createToken,
  createUser,
  listTokens,
  revokeToken
} from '../repos/users';

const UsernameParams = Type.Object({ username: Type.String() });
const ScopeSchema = Type.Union(SCOPES.map(s => Type.Literal(s)));
const TokenInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(ScopeSchema)
});

export const userRoutes: FastifyPluginAsyncTypebox = async app => {
  app.get(
    '/user',
    {
      schema: {
        tags: ['users'],
        summary: 'Who am I',
        response: {
          200: Type.Object({
            username: Type.String(),
            is_admin: Type.Boolean()
          }),
          401: errorRef
        }
      }
    },
    async request => {
      const user = requireUser(request.caller, 'GET /user');
      return { username: user.username, is_admin: user.is_admin === 1 };
    }
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (instance admin)',
        body: Type.Object({ username: Name }),
        response: {
          201: Type.Object({ username: Type.String() }),
          409: errorRef,
          ...commonErrors
        }
      }
    },
    async (request, reply) => {
      const admin = requireUser(request.caller, 'creating users');
      if (!admin.is_admin) {
        throw new ApiError(
          'FORBIDDEN',
          'only the instance admin can create users'
        );
      }
      try {
        const user = await createUser(app.db, request.body.username);
        return reply.status(201).send({ username: user.username });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ApiError(
            'CONFLICT',
            `user "${request.body.username}" already exists`
          );
        }
        throw err;
      }
    }
  );

  /** Tokens of `username`: your own, or anyone's as the instance admin (admin scope). */
  const tokenOwner = (caller: Caller, username: string, action: string) =>
    selfOrAdmin(app.db, caller, username, action, 'tokens');

  app.post(
    '/users/:username/tokens',
    {
      schema: {
        tags: ['users'],
        summary:
          'Create an API token (for yourself, or anyone as admin); the secret is shown once',
        params: UsernameParams,
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          expires_at: Type.Optional(
            Type.Union([
              Type.String({
                description:
                  'ISO 8601 date-time (e.g. 2027-01-31T00:00:00Z); the token is refused from then on'
              }),
              Type.Null()
            ])
          ),
          scopes: Type.Optional(
            Type.Array(ScopeSchema, {
              minItems: 1,
              uniqueItems: true,
              description:
                'read (GET), write (everything a role allows), admin (instance administration); write includes read, admin includes write. Default: read and write (plus admin for the instance admin)'
            })
          )
        }),
        response: {
          201: Type.Object({ ...TokenInfo.properties, token: Type.String() }),
          ...commonErrors
        }
      }
    },
    async (request, reply) => {
      const owner = await tokenOwner(
        request.caller,
        request.params.username,
        'creating tokens'
      );
      const held = request.tokenScopes ?? [];
      const scopes: Scope[] =
        request.body.scopes ??
        (owner.is_admin && grants(held, 'admin')
          ? ['read', 'write', 'admin']
          : ['read', 'write']);
      if (grants(scopes, 'admin') && !owner.is_admin) {
        throw badRequest(
          `only the instance admin's tokens can have the admin scope; "${owner.username}" is not an instance admin`
        );
      }
      if (!within(scopes, held)) {
        throw new ApiError(
          'FORBIDDEN',
          `a token with the scopes [${held.join(', ')}] cannot create one with [${scopes.join(', ')}]; use a stronger token`
        );
      }
      let expiresAt: string | null = null;
      if (request.body.expires_at) {
        const t = Date.parse(request.body.expires_at);
        if (!(t > Date.now())) {
          throw badRequest(
            `body/expires_at (${request.body.expires_at}) must be an ISO 8601 date-time in the future, e.g. 2027-01-31T00:00:00Z`
          );
        }
        expiresAt = new Date(t).toISOString();
      }
      const created = await createToken(app.db, owner.id, request.body.name, {
        expiresAt,
        scopes
      });
      return reply.status(201).send({
        id: created.id,
        token: created.token,
        name: request.body.name,
        created_at: created.created_at,
        last_used_at: null,
        expires_at: expiresAt,
        scopes: SCOPES.filter(s => scopes.includes(s))
      });
    }
  );

  app.get(
    '/users/:username/tokens',
    {
      schema: {
        tags: ['users'],
        summary:
          "List tokens (yours, or anyone's as admin): id, name, created, last used, expiry, scopes; never the secret",
        params: UsernameParams,
        response: {
          200: page(TokenInfo),
          ...commonErrors
        }
      }
    },
    async request => {
      const owner = await tokenOwner(
        request.caller,
        request.params.username,
        'listing tokens'
      );
      return onePage(await listTokens(app.db, owner.id));
    }
  );

  app.delete(
    '/users/:username/tokens/:id',
    {
      schema: {
        tags: ['users'],
        summary:
          "Revoke a token (yours, or anyone's as admin): 204, then 401 for it in every server process",
        params: Type.Object({
          username: Type.String(),
          id: Type.Integer({ minimum: 1 })
        }),
        response: { 204: Type.Null(), ...commonErrors }
      }
    },
    async (request, reply) => {
      const owner = await tokenOwner(
        request.caller,
        request.params.username,
        'revoking tokens'
      );
      if (!(await revokeToken(app.db, owner.id, request.params.id))) {
        throw notFound(
          `token ${request.params.id} of user "${owner.username}"`
        );
      }
      return reply.status(204).send(null);
    }
  );
};
