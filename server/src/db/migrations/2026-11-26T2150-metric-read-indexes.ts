import type { Kysely } from 'kysely';

// Frozen in time. Covering indexes for the two hot reads: the last value of every metric of a
// page of candidates (search, candidate views) and the ordered history of many candidates (compare).
// Both answer from the index alone, without visiting table rows.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('latest_metrics_cover_idx')
    .on('latest_metrics')
    .columns(['candidate_id', 'key', 'value', 'step', 'timestamp'])
    .execute();
  await db.schema
    .createIndex('metrics_history_idx')
    .on('metrics')
    .columns(['candidate_id', 'key', 'step', 'timestamp', 'value'])
    .execute();
  // Superseded by metrics_history_idx, which has the same leading columns.
  await db.schema.dropIndex('metrics_candidate_key_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('metrics_candidate_key_idx')
    .on('metrics')
    .columns(['candidate_id', 'key', 'step'])
    .execute();
  await db.schema.dropIndex('metrics_history_idx').execute();
  await db.schema.dropIndex('latest_metrics_cover_idx').execute();
}
