import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * Tables in foreign-key order (parents first). A table the migrations add later must be listed
 * here: dump refuses to run rather than leave it out of a backup.
 */
export const TABLE_ORDER = [
  'users',
  'tokens',
  'groups',
  'memberships',
  'group_invitations',
  'models',
  'model_tags',
  'experiments',
  'candidates',
  'params',
  'candidate_tags',
  'metrics',
  'latest_metrics',
  'blobs',
  'artifacts',
  'candidate_datasets',
  'uploads',
  'versions',
  'aliases',
  'deployments',
  'activity',
  'mlflow_experiments',
  'mlflow_groups',
  'mlflow_runs',
  'mlflow_logged_models',
  'mlflow_run_outputs',
  'mlflow_run_model_inputs',
  'mlflow_logged_model_metrics',
  'mlflow_model_versions',
  'card_revisions',
  'retired_model_names',
  'version_signatures',
  'deployment_status_history',
  'deployment_metrics',
  'alias_history',
  'webhooks',
  'outbox_events',
  'webhook_deliveries'
];

async function schemaTables(db: Db): Promise<string[]> {
  const r = await sql<{
    table_name: string;
  }>`select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(
    db
  );
  const names = r.rows.map(x => x.table_name);
  const unknown = names.filter(n => !TABLE_ORDER.includes(n));
  if (unknown.length) {
    throw new Error(
      `tables ${unknown.join(', ')} are not in the backup's TABLE_ORDER (server/src/ops/pg-dump.ts); add them there`
    );
  }
  return TABLE_ORDER.filter(t => names.includes(t));
}

/** One REPEATABLE READ transaction: every table as JSON lines from the same snapshot. Returns the blob digests. */
export async function dumpPostgres(db: Db, dir: string): Promise<string[]> {
  await fsp.mkdir(dir, { recursive: true });
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async trx => {
      await sql`set transaction read only`.execute(trx);
      for (const table of await schemaTables(trx as unknown as Db)) {
        const rows = (
          await sql<
            Record<string, unknown>
          >`select * from ${sql.table(table)}`.execute(trx)
        ).rows;
        await fsp.writeFile(
          path.join(dir, `${table}.jsonl`),
          rows.map(r => JSON.stringify(r) + '\n').join('')
        );
      }
      const blobs = await sql<{
        sha256: string;
      }>`select sha256 from blobs order by sha256`.execute(trx);
      return blobs.rows.map(r => r.sha256);
    });
}

async function readRows(file: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  if (!fs.existsSync(file)) {
    return rows;
  }
  for await (const line of readline.createInterface({
    input: fs.createReadStream(file)
  })) {
    if (line) {
      rows.push(JSON.parse(line));
    }
  }
  return rows;
}

/** Loads a dump into a migrated, empty schema in one transaction, then moves id sequences past the data. */
export async function restorePostgres(db: Db, dir: string): Promise<void> {
  await db.transaction().execute(async trx => {
    for (const table of await schemaTables(trx as unknown as Db)) {
      const rows = await readRows(path.join(dir, `${table}.jsonl`));
      if (!rows.length) {
        continue;
      }
      // PostgreSQL takes at most 65535 parameters per statement.
      const per = Math.max(1, Math.floor(60000 / Object.keys(rows[0]).length));
      for (let i = 0; i < rows.length; i += per) {
        await (trx as any)
          .insertInto(table)
          .values(rows.slice(i, i + per))
          .execute();
      }
      const hasId = Object.prototype.hasOwnProperty.call(rows[0], 'id');
      if (hasId) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(
          trx
        );
      }
    }
  });
}
