import type { FastifyInstance } from 'fastify';
import type { Caller } from '../access';
import { ApiError } from '../errors';
import { findUserByToken } from '../repos/users';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or null when no Authorization header was sent. */
    caller: Caller;
  }
}

/** Resolves "Authorization: Bearer <token>" before the body is read, so uploads fail fast. */
export function installAuth(app: FastifyInstance): void {
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async request => {
    const header = request.headers.authorization;
    if (!header) {
      return;
    }
    const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(header);
    if (!m) {
      throw new ApiError(
        'UNAUTHENTICATED',
        'the Authorization header must be "Bearer <token>"'
      );
    }
    const user = await findUserByToken(app.db, m[1]);
    if (!user) {
      throw new ApiError(
        'UNAUTHENTICATED',
        'the token is not valid (revoked or mistyped); create a new one with POST /api/v1/users/{username}/tokens'
      );
    }
    request.caller = user;
  });
}
