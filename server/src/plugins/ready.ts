import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { ApiError } from '../errors';
import { errorRef } from '../schemas/common';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set on SIGTERM: /ready answers 503 so a load balancer stops sending work here. */
    draining: boolean;
  }
}

/** Each check gets this long; a hung database or bucket must not hang the probe. */
const CHECK_MS = 5000;

function within<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_r, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`${what} did not answer within ${CHECK_MS / 1000} s`)
          ),
        CHECK_MS
      );
    })
  ]);
}

/** GET /ready: 200 when the database and the blob store answer, 503 NOT_READY (with which failed) otherwise. */
export const readyRoutes: FastifyPluginAsyncTypebox = async app => {
  app.get(
    '/ready',
    {
      schema: {
        tags: ['system'],
        summary:
          'Readiness: 200 when the database and the blob store answer; 503 while draining or when either fails',
        response: {
          200: Type.Object({
            status: Type.Literal('ready'),
            database: Type.String(),
            blobs: Type.String()
          }),
          503: errorRef
        }
      }
    },
    async () => {
      if (app.draining) {
        throw new ApiError(
          'NOT_READY',
          'this registry process is shutting down; send requests to another one'
        );
      }
      const failures: string[] = [];
      await within('the database', sql`select 1`.execute(app.db)).catch(err =>
        failures.push(`database (${app.dbKind}): ${(err as Error).message}`)
      );
      await within('the blob store', app.blobs.ping()).catch(err =>
        failures.push(
          `blob store (${app.blobs.kind}): ${(err as Error).message}`
        )
      );
      if (failures.length) {
        throw new ApiError('NOT_READY', `not ready: ${failures.join('; ')}`);
      }
      return {
        status: 'ready' as const,
        database: app.dbKind,
        blobs: app.blobs.kind
      };
    }
  );
};
