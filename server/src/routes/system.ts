import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import '@fastify/swagger';
import { SERVER_VERSION } from '../config';

export const systemRoutes: FastifyPluginAsyncTypebox = async app => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness: 200 once the server serves',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            version: Type.String(),
            database: Type.String()
          })
        }
      }
    },
    async () => ({
      status: 'ok' as const,
      version: SERVER_VERSION,
      database: app.dbKind
    })
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () =>
    app.swagger()
  );
};
