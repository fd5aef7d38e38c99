import type { FastifyInstance, FastifyRequest } from 'fastify';

type Answer = (request: FastifyRequest) => Promise<unknown>;

/**
 * MLflow's `/graphql` (relative to the tracking URI). The graphql package and the schema built
 * from it (graphql.ts: ~11 MiB resident, 129 modules) load on the first query, not at start-up:
 * only MLflow's UI asks for it, and an idle registry's memory is most of its budget (issue 17).
 */
export async function graphqlRoutes(app: FastifyInstance): Promise<void> {
  let answer: Answer | null = null;
  const handler = (request: FastifyRequest) => {
    if (!answer) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const engine = require('./graphql') as typeof import('./graphql');
      answer = engine.graphqlAnswer(app);
    }
    return answer(request);
  };
  app.post('/graphql', handler);
  app.get('/graphql', handler);
}
