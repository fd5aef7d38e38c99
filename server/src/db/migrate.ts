import {
  Kysely,
  Migrator,
  PostgresAdapter,
  sql,
  type Migration,
  type MigrationProvider
} from 'kysely';
import * as initial from './migrations/2026-11-26-initial';
import * as mlflow from './migrations/2026-11-26-mlflow';
import * as metricReadIndexes from './migrations/2026-11-26T2150-metric-read-indexes';
import * as card from './migrations/2026-12-01-card';
import * as workflow from './migrations/2026-12-01-workflow';
import * as security from './migrations/2026-12-01-security';
import * as modelCandidateCount from './migrations/2026-12-01-model-candidate-count';
import * as uploads from './migrations/2026-12-01-uploads';
import * as groupExperiments from './migrations/2026-12-01T1500-group-experiments';
import * as candidateLease from './migrations/2026-12-01-candidate-lease';
import * as metricNan from './migrations/2026-12-01T1600-metric-nan';
import * as loggedModels from './migrations/2026-12-01T1800-logged-models';
import * as candidateDatasets from './migrations/2026-12-01T1900-candidate-datasets';
import * as groupInvitations from './migrations/2026-12-01T1930-group-invitations';
import * as runUserId from './migrations/2026-12-02T0200-run-user-id';
import * as runModelInputs from './migrations/2026-12-02T0210-run-model-inputs';

/** Listed statically so the compiled server needs no directory scan; names sort by date. */
export const MIGRATIONS: Record<string, Migration> = {
  '2026-11-26-initial': initial,
  '2026-11-26-mlflow': mlflow,
  '2026-11-26T2150-metric-read-indexes': metricReadIndexes,
  '2026-12-01-card': card,
  '2026-12-01-workflow': workflow,
  '2026-12-01-security': security,
  '2026-12-01-model-candidate-count': modelCandidateCount,
  '2026-12-01-uploads': uploads,
  '2026-12-01T1500-group-experiments': groupExperiments,
  '2026-12-01-candidate-lease': candidateLease,
  '2026-12-01T1600-metric-nan': metricNan,
  '2026-12-01T1800-logged-models': loggedModels,
  '2026-12-01T1900-candidate-datasets': candidateDatasets,
  '2026-12-01T1930-group-invitations': groupInvitations,
  '2026-12-02T0200-run-user-id': runUserId,
  '2026-12-02T0210-run-model-inputs': runModelInputs
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema up to date; any failure stops the server (never serve a half-migrated schema). */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // (reliability) Kysely looks for its migration tables in any schema; pin them to ours, or another
  // registry's tables in the same PostgreSQL database make it skip creating them ("kysely_migration_lock does not exist").
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const schema = pg
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db))
        .rows[0]?.s
    : undefined;
  // Several helpers add date-prefixed migrations; a later-named one may land after an earlier-named
  // one already ran somewhere, so order is by name but not enforced against history.
  const migrator = new Migrator({
    db,
    provider,
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {})
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find(r => r.status === 'Error');
  if (error || failed) {
    const what = failed
      ? `migration ${failed.migrationName} failed`
      : 'migration failed';
    throw new Error(
      `${what}: ${error instanceof Error ? error.message : String(error)}`
    );
  }
}
