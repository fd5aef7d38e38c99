import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SHA256_HEX } from '../blobs/store';
import type { Db } from '../db/database';

export const blobPath = (blobRoot: string, sha256: string) =>
  path.join(blobRoot, 'sha256', sha256.slice(0, 2), sha256);

/** Every file in the content-addressed tree, named by its digest. */
export async function* blobFiles(
  blobRoot: string
): AsyncGenerator<{ sha256: string; file: string }> {
  const top = path.join(blobRoot, 'sha256');
  let shards: string[];
  try {
    shards = (await fsp.readdir(top)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return;
    }
    throw err;
  }
  for (const shard of shards) {
    for (const name of (await fsp.readdir(path.join(top, shard))).sort()) {
      if (SHA256_HEX.test(name)) {
        yield { sha256: name, file: path.join(top, shard, name) };
      }
    }
  }
}

export async function hashFile(
  file: string
): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Copies a blob into another store's tree, checking its digest on the way: a copy is written
 * under a temporary name, fsynced, and renamed only when the bytes hash to `sha256`.
 */
export async function copyBlobVerified(
  from: string | Readable,
  toRoot: string,
  sha256: string
): Promise<{ size: number }> {
  const dest = blobPath(toRoot, sha256);
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.copying`;
  const hash = crypto.createHash('sha256');
  let size = 0;
  const source = typeof from === 'string' ? fs.createReadStream(from) : from;
  // A second 'data' listener sees every chunk the pipeline moves.
  source.on('data', (chunk: Buffer) => {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  });
  await pipeline(source, fs.createWriteStream(tmp, { mode: 0o600 }));
  const fd = await fsp.open(tmp, 'r+');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
  const actual = hash.digest('hex');
  if (actual !== sha256) {
    await fsp.unlink(tmp);
    throw new Error(
      `blob ${sha256} is corrupt at the source (${typeof from === 'string' ? from : 'its bytes'} hash to ${actual}); not copied`
    );
  }
  await fsp.rename(tmp, dest);
  return { size };
}

/** What the database says about blobs: recorded sizes, and the digests artifacts point at. */
export async function blobRecords(
  db: Db
): Promise<{ recorded: Map<string, number>; referenced: Set<string> }> {
  const recorded = new Map<string, number>();
  for (const r of await db
    .selectFrom('blobs')
    .select(['sha256', 'size'])
    .execute()) {
    recorded.set(r.sha256, Number(r.size));
  }
  const referenced = new Set(
    (
      await db.selectFrom('artifacts').select('sha256').distinct().execute()
    ).map(r => r.sha256)
  );
  return { recorded, referenced };
}
