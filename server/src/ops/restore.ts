import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { countUsers } from '../repos/users';
import { blobPath, copyBlobVerified, hashFile } from './blob-files';
import { BACKUP_MANIFEST, type BackupManifest } from './backup';
import { SIGNING_KEY_FILE } from '../signing/key';
import { dataDirOf, parseOpsArgs, printSummary, withStorage } from './context';
import { restorePostgres } from './pg-dump';
import { isBucket, openBlobStore, parseBlobSettings } from '../blobs/open';
import { uploadBlobVerified } from './s3';

export const RESTORE_USAGE = `restore DIR --data-dir DATA   restore a backup into an empty data dir (or empty PostgreSQL schema)`;

async function refuseNonEmpty(dataDir: string): Promise<void> {
  const taken = ['registry.sqlite', 'blobs/sha256'].filter(
    p =>
      fs.existsSync(path.join(dataDir, p)) &&
      !(
        fs.statSync(path.join(dataDir, p)).isDirectory() &&
        fs.readdirSync(path.join(dataDir, p)).length === 0
      )
  );
  if (taken.length) {
    throw new Error(
      `the data dir ${dataDir} already holds a registry (${taken.join(', ')}); restore only into an empty data dir`
    );
  }
}

/** Copies the SQLite snapshot in under a temporary name and checks it before it takes the real name. */
async function restoreSqlite(
  dir: string,
  dataDir: string,
  manifest: BackupManifest
): Promise<void> {
  const src = path.join(dir, 'registry.sqlite');
  if (
    manifest.database_sha256 &&
    (await hashFile(src)).sha256 !== manifest.database_sha256
  ) {
    throw new Error(
      `${src} does not match the checksum in ${BACKUP_MANIFEST}; the backup is damaged`
    );
  }
  const tmp = path.join(dataDir, 'registry.sqlite.restoring');
  await fsp.copyFile(src, tmp);
  const db = new SqliteDatabase(tmp);
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') {
      throw new Error(
        `the restored database fails its integrity check: ${String(check)}`
      );
    }
  } finally {
    db.close();
  }
  await fsp.rename(tmp, path.join(dataDir, 'registry.sqlite'));
}

export async function restore(argv: string[]): Promise<void> {
  const args = parseOpsArgs(argv, ['data-dir']);
  const dir = args.positional[0];
  if (!dir) {
    throw new Error(`restore needs the backup directory\n  ${RESTORE_USAGE}`);
  }
  const source = path.resolve(dir);
  const manifestFile = path.join(source, BACKUP_MANIFEST);
  if (!fs.existsSync(manifestFile)) {
    throw new Error(
      `${source} has no ${BACKUP_MANIFEST}: not a finished backup`
    );
  }
  const manifest = JSON.parse(
    await fsp.readFile(manifestFile, 'utf8')
  ) as BackupManifest;
  const dataDir = dataDirOf(args);
  const toPostgres = !!process.env.MODELREG_DATABASE_URL;
  if ((manifest.database === 'postgres') !== toPostgres) {
    throw new Error(
      `this is a ${manifest.database} backup; restore it with${manifest.database === 'postgres' ? '' : 'out'} MODELREG_DATABASE_URL set`
    );
  }
  await fsp.mkdir(dataDir, { recursive: true });
  await refuseNonEmpty(dataDir);
  const store = openBlobStore(parseBlobSettings(process.env), dataDir);
  if (isBucket(store)) {
    for await (const obj of store.listObjects('sha256/')) {
      throw new Error(
        `the bucket already holds blobs under s3://${store.bucket}/${store.location.prefix} (${obj.key}); restore only into an empty bucket prefix (MODELREG_BLOB_URL)`
      );
    }
  }

  if (toPostgres) {
    await withStorage(dataDir, async ({ db }) => {
      if ((await countUsers(db)) > 0) {
        throw new Error(
          'the PostgreSQL schema already holds a registry; restore only into an empty schema (MODELREG_DATABASE_SCHEMA)'
        );
      }
      await restorePostgres(db, path.join(source, 'tables'));
    });
  } else {
    await restoreSqlite(source, dataDir, manifest);
  }

  let blobs = 0;
  const srcRoot = path.join(source, 'blobs');
  for (const shard of fs.existsSync(path.join(srcRoot, 'sha256'))
    ? await fsp.readdir(path.join(srcRoot, 'sha256'))
    : []) {
    for (const sha256 of await fsp.readdir(
      path.join(srcRoot, 'sha256', shard)
    )) {
      if (!/^[0-9a-f]{64}$/.test(sha256)) {
        continue;
      }
      if (isBucket(store)) {
        await uploadBlobVerified(store, blobPath(srcRoot, sha256), sha256);
      } else {
        await copyBlobVerified(
          blobPath(srcRoot, sha256),
          path.join(dataDir, 'blobs'),
          sha256
        );
      }
      blobs++;
    }
  }
  // Uploads that were in progress at backup time staged their parts in the old bucket: not restorable.
  await withStorage(dataDir, async ({ db }) => {
    await db.deleteFrom('uploads').execute();
  });
  if (blobs !== manifest.blobs) {
    throw new Error(
      `the backup lists ${manifest.blobs} blobs but holds ${blobs}; it is damaged`
    );
  }
  // The signing key goes with the data: versions stay verifiable against the key clients pinned.
  for (const file of ['admin-token', SIGNING_KEY_FILE]) {
    if (fs.existsSync(path.join(source, file))) {
      await fsp.copyFile(path.join(source, file), path.join(dataDir, file));
      await fsp.chmod(path.join(dataDir, file), 0o600);
    }
  }
  printSummary('restore', {
    from: source,
    data_dir: dataDir,
    database: manifest.database,
    blobs
  });
}
