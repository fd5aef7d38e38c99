import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type pgTypes from 'pg';
import type { Database, Db } from './database';
import { cachingStatements } from './statement-cache';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Loaded only for PostgreSQL: an SQLite registry does not carry the driver in memory. */
function loadPg(): typeof pgTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof pgTypes;
  // int8 columns (metric timestamps, sizes) come back as numbers; all stay far below 2^53.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  return pg;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(opts: {
  dataDir: string;
  databaseUrl: string | null;
  databaseSchema: string | null;
}): Promise<{ db: Db; kind: DatabaseKind }> {
  if (opts.databaseUrl) {
    const pg = loadPg();
    const schema = opts.databaseSchema;
    if (schema && !SCHEMA_NAME.test(schema)) {
      throw new Error(
        `MODELREG_DATABASE_SCHEMA must match ${SCHEMA_NAME}, got "${schema}"`
      );
    }
    if (schema) {
      // Created up front with a throwaway client: the pool's search_path points at it.
      const client = new pg.Client({ connectionString: opts.databaseUrl });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } finally {
        await client.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      ...(schema ? { options: `-c search_path="${schema}"` } : {})
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await sql`select 1`.execute(db);
    return { db, kind: 'postgres' };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, 'registry.sqlite');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // FULL: a write acknowledged with 2xx survives power loss, not just a process crash.
  sqlite.pragma('synchronous = FULL');
  // Several processes may open the same file (verify, backup): wait for locks instead of failing.
  sqlite.pragma('busy_timeout = 5000');
  // 16 MiB page cache (default 2 MiB): search and compare re-read the same metric index pages.
  sqlite.pragma('cache_size = -16384');
  // LIKE matches case as on PostgreSQL, so a filter means the same on both engines.
  sqlite.pragma('case_sensitive_like = ON');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(sqlite) })
  });
  return { db, kind: 'sqlite' };
}

/** Unique/primary-key violations from either engine: the database decided a conflict. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | null;
  if (!e || typeof e.code !== 'string') {
    return false;
  }
  return (
    e.code === '23505' ||
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
