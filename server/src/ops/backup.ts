import fs from 'node:fs';
import { isBucket } from '../blobs/open';
import fsp from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { blobPath, copyBlobVerified, hashFile } from './blob-files';
import { SIGNING_KEY_FILE } from '../signing/key';
import { dataDirOf, parseOpsArgs, printSummary, withStorage } from './context';
import { dumpPostgres } from './pg-dump';
import type { BlobStore } from '../blobs/store';
import type { DatabaseKind } from '../db/connect';
import type { Db } from '../db/database';
import { downloadBlobVerified } from './s3';

export const BACKUP_USAGE = `backup DIR --data-dir DATA   consistent online copy (database snapshot, then the blobs it references) into an empty DIR`;
export const BACKUP_MANIFEST = 'modelreg-backup.json';

export interface BackupManifest {
  format: 1;
  created_at: string;
  database: 'sqlite' | 'postgres';
  /** sqlite: registry.sqlite; postgres: tables/*.jsonl */
  database_sha256: string | null;
  blobs: number;
  blob_bytes: number;
}

export async function ensureEmptyDir(dir: string, what: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  const entries = await fsp.readdir(dir);
  if (entries.length) {
    throw new Error(
      `${what} ${dir} is not empty (${entries.slice(0, 3).join(', ')}…); give an empty or new directory`
    );
  }
}

/**
 * The database is snapshotted first (SQLite: VACUUM INTO, one read transaction; PostgreSQL: a
 * REPEATABLE READ dump), then every blob the snapshot records is copied and re-hashed. Blobs
 * are never deleted while referenced and gc keeps young ones, so each one the snapshot needs is
 * still there. The manifest is written last: a directory without it is not a finished backup.
 */
export async function backup(argv: string[]): Promise<void> {
  const args = parseOpsArgs(argv, ['data-dir']);
  const dir = args.positional[0];
  if (!dir) {
    throw new Error(`backup needs a target directory\n  ${BACKUP_USAGE}`);
  }
  const target = path.resolve(dir);
  await ensureEmptyDir(target, 'backup directory');
  const dataDir = dataDirOf(args);

  const shas = await withStorage(dataDir, async ({ db, kind, blobs }) => {
    const copied = await snapshotDatabase(db, kind, dataDir, target);
    return {
      ...copied,
      ...(await copyBlobs(db, blobs, dataDir, target, copied.blobs))
    };
  });
  const { bytes, failures } = shas;
  // The signing key goes with the data: versions stay verifiable against the key clients pinned.
  for (const file of ['admin-token', SIGNING_KEY_FILE]) {
    if (fs.existsSync(path.join(dataDir, file))) {
      await fsp.copyFile(path.join(dataDir, file), path.join(target, file));
      await fsp.chmod(path.join(target, file), 0o600);
    }
  }
  if (failures.length) {
    for (const f of failures) {
      console.log(`FAILED ${f}`);
    }
    throw new Error(
      `${failures.length} blob(s) could not be copied; the backup in ${target} is incomplete (no ${BACKUP_MANIFEST}); run verify on the source`
    );
  }
  const manifest: BackupManifest = {
    format: 1,
    created_at: new Date().toISOString(),
    database: shas.kind,
    database_sha256:
      shas.kind === 'sqlite'
        ? (await hashFile(path.join(target, 'registry.sqlite'))).sha256
        : null,
    blobs: shas.copied,
    blob_bytes: bytes
  };
  await fsp.writeFile(
    path.join(target, BACKUP_MANIFEST),
    JSON.stringify(manifest, null, 2) + '\n'
  );
  printSummary('backup', {
    dir: target,
    database: manifest.database,
    blobs: manifest.blobs,
    blob_bytes: bytes
  });
}

/** SQLite: VACUUM INTO (one read transaction); PostgreSQL: a REPEATABLE READ dump. Returns the blobs it records. */
async function snapshotDatabase(
  db: Db,
  kind: DatabaseKind,
  dataDir: string,
  target: string
): Promise<{ kind: DatabaseKind; blobs: string[] }> {
  if (kind === 'postgres') {
    return { kind, blobs: await dumpPostgres(db, path.join(target, 'tables')) };
  }
  const snapshot = path.join(target, 'registry.sqlite');
  const live = new SqliteDatabase(path.join(dataDir, 'registry.sqlite'), {
    fileMustExist: true
  });
  try {
    live.pragma('busy_timeout = 10000');
    live.prepare('VACUUM INTO ?').run(snapshot);
  } finally {
    live.close();
  }
  const copy = new SqliteDatabase(snapshot, { readonly: true });
  try {
    const rows = copy
      .prepare('SELECT sha256 FROM blobs ORDER BY sha256')
      .all() as Array<{ sha256: string }>;
    return { kind, blobs: rows.map(r => r.sha256) };
  } finally {
    copy.close();
  }
}

/**
 * Copies every blob the snapshot records into <target>/blobs, re-hashing each. From a bucket, a
 * row whose object never arrived (an upload that died between its lease and its publish) and
 * that nothing references is skipped: it is not data.
 */
async function copyBlobs(
  db: Db,
  blobs: BlobStore,
  dataDir: string,
  target: string,
  shas: string[]
): Promise<{ bytes: number; copied: number; failures: string[] }> {
  const blobRoot = path.join(dataDir, 'blobs');
  let bytes = 0;
  let copied = 0;
  const failures: string[] = [];
  for (const sha256 of shas) {
    try {
      if (isBucket(blobs)) {
        if (!(await blobs.stat(sha256)) && !(await isReferenced(db, sha256))) {
          continue;
        }
        bytes += (
          await downloadBlobVerified(blobs, sha256, path.join(target, 'blobs'))
        ).size;
      } else {
        bytes += (
          await copyBlobVerified(
            blobPath(blobRoot, sha256),
            path.join(target, 'blobs'),
            sha256
          )
        ).size;
      }
      copied++;
    } catch (err) {
      failures.push(`${sha256}: ${(err as Error).message}`);
    }
  }
  return { bytes, copied, failures };
}

async function isReferenced(db: Db, sha256: string): Promise<boolean> {
  const r = await db
    .selectFrom('artifacts')
    .select('sha256')
    .where('sha256', '=', sha256)
    .limit(1)
    .executeTakeFirst();
  return !!r;
}
