import type { FastifyInstance } from 'fastify';
import { boundedList, context, input } from './context';

// MLflow's limit (mlflow/server/handlers.py search_datasets_impl).
const MAX_EXPERIMENT_IDS = 20;

/**
 * `experiments/search-datasets`: the MLflow UI's list of the datasets logged to an experiment's runs,
 * one summary per (experiment, name, digest, context). The registry does not keep run dataset inputs
 * yet (docs/mlflow.md), so the list is empty; the request is checked as MLflow checks it.
 */
export async function datasetSearchRoutes(app: FastifyInstance): Promise<void> {
  app.post('/experiments/search-datasets', async request => {
    await context(request);
    boundedList(
      input(request),
      'experiment_ids',
      'SearchDatasets',
      'experiment_id',
      MAX_EXPERIMENT_IDS
    );
    return { dataset_summaries: [] };
  });
}
