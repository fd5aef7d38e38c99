import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/database';
import { boundedList, context, input, optStr, str, strList } from './context';
import { invalidParam } from './errors';
import { decodePageToken, encodePageToken } from './filter';
import { runFor } from './runs';
import { m, runById } from './store';
import { metricValueJson } from './views';

/**
 * Metric histories as MLflow serves them: `get-history` (paged), and the UI's `get-history-bulk`
 * (several runs, one key) and `get-history-bulk-interval` (several runs, sampled to a number of
 * points per run). Points come in MLflow's order: timestamp, step, value.
 */

interface Point {
  key: string;
  value: number | 'NaN';
  timestamp: number;
  step: number;
  run_id: string;
}

// MLflow's limits (mlflow/server/handlers.py).
const BULK_MAX_RUNS = 100;
const BULK_MAX_RESULTS = 25000;
const INTERVAL_MAX_RUNS = 100;
const INTERVAL_MAX_RESULTS = 2500;

/** One key's points of the group's runs among `runIds` (unknown ids are skipped, as MLflow's store does). */
async function points(
  db: Db,
  groupId: number,
  runIds: string[],
  key: string,
  order: 'time' | 'step'
): Promise<Point[]> {
  if (!runIds.length) {
    return [];
  }
  let q = m(db)
    .selectFrom('metrics')
    .innerJoin('candidates', 'candidates.id', 'metrics.candidate_id')
    .innerJoin('models', 'models.id', 'candidates.model_id')
    .selectAll('metrics')
    .select('candidates.run_id')
    .where('models.group_id', '=', groupId)
    .where('candidates.run_id', 'in', runIds)
    .where('metrics.key', '=', key)
    .orderBy('candidates.run_id');
  q =
    order === 'time'
      ? q.orderBy('metrics.timestamp').orderBy('metrics.step')
      : q.orderBy('metrics.step').orderBy('metrics.timestamp');
  const rows = await q.orderBy('metrics.value').orderBy('metrics.id').execute();
  return rows.map(r => ({
    key: r.key,
    value: metricValueJson(r),
    timestamp: Number(r.timestamp),
    step: Number(r.step),
    run_id: r.run_id
  }));
}

/**
 * MLflow's sampling for charts: split one run's points (ordered by step, timestamp, value) into
 * `maxResults` buckets as SQL's NTILE does, keep each bucket's first point, and keep the last point
 * too (replacing the last sample when the page is full).
 */
export function samplePoints<T>(rows: T[], maxResults: number): T[] {
  const n = rows.length;
  const buckets = Math.max(1, maxResults);
  if (n <= buckets) {
    return rows;
  }
  const small = Math.floor(n / buckets);
  const big = n % buckets; // the first `big` buckets hold one point more
  const sampled: T[] = [];
  let start = 0;
  for (let b = 0; b < buckets; b++) {
    sampled.push(rows[start]);
    start += b < big ? small + 1 : small;
  }
  const last = rows[n - 1];
  if (sampled[sampled.length - 1] !== last) {
    sampled[sampled.length - 1] = last;
  }
  return sampled;
}

/** A query-string integer as MLflow's `_assert_intlike` reads it. */
function intParam(inp: Record<string, unknown>, key: string) {
  const raw = optStr(inp, key);
  if (raw === undefined || raw === '') {
    return undefined;
  }
  if (!/^-?\d+$/.test(raw.trim())) {
    throw invalidParam(
      `Invalid value ${JSON.stringify(raw)} for parameter '${key}' supplied. See the API docs for more information about request parameters.`
    );
  }
  return Number(raw);
}

export async function metricHistoryRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;

  app.get('/metrics/get-history', async request => {
    const { ctx, run, inp } = await runFor(request, 'guest', '');
    const key = str(inp, 'metric_key');
    const maxResults = intParam(inp, 'max_results');
    if (maxResults !== undefined && maxResults <= 0) {
      throw invalidParam(
        `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be a positive integer.`
      );
    }
    const offset = decodePageToken(optStr(inp, 'page_token'));
    const all = await points(
      db,
      ctx.group.id,
      [run.candidate.run_id],
      key,
      'time'
    );
    if (maxResults === undefined) {
      return { metrics: all.slice(offset) };
    }
    const end = offset + maxResults;
    return {
      metrics: all.slice(offset, end),
      ...(end < all.length ? { next_page_token: encodePageToken(end) } : {})
    };
  });

  app.get('/metrics/get-history-bulk', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const runIds = boundedList(
      inp,
      'run_id',
      'GetMetricHistoryBulk',
      'run_id',
      BULK_MAX_RUNS
    );
    const key = optStr(inp, 'metric_key');
    if (key === undefined) {
      throw invalidParam(
        'GetMetricHistoryBulk request must specify a metric_key.'
      );
    }
    const maxResults = Math.min(
      intParam(inp, 'max_results') ?? BULK_MAX_RESULTS,
      BULK_MAX_RESULTS
    );
    const found = await points(db, ctx.group.id, runIds, key, 'time');
    return { metrics: found.slice(0, Math.max(maxResults, 0)) };
  });

  app.get('/metrics/get-history-bulk-interval', async request => {
    const ctx = await context(request);
    const inp = input(request);
    const runIds = strList(inp, 'run_ids').filter(id => id !== '');
    if (!runIds.length) {
      throw invalidParam(
        "Missing value for required parameter 'run_ids'. See the API docs for more information about request parameters."
      );
    }
    if (runIds.length > INTERVAL_MAX_RUNS) {
      throw invalidParam(
        `GetMetricHistoryBulkInterval request must specify at most ${INTERVAL_MAX_RUNS} run_ids. Received ${runIds.length} run_ids. See the API docs for more information about request parameters.`
      );
    }
    const key = optStr(inp, 'metric_key');
    if (!key) {
      throw invalidParam(
        "Missing value for required parameter 'metric_key'. See the API docs for more information about request parameters."
      );
    }
    const startStep = intParam(inp, 'start_step');
    const endStep = intParam(inp, 'end_step');
    const maxResults = intParam(inp, 'max_results') ?? INTERVAL_MAX_RESULTS;
    if (maxResults < 1 || maxResults > INTERVAL_MAX_RESULTS) {
      throw invalidParam(
        `max_results must be between 1 and ${INTERVAL_MAX_RESULTS}. See the API docs for more information about request parameters.`
      );
    }
    if ((startStep === undefined) !== (endStep === undefined)) {
      throw invalidParam(
        'If either start step or end step are specified, both must be specified.'
      );
    }
    if (
      startStep !== undefined &&
      endStep !== undefined &&
      startStep > endStep
    ) {
      throw invalidParam(
        `end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`
      );
    }
    for (const id of runIds) {
      await runById(db, ctx.group.id, id);
    }
    const found = (await points(db, ctx.group.id, runIds, key, 'step')).filter(
      p =>
        startStep === undefined ||
        (p.step >= startStep && p.step <= (endStep as number))
    );
    // Each run is sampled on its own, in the order the run ids were given.
    const metrics = runIds.flatMap(id =>
      samplePoints(
        found.filter(p => p.run_id === id),
        maxResults
      )
    );
    return { metrics };
  });
}
