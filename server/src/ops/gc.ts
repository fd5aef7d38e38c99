import crypto from 'node:crypto';
import { isBucket } from '../blobs/open';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { clearQuarantine } from '../blobs/quarantine';
import type { Db } from '../db/database';
import { blobFiles, blobPath } from './blob-files';
import { dataDirOf, parseOpsArgs, printSummary, withStorage } from './context';
import { removeOrphanRows } from './orphan-rows';
import { gcBucket } from './s3';

export const GC_USAGE = `gc --data-dir DIR [--grace-seconds 3600] [--dry-run]   remove blobs no candidate or version references, older than the grace period`;

const isReferenced = async (db: Db, sha256: string) =>
  !!(await db
    .selectFrom('artifacts')
    .select('sha256')
    .where('sha256', '=', sha256)
    .limit(1)
    .executeTakeFirst());

/** Puts a blob back after gc had moved it aside; a fresh upload of the same bytes may already be there. */
async function putBack(trash: string, final: string): Promise<void> {
  try {
    await fsp.link(trash, final);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
  }
  await fsp.unlink(trash);
}

/**
 * Removes one unreferenced blob without racing uploads: the file is first renamed aside (an
 * upload of the same bytes then lands a fresh file, which stays), then the moved file's mtime
 * (refreshed by every upload and checksum deploy) and the database are checked again; anything
 * used in the meantime goes back.
 */
async function collect(
  db: Db,
  blobRoot: string,
  sha256: string,
  graceMs: number
): Promise<number | null> {
  const final = blobPath(blobRoot, sha256);
  const trash = path.join(
    blobRoot,
    'gc-trash',
    `${sha256}.${crypto.randomBytes(4).toString('hex')}`
  );
  try {
    await fsp.rename(final, trash);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw err;
  }
  const st = await fsp.stat(trash);
  if (Date.now() - st.mtimeMs < graceMs || (await isReferenced(db, sha256))) {
    await putBack(trash, final);
    return null;
  }
  try {
    await db
      .deleteFrom('blobs')
      .where('sha256', '=', sha256)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('artifacts')
              .select('sha256')
              .where('artifacts.sha256', '=', sha256)
          )
        )
      )
      .execute();
  } catch {
    // A foreign key said someone attached it just now.
    await putBack(trash, final);
    return null;
  }
  if (await isReferenced(db, sha256)) {
    await putBack(trash, final);
    return null;
  }
  await fsp.unlink(trash);
  await clearQuarantine(blobRoot, sha256);
  return st.size;
}

/** A gc that died between "move aside" and "delete" left files in gc-trash: put back what is used. */
async function recoverTrash(db: Db, blobRoot: string): Promise<void> {
  const dir = path.join(blobRoot, 'gc-trash');
  let names: string[] = [];
  try {
    names = await fsp.readdir(dir);
  } catch {
    /* none */
  }
  for (const name of names) {
    const sha256 = name.slice(0, 64);
    if (await isReferenced(db, sha256)) {
      await putBack(path.join(dir, name), blobPath(blobRoot, sha256));
    } else {
      await fsp.unlink(path.join(dir, name));
    }
  }
}

/** Partial uploads left by a crash sit in tmp/; in-flight ones are written to constantly and stay young. */
async function removeStaleTmp(
  blobRoot: string,
  graceMs: number,
  dryRun: boolean
): Promise<number> {
  const dir = path.join(blobRoot, 'tmp');
  let n = 0;
  let names: string[] = [];
  try {
    names = await fsp.readdir(dir);
  } catch {
    /* none */
  }
  for (const name of names) {
    const file = path.join(dir, name);
    const st = await fsp.stat(file).catch(() => null);
    if (!st || Date.now() - st.mtimeMs < graceMs) {
      continue;
    }
    if (!dryRun) {
      await fsp.unlink(file).catch(() => undefined);
    }
    n++;
  }
  return n;
}

const fileExists = (file: string): Promise<boolean> =>
  fsp.stat(file).then(
    () => true,
    () => false
  );

export async function gc(argv: string[]): Promise<void> {
  const args = parseOpsArgs(argv, ['data-dir', 'grace-seconds', 'dry-run']);
  const graceSeconds = Number(args.flags['grace-seconds'] ?? 3600);
  if (!Number.isFinite(graceSeconds) || graceSeconds < 0) {
    throw new Error(
      `--grace-seconds must be a number >= 0, got "${args.flags['grace-seconds']}"`
    );
  }
  const graceMs = graceSeconds * 1000;
  const dryRun = args.flags['dry-run'] === 'true';

  await withStorage(dataDirOf(args), async ({ db, blobRoot, blobs }) => {
    if (isBucket(blobs)) {
      const summary = await gcBucket(db, blobs, graceMs, dryRun);
      printSummary(dryRun ? 'gc (dry run)' : 'gc', summary);
      return;
    }
    await fsp.mkdir(path.join(blobRoot, 'gc-trash'), { recursive: true });
    if (!dryRun) {
      await recoverTrash(db, blobRoot);
    }
    const referenced = new Set(
      (
        await db.selectFrom('artifacts').select('sha256').distinct().execute()
      ).map(r => r.sha256)
    );
    let removed = 0,
      freedBytes = 0,
      keptYoung = 0,
      inUse = 0;
    for await (const { sha256, file } of blobFiles(blobRoot)) {
      if (referenced.has(sha256)) {
        inUse++;
        continue;
      }
      const st = await fsp.stat(file).catch(() => null);
      if (!st) {
        continue;
      }
      if (Date.now() - st.mtimeMs < graceMs) {
        keptYoung++;
        continue;
      }
      if (dryRun) {
        console.log(`would remove ${sha256} (${st.size} bytes)`);
        removed++;
        freedBytes += st.size;
        continue;
      }
      const size = await collect(db, blobRoot, sha256, graceMs);
      if (size === null) {
        keptYoung++;
        continue;
      }
      console.log(`removed ${sha256} (${size} bytes)`);
      removed++;
      freedBytes += size;
    }
    const orphanRows = dryRun
      ? 0
      : await removeOrphanRows(db, sha256 =>
          fileExists(blobPath(blobRoot, sha256))
        );
    const staleUploads = await removeStaleTmp(blobRoot, graceMs, dryRun);
    printSummary(dryRun ? 'gc (dry run)' : 'gc', {
      removed,
      freed_bytes: freedBytes,
      kept_in_grace: keptYoung,
      in_use: inUse,
      stale_uploads: staleUploads,
      orphan_rows: orphanRows
    });
  });
}
