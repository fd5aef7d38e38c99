import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * A blob whose bytes were hashed to its name (on upload, or by a whole verified download) gets a
 * marker <blobs>/verified/<sha256> recording the file's identity then: device, inode, size, and
 * mtime and ctime in nanoseconds. While the file still shows exactly that identity, a whole
 * download is served without hashing it again. Any write, truncate, replace or utimes through the
 * filesystem changes ctime (which no user call can set back), so the next download re-hashes.
 * What a marker cannot see is a change below the filesystem (media bit rot): `verify` and the
 * client's own sha256 check catch that (docs/reliability.md).
 */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

const markDir = (blobRoot: string) => path.join(blobRoot, 'verified');
const markPath = (blobRoot: string, sha256: string) =>
  path.join(markDir(blobRoot), sha256);

const serialize = (id: FileIdentity) =>
  [id.dev, id.ino, id.size, id.mtimeNs, id.ctimeNs].join(' ');

export function identityOf(st: fs.BigIntStats): FileIdentity {
  return {
    dev: st.dev,
    ino: st.ino,
    size: st.size,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs
  };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return serialize(a) === serialize(b);
}

/** Sync on purpose: it decides inside the synchronous open() of a blob. A missing or odd marker is "not verified". */
export function verifiedMarkMatches(
  blobRoot: string,
  sha256: string,
  current: FileIdentity
): boolean {
  try {
    return (
      fs.readFileSync(markPath(blobRoot, sha256), 'utf8').trim() ===
      serialize(current)
    );
  } catch {
    return false;
  }
}

/** Records that the file with this identity hashed to its name. Not fsynced: a lost marker only costs a re-hash. */
export async function recordVerified(
  blobRoot: string,
  sha256: string,
  id: FileIdentity
): Promise<void> {
  await fsp.mkdir(markDir(blobRoot), { recursive: true, mode: 0o700 });
  const tmp = `${markPath(blobRoot, sha256)}.${process.pid}.${Date.now()}.tmp`;
  await fsp.writeFile(tmp, serialize(id) + '\n', { mode: 0o600 });
  await fsp.rename(tmp, markPath(blobRoot, sha256));
}

/** Forgets a marker (the blob was found bad, or is being removed). */
export async function dropVerified(
  blobRoot: string,
  sha256: string
): Promise<void> {
  await fsp.rm(markPath(blobRoot, sha256), { force: true });
}
