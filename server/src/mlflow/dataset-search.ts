import type { FastifyInstance } from 'fastify';
import { boundedList, context, input, type Ctx } from './context';
import { MlflowError } from './errors';
import { resolveExperimentId } from './experiments';
import { runsOfExperiment } from './run-search-sql';

// MLflow's limits (mlflow/server/handlers.py search_datasets_impl, SqlAlchemyStore._search_datasets).
const MAX_EXPERIMENT_IDS = 20;
const MAX_SUMMARIES = 1000;

/** MLflow's search skips experiment ids that do not exist rather than failing. */
async function knownExperiment(ctx: Ctx, id: string) {
  try {
    return await resolveExperimentId(ctx.request.server.db, ctx, id);
  } catch (err) {
    if (err instanceof MlflowError && err.code === 'RESOURCE_DOES_NOT_EXIST') {
      return null;
    }
    throw err;
  }
}

/**
 * `experiments/search-datasets`: the MLflow UI's list of the datasets logged to an experiment's runs
 * (deleted runs included, as in MLflow), one summary per (experiment, name, digest, context).
 */
export async function datasetSearchRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  app.post('/experiments/search-datasets', async request => {
    const ctx = await context(request);
    const ids = boundedList(
      input(request),
      'experiment_ids',
      'SearchDatasets',
      'experiment_id',
      MAX_EXPERIMENT_IDS
    );
    const summaries = [];
    for (const id of new Set(ids)) {
      if (summaries.length >= MAX_SUMMARIES) {
        break;
      }
      const e = await knownExperiment(ctx, id);
      if (!e) {
        continue;
      }
      const rows = await runsOfExperiment(db, e, 'ALL')
        .innerJoin('candidate_datasets as d', 'd.candidate_id', 'candidates.id')
        .clearSelect()
        .select(['d.name', 'd.digest', 'd.context'])
        .distinct()
        .limit(MAX_SUMMARIES - summaries.length)
        .execute();
      summaries.push(
        ...rows.map(r => ({
          experiment_id: e.mlflowId,
          name: r.name,
          digest: r.digest,
          ...(r.context ? { context: r.context } : {})
        }))
      );
    }
    return { dataset_summaries: summaries };
  });
}
