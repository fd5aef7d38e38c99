import { invalidParam } from './errors';
import type { Input } from './context';

/**
 * log-batch bounds, as MLflow's tracking server sets them (mlflow/utils/validation.py,
 * `_validate_batch_log_limits`): its client splits larger batches, so only a hand-made request
 * meets them. Checked before anything is written, so a refused batch leaves the run as it was.
 */
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;

function bound(entities: string, limit: number, length: number): void {
  if (length > limit) {
    throw invalidParam(
      `A batch logging request can contain at most ${limit} ${entities}. Got ${length} ${entities}. ` +
        `Please split up ${entities} across multiple requests and try again.`
    );
  }
}

const count = (inp: Input, key: string) =>
  Array.isArray(inp[key]) ? (inp[key] as unknown[]).length : 0;

export function checkBatchLimits(inp: Input): void {
  const metrics = count(inp, 'metrics');
  const params = count(inp, 'params');
  const tags = count(inp, 'tags');
  bound('metrics', MAX_METRICS_PER_BATCH, metrics);
  bound('params', MAX_PARAMS_TAGS_PER_BATCH, params);
  bound('tags', MAX_PARAMS_TAGS_PER_BATCH, tags);
  bound(
    'metrics, params, and tags',
    MAX_ENTITIES_PER_BATCH,
    metrics + params + tags
  );
}
