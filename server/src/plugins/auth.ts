import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller } from '../access';
import { ApiError } from '../errors';
import { grants, type Scope } from '../domain/scopes';
import type { AuthThrottle } from '../limits/auth-throttle';
import { findToken, noteTokenUse } from '../repos/users';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user, or null when no Authorization header was sent. */
    caller: Caller;
    /** What the caller's token may do; null for anonymous requests (which only read). */
    tokenScopes: readonly Scope[] | null;
  }
  interface FastifyContextConfig {
    /** The token scope a route needs when its method alone would say otherwise. */
    scope?: Scope;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// MLflow reads through POST: searches and get-latest-versions change nothing.
const READ_POSTS = /\/(?:search|get-latest-versions)$/;

/** The scope a request needs: the route's own, else read for safe methods and searches, else write. */
export function requiredScope(request: FastifyRequest): Scope {
  const declared = request.routeOptions.config?.scope;
  if (declared) {
    return declared;
  }
  if (SAFE_METHODS.has(request.method)) {
    return 'read';
  }
  const path = request.url.split('?')[0];
  return request.method === 'POST' && READ_POSTS.test(path) ? 'read' : 'write';
}

const INVALID_TOKEN =
  'the token is not valid (revoked, expired or mistyped); create a new one with POST /api/v1/users/{username}/tokens or `modelreg token create`';

/**
 * Resolves "Authorization: Bearer <token>" in onRequest, before any body is read: a request
 * that needs a token and has none (or a bad one) is refused without parsing a byte of its
 * body, and a token is checked against the scope the route needs. Failed attempts are
 * throttled per address, but a valid token is never refused for its neighbours' failures.
 */
export function installAuth(
  app: FastifyInstance,
  throttle: AuthThrottle
): void {
  app.decorateRequest('caller', null);
  app.decorateRequest('tokenScopes', null);
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    const needed = requiredScope(request);
    if (!header) {
      if (needed !== 'read') {
        throw new ApiError(
          'UNAUTHENTICATED',
          `${request.method} ${request.url.split('?')[0]} needs a token: send "Authorization: Bearer <token>"`
        );
      }
      return;
    }
    const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(header);
    const grant = m ? await findToken(app.db, m[1]) : undefined;
    const expired =
      grant?.expiresAt && Date.parse(grant.expiresAt) <= Date.now();
    if (!grant || expired) {
      const wait = throttle.retryAfter(request.ip);
      if (wait > 0) {
        reply.header('Retry-After', String(wait));
        throw new ApiError(
          'RATE_LIMITED',
          `too many failed authentications from ${request.ip}; try again in ${wait} s with a valid token`
        );
      }
      throttle.recordFailure(request.ip);
      if (!m) {
        throw new ApiError(
          'UNAUTHENTICATED',
          'the Authorization header must be "Bearer <token>"'
        );
      }
      throw new ApiError(
        'UNAUTHENTICATED',
        expired
          ? `the token expired at ${grant!.expiresAt}; create a new one with POST /api/v1/users/{username}/tokens or \`modelreg token create\``
          : INVALID_TOKEN
      );
    }
    if (!grants(grant.scopes, needed)) {
      throw new ApiError(
        'FORBIDDEN',
        `this token has the scopes [${grant.scopes.join(', ')}]; ${request.method} ${request.url.split('?')[0]} needs "${needed}". Use a token created with that scope.`
      );
    }
    // An instance admin acts as one (owner everywhere, user administration) only with an
    // admin-scoped token; with a read/write token they are an ordinary user of their groups.
    request.caller = grants(grant.scopes, 'admin')
      ? grant.user
      : { ...grant.user, is_admin: 0 };
    request.tokenScopes = grant.scopes;
    await noteTokenUse(app.db, grant);
  });
}
