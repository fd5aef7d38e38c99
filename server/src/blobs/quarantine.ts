import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Blobs known to be bad (corrupt or missing) have a marker file <blobs>/quarantine/<sha256>
 * holding JSON {reason, found_by, at}. A marked blob is never served, whole or by Range.
 * Markers are files, not rows, so every server process over a shared blob directory sees them
 * and `verify` works the same for SQLite and PostgreSQL.
 */
export interface QuarantineMark {
  reason: 'corrupt' | 'missing';
  detail: string;
  found_by: string;
  at: string;
}

export const quarantineDir = (blobRoot: string) =>
  path.join(blobRoot, 'quarantine');
const markerPath = (blobRoot: string, sha256: string) =>
  path.join(quarantineDir(blobRoot), sha256);

/** Sync on purpose: it guards the synchronous open() of a blob. One stat of a small directory. */
export function quarantineMarkSync(
  blobRoot: string,
  sha256: string
): QuarantineMark | null {
  try {
    return JSON.parse(
      fs.readFileSync(markerPath(blobRoot, sha256), 'utf8')
    ) as QuarantineMark;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    // An unreadable marker still means "do not serve".
    return {
      reason: 'corrupt',
      detail: 'unreadable quarantine marker',
      found_by: 'unknown',
      at: ''
    };
  }
}

export async function markQuarantined(
  blobRoot: string,
  sha256: string,
  mark: Omit<QuarantineMark, 'at'>
): Promise<void> {
  await fsp.mkdir(quarantineDir(blobRoot), { recursive: true });
  const tmp = `${markerPath(blobRoot, sha256)}.${process.pid}.tmp`;
  await fsp.writeFile(
    tmp,
    JSON.stringify({ ...mark, at: new Date().toISOString() }) + '\n'
  );
  await fsp.rename(tmp, markerPath(blobRoot, sha256));
}

/** A good copy of the bytes is back (re-upload or repair): serve it again. */
export async function clearQuarantine(
  blobRoot: string,
  sha256: string
): Promise<boolean> {
  try {
    await fsp.unlink(markerPath(blobRoot, sha256));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw err;
  }
}

export async function listQuarantined(blobRoot: string): Promise<string[]> {
  try {
    return (await fsp.readdir(quarantineDir(blobRoot))).filter(n =>
      /^[0-9a-f]{64}$/.test(n)
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw err;
  }
}
