import fs from 'node:fs';
import { ApiError } from '../errors';
import type { S3BlobStore } from '../blobs/s3';
import { stagedAt, STAGING_DIR } from '../blobs/s3-client';
import type { Db } from '../db/database';
import { staleUploads } from '../repos/uploads';
import { blobRecords, copyBlobVerified } from './blob-files';
import { removeOrphanRows, unreferenced } from './orphan-rows';

/** Maintenance against a bucket: the same reports as the local store's, from listing and reading objects. */

const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * Deletes one unreferenced blob without racing uploads. The database row is the lease: uploads
 * refresh its created_at (reserveBlob) before they publish or dedup against the object, and
 * checksum deploys before they attach it. gc deletes the row only if it is older than the grace
 * period and unreferenced, and deletes the object inside that same transaction, so an upload
 * arriving meanwhile waits on the row and then finds the object gone and writes it again.
 */
async function collect(
  db: Db,
  store: S3BlobStore,
  sha256: string,
  cutoffIso: string
): Promise<boolean> {
  try {
    return await db.transaction().execute(async trx => {
      // An object without a row (a crash between publish and attach) gets one to hold while deleting.
      await trx
        .insertInto('blobs')
        .values({ sha256, size: 0, created_at: EPOCH })
        .onConflict(oc => oc.column('sha256').doNothing())
        .execute();
      const r = await trx
        .deleteFrom('blobs')
        .where('sha256', '=', sha256)
        .where('created_at', '<', cutoffIso)
        .where(unreferenced(sha256))
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) {
        throw new KeptInUse();
      }
      await store.deleteKey(store.keyOf(sha256));
      return true;
    });
  } catch (err) {
    if (err instanceof KeptInUse) {
      return false;
    }
    throw err;
  }
}

class KeptInUse extends Error {}

export async function gcBucket(
  db: Db,
  store: S3BlobStore,
  graceMs: number,
  dryRun: boolean
): Promise<Record<string, number>> {
  const cutoff = Date.now() - graceMs;
  const cutoffIso = new Date(cutoff).toISOString();
  const referenced = new Set(
    (
      await db.selectFrom('artifacts').select('sha256').distinct().execute()
    ).map(r => r.sha256)
  );
  let removed = 0,
    freedBytes = 0,
    keptYoung = 0,
    inUse = 0;
  for await (const obj of store.listObjects('sha256/')) {
    const sha256 = obj.key.slice(obj.key.lastIndexOf('/') + 1);
    if (referenced.has(sha256)) {
      inUse++;
      continue;
    }
    if (obj.lastModified.getTime() >= cutoff) {
      keptYoung++;
      continue;
    }
    if (dryRun) {
      console.log(`would remove ${sha256} (${obj.size} bytes)`);
      removed++;
      freedBytes += obj.size;
      continue;
    }
    if (!(await collect(db, store, sha256, cutoffIso))) {
      keptYoung++;
      continue;
    }
    console.log(`removed ${sha256} (${obj.size} bytes)`);
    removed++;
    freedBytes += obj.size;
  }

  // Uploads that never completed: their multipart parts, staged objects and rows.
  let staleUploadsRemoved = 0;
  for (const row of await staleUploads(db, cutoffIso)) {
    if (dryRun) {
      staleUploadsRemoved++;
      continue;
    }
    const gone = await db
      .deleteFrom('uploads')
      .where('id', '=', row.id)
      .executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) {
      continue;
    }
    await store.direct.abortUpload({
      key: row.staging_key,
      multipartId: row.multipart_id,
      partSize: Number(row.part_size)
    });
    staleUploadsRemoved++;
  }
  for await (const mpu of store.listMultipartUploads(STAGING_DIR)) {
    const at = stagedAt(store.location.prefix, mpu.key);
    if (at === null || at >= cutoff) {
      continue;
    }
    if (!dryRun) {
      await store.abort(mpu.key, mpu.uploadId).catch(() => undefined);
    }
    staleUploadsRemoved++;
  }
  for await (const obj of store.listObjects(STAGING_DIR)) {
    const at = stagedAt(store.location.prefix, obj.key);
    if (at === null || at >= cutoff) {
      continue;
    }
    if (!dryRun) {
      await store.deleteKey(obj.key).catch(() => undefined);
    }
    staleUploadsRemoved++;
  }

  // Rows nothing references whose object is already gone.
  const orphanRows = dryRun
    ? 0
    : await removeOrphanRows(
        db,
        async sha256 => (await store.stat(sha256)) !== null,
        cutoffIso
      );
  return {
    removed,
    freed_bytes: freedBytes,
    kept_in_grace: keptYoung,
    in_use: inUse,
    stale_uploads: staleUploadsRemoved,
    orphan_rows: orphanRows
  };
}

/** Re-hashes every object; reports corrupt ones and referenced blobs whose object is gone. */
export async function verifyBucket(
  db: Db,
  store: S3BlobStore,
  whoUses: (sha256: string) => Promise<string[]>
): Promise<{ summary: Record<string, number>; problems: number }> {
  const { recorded, referenced } = await blobRecords(db);
  const seen = new Set<string>();
  let corrupt = 0,
    missing = 0,
    checked = 0,
    bytes = 0;
  for await (const obj of store.listObjects('sha256/')) {
    const sha256 = obj.key.slice(obj.key.lastIndexOf('/') + 1);
    seen.add(sha256);
    const actual = await store.hashKey(obj.key);
    checked++;
    bytes += actual.size;
    const size = recorded.get(sha256);
    if (
      actual.sha256 === sha256 &&
      (size === undefined || size === 0 || size === actual.size)
    ) {
      continue;
    }
    corrupt++;
    const detail =
      actual.sha256 !== sha256
        ? `${actual.size} bytes hash to ${actual.sha256}`
        : `${actual.size} bytes instead of ${size}`;
    console.log(
      `CORRUPT   ${sha256}: ${detail} (s3://${store.bucket}/${obj.key})`
    );
    for (const use of await whoUses(sha256)) {
      console.log(`          used by ${use}`);
    }
  }
  for (const sha256 of referenced) {
    if (seen.has(sha256) || (await store.stat(sha256))) {
      continue;
    }
    missing++;
    console.log(
      `MISSING   ${sha256}: no object s3://${store.bucket}/${store.keyOf(sha256)}`
    );
    for (const use of await whoUses(sha256)) {
      console.log(`          used by ${use}`);
    }
  }
  return {
    summary: { checked, bytes, corrupt, missing },
    problems: corrupt + missing
  };
}

/** Copies one object into a backup's blob tree, re-hashing it; renamed into place only when it matches. */
export async function downloadBlobVerified(
  store: S3BlobStore,
  sha256: string,
  toRoot: string
): Promise<{ size: number }> {
  return copyBlobVerified(
    await store.readKey(store.keyOf(sha256)),
    toRoot,
    sha256
  );
}

/** Puts a backup's blob file into the bucket; the store hashes it on the way and refuses a mismatch. */
export async function uploadBlobVerified(
  store: S3BlobStore,
  file: string,
  sha256: string
): Promise<{ size: number }> {
  try {
    return await store.put(fs.createReadStream(file), {
      expectedSha256: sha256
    });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'DIGEST_MISMATCH') {
      throw new Error(
        `${file} does not hash to its name ${sha256}; the backup is damaged`
      );
    }
    throw err;
  }
}
