import type { Kysely } from 'kysely';

// Frozen in time. A candidate whose kernel, job or upload died stayed "running" forever. A client
// that holds a candidate open renews a lease by heartbeat; a running candidate whose lease ran out
// ends failed, with the reason in status_reason. Candidates without a lease (MLflow runs, old
// clients) never expire, as before.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('candidates')
    .addColumn('lease_expires_at', 'text')
    .execute();
  await db.schema
    .alterTable('candidates')
    .addColumn('status_reason', 'text')
    .execute();
  await db.schema
    .createIndex('candidates_running_lease')
    .on('candidates')
    .columns(['status', 'lease_expires_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('candidates_running_lease').execute();
  await db.schema
    .alterTable('candidates')
    .dropColumn('status_reason')
    .execute();
  await db.schema
    .alterTable('candidates')
    .dropColumn('lease_expires_at')
    .execute();
}
