import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { requireUser } from '../access';
import { isUniqueViolation } from '../db/connect';
import { ApiError, notFound } from '../errors';
import { commonErrors, errorRef, Name } from '../schemas/common';
import { createToken, createUser, findUserByName } from '../repos/users';

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

  app.post(
    '/users/:username/tokens',
    {
      schema: {
        tags: ['users'],
        summary:
          'Create an API token (for yourself, or anyone as admin); shown once',
        params: Type.Object({ username: Type.String() }),
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 })
        }),
        response: {
          201: Type.Object({ token: Type.String(), name: Type.String() }),
          ...commonErrors
        }
      }
    },
    async (request, reply) => {
      const caller = requireUser(request.caller, 'creating tokens');
      const { username } = request.params;
      if (!caller.is_admin && caller.username !== username) {
        throw new ApiError(
          'FORBIDDEN',
          'you can create tokens only for yourself'
        );
      }
      const user = await findUserByName(app.db, username);
      if (!user) {
        throw notFound(`user "${username}"`);
      }
      const token = await createToken(app.db, user.id, request.body.name);
      return reply.status(201).send({ token, name: request.body.name });
    }
  );
};
