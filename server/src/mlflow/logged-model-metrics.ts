import type { Db } from '../db/database';
import { m, type MlflowTables } from './store';

export type StoredModelMetric = MlflowTables['mlflow_logged_model_metrics'];

/**
 * Metric points logged with a `model_id` (`log_metric(..., model_id=)`, and MLflow 3's `log_model`, which
 * re-sends the run's points for the model it logged). The run keeps its points too; these are the model's
 * copy, with the dataset they were measured on, as MLflow's own store keeps them.
 */
export interface ModelMetricPoint {
  modelId: string;
  key: string;
  value: number;
  step: number;
  timestamp: number;
  datasetName?: string;
  datasetDigest?: string;
}

function toRow(runId: string, p: ModelMetricPoint): StoredModelMetric {
  const nan = Number.isNaN(p.value);
  return {
    model_id: p.modelId,
    key: p.key,
    value: nan ? 0 : p.value,
    is_nan: nan ? 1 : 0,
    step: p.step,
    timestamp: p.timestamp,
    run_id: runId,
    dataset_name: p.datasetName ?? null,
    dataset_digest: p.datasetDigest ?? null
  };
}

const identity = (r: StoredModelMetric) =>
  [
    r.model_id,
    r.key,
    r.is_nan ? 'NaN' : Number(r.value),
    Number(r.step),
    Number(r.timestamp),
    r.run_id,
    r.dataset_name,
    r.dataset_digest
  ].join('\0');

/** Records the points of known logged models of the group; an identical point is kept once. */
export async function recordModelMetrics(
  db: Db,
  runId: string,
  knownModelIds: Set<string>,
  points: ModelMetricPoint[]
): Promise<void> {
  const rows = points
    .filter(p => knownModelIds.has(p.modelId))
    .map(p => toRow(runId, p));
  if (!rows.length) {
    return;
  }
  const have = await m(db)
    .selectFrom('mlflow_logged_model_metrics')
    .selectAll()
    .where('model_id', 'in', [...new Set(rows.map(r => r.model_id))])
    .where('key', 'in', [...new Set(rows.map(r => r.key))])
    .execute();
  const seen = new Set(have.map(identity));
  const fresh = rows.filter(r => {
    const id = identity(r);
    return seen.has(id) ? false : (seen.add(id), true);
  });
  if (fresh.length) {
    await m(db)
      .insertInto('mlflow_logged_model_metrics')
      .values(fresh)
      .execute();
  }
}

/** Every point of each model, oldest first. */
export async function modelMetrics(
  db: Db,
  modelIds: string[]
): Promise<Map<string, StoredModelMetric[]>> {
  const out = new Map<string, StoredModelMetric[]>();
  if (!modelIds.length) {
    return out;
  }
  const rows = await m(db)
    .selectFrom('mlflow_logged_model_metrics')
    .selectAll()
    .where('model_id', 'in', modelIds)
    .orderBy('timestamp')
    .orderBy('step')
    .execute();
  for (const r of rows) {
    (out.get(r.model_id) ?? out.set(r.model_id, []).get(r.model_id)!).push(r);
  }
  return out;
}

export interface DatasetRef {
  dataset_name: string;
  dataset_digest?: string;
}

/** Whether a point was measured on one of `datasets` (all points count when none is given). */
export function onDatasets(
  point: StoredModelMetric,
  datasets: DatasetRef[]
): boolean {
  return (
    !datasets.length ||
    datasets.some(
      d =>
        point.dataset_name === d.dataset_name &&
        (d.dataset_digest === undefined ||
          point.dataset_digest === d.dataset_digest)
    )
  );
}

/** MLflow orders by a model's latest point of the metric (newest timestamp, then highest step). */
export function latestValue(
  points: StoredModelMetric[],
  key: string,
  datasets: DatasetRef[]
): number | undefined {
  let best: StoredModelMetric | undefined;
  for (const p of points) {
    if (p.key !== key || !onDatasets(p, datasets)) {
      continue;
    }
    if (
      !best ||
      Number(p.timestamp) > Number(best.timestamp) ||
      (Number(p.timestamp) === Number(best.timestamp) &&
        Number(p.step) > Number(best.step))
    ) {
      best = p;
    }
  }
  return best ? (best.is_nan ? NaN : Number(best.value)) : undefined;
}
