import { Kysely, Migrator, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/2026-11-26-initial';
import * as mlflow from './migrations/2026-11-26-mlflow';

/** Listed statically so the compiled server needs no directory scan; names sort by date. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-26-initial': initial,
  '2026-11-26-mlflow': mlflow,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema up to date; any failure stops the server (never serve a half-migrated schema). */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const what = failed ? `migration ${failed.migrationName} failed` : 'migration failed';
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
