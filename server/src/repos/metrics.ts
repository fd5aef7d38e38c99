import type { Db } from '../db/database';
import { notFound } from '../errors';

import type { MetricInput } from '../schemas/common';

export type { MetricInput };

const CHUNK = 500;

/**
 * Appends to the full history and keeps latest_metrics at the value with the highest step,
 * then the highest timestamp (MLflow's rule). Runs inside the caller's transaction.
 */
export async function insertMetrics(
  trx: Db,
  candidateId: number,
  metrics: MetricInput[]
): Promise<number> {
  const now = Date.now();
  const rows = metrics.map(m => ({
    candidate_id: candidateId,
    key: m.key,
    value: Number.isNaN(m.value) ? 0 : m.value,
    is_nan: Number.isNaN(m.value) ? 1 : 0,
    step: m.step ?? 0,
    timestamp: m.timestamp ?? now
  }));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto('metrics')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const cur = latest.get(r.key);
    if (
      !cur ||
      r.step > cur.step ||
      (r.step === cur.step && r.timestamp >= cur.timestamp)
    ) {
      latest.set(r.key, r);
    }
  }
  // One upsert for all keys of the batch, not one per key: a log-batch of 20 metrics paid for 20
  // statements built and prepared. The keys are distinct, so no row is affected twice (PostgreSQL's rule).
  const latestRows = [...latest.values()];
  for (let i = 0; i < latestRows.length; i += CHUNK) {
    await trx
      .insertInto('latest_metrics')
      .values(latestRows.slice(i, i + CHUNK))
      .onConflict(oc =>
        oc
          .columns(['candidate_id', 'key'])
          .doUpdateSet(eb => ({
            value: eb.ref('excluded.value'),
            is_nan: eb.ref('excluded.is_nan'),
            step: eb.ref('excluded.step'),
            timestamp: eb.ref('excluded.timestamp')
          }))
          .where(eb =>
            eb.or([
              eb('excluded.step', '>', eb.ref('latest_metrics.step')),
              eb.and([
                eb('excluded.step', '=', eb.ref('latest_metrics.step')),
                eb(
                  'excluded.timestamp',
                  '>=',
                  eb.ref('latest_metrics.timestamp')
                )
              ])
            ])
          )
      )
      .execute();
  }
  return rows.length;
}

export async function metricHistory(db: Db, candidateId: number, key: string) {
  const rows = await db
    .selectFrom('metrics')
    .select(['value', 'step', 'timestamp'])
    .where('candidate_id', '=', candidateId)
    .where('key', '=', key)
    .orderBy('step')
    .orderBy('timestamp')
    .orderBy('id')
    .execute();
  if (!rows.length) {
    throw notFound(`metric "${key}"`);
  }
  return rows.map(r => ({
    value: r.value,
    step: Number(r.step),
    timestamp: Number(r.timestamp)
  }));
}

/** Stored history rows as points to log again (a NaN is stored as 0 with its flag). */
export function historyAsInputs(
  rows: {
    key: string;
    value: number;
    is_nan: number;
    step: unknown;
    timestamp: unknown;
  }[]
): MetricInput[] {
  return rows.map(h => ({
    key: h.key,
    value: h.is_nan ? NaN : h.value,
    step: Number(h.step),
    timestamp: Number(h.timestamp)
  }));
}

/** Histories of many candidates' metrics at once, for compare. */
export async function metricHistories(db: Db, candidateIds: number[]) {
  if (!candidateIds.length) {
    return [];
  }
  return (
    db
      .selectFrom('metrics')
      .select(['candidate_id', 'key', 'value', 'is_nan', 'step', 'timestamp'])
      // No "id" tie-break: the order then comes straight from metrics_history_idx, with no sort step.
      .where('candidate_id', 'in', candidateIds)
      .orderBy('candidate_id')
      .orderBy('key')
      .orderBy('step')
      .orderBy('timestamp')
      .execute()
  );
}
