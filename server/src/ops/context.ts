import path from 'node:path';
import { openDatabase, type DatabaseKind } from '../db/connect';
import type { Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { openBlobStore, parseBlobSettings } from '../blobs/open';
import type { BlobStore } from '../blobs/store';

/** Options of the maintenance subcommands: positional arguments plus --flags (values or booleans). */
export interface OpsArgs {
  positional: string[];
  flags: Record<string, string>;
}

export function parseOpsArgs(argv: string[], known: string[]): OpsArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      positional.push(argv[i]);
      continue;
    }
    if (!known.includes(m[1])) {
      throw new Error(
        `unknown option --${m[1]}; known: ${known.map(k => '--' + k).join(' ')}`
      );
    }
    if (m[2] !== undefined) {
      flags[m[1]] = m[2];
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      flags[m[1]] = argv[++i];
    } else {
      flags[m[1]] = 'true';
    }
  }
  return { positional, flags };
}

/** The same storage `serve` would use: <data-dir>, or PostgreSQL from MODELREG_DATABASE_URL. */
export interface OpsStorage {
  dataDir: string;
  blobRoot: string;
  db: Db;
  kind: DatabaseKind;
  /** The store serve would use: <data-dir>/blobs, or the bucket of MODELREG_BLOB_URL. */
  blobs: BlobStore;
}

export function dataDirOf(
  args: OpsArgs,
  env: NodeJS.ProcessEnv = process.env
): string {
  return path.resolve(
    env.INIT_CWD || process.cwd(),
    args.flags['data-dir'] ?? env.MODELREG_DATA_DIR ?? './.modelreg'
  );
}

export async function withStorage<T>(
  dataDir: string,
  run: (s: OpsStorage) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env
): Promise<T> {
  const { db, kind } = await openDatabase({
    dataDir,
    databaseUrl: env.MODELREG_DATABASE_URL || null,
    databaseSchema: env.MODELREG_DATABASE_SCHEMA || null
  });
  try {
    await migrateToLatest(db);
    return await run({
      dataDir,
      blobRoot: path.join(dataDir, 'blobs'),
      db,
      kind,
      blobs: openBlobStore(parseBlobSettings(env), dataDir, env)
    });
  } finally {
    await db.destroy();
  }
}

/** One line of machine-readable summary on stdout, after the human lines. */
export function printSummary(what: string, summary: object): void {
  console.log(`${what}: ${JSON.stringify(summary)}`);
}
