import fs from 'node:fs';

/**
 * Uploads write blob files with O_DIRECT, past the page cache, as object stores such as MinIO do.
 * Through the page cache every new blob costs the kernel a fresh page per 4 KiB and a copy into
 * it; on this project's VMs, whose free memory the host takes back, that was most of an upload's
 * CPU time (docs/benchmarks.md). With O_DIRECT the device takes the bytes straight from the
 * upload's reused, aligned slabs (aligned-slabs.ts). Downloads still read through the page cache
 * (ring-send.ts): the first one reads the disk, later ones the cache.
 *
 * O_DIRECT wants buffer address, file offset and length aligned to the device's logical block;
 * 4096 covers every common device. The unaligned tail of a file is written through the page
 * cache (serial-writes.ts). A file system that refuses O_DIRECT (EINVAL at open or at a write)
 * gets buffered writes instead: nothing fails for want of it. MODELREG_BLOB_DIRECT_IO=false turns
 * it off (blobs/open.ts).
 */
export const DIRECT_ALIGN = 4096;

/**
 * An O_DIRECT fd on `file` with `flags`, or null: where the file system refuses O_DIRECT (EINVAL),
 * and on any other failure (EMFILE...), since the page cache still works without it.
 */
export function openDirect(file: string, flags: number): number | null {
  try {
    return fs.openSync(file, flags | fs.constants.O_DIRECT);
  } catch {
    return null;
  }
}

/** EINVAL from an O_DIRECT write: the file system or device wants other alignment. */
export function refusedDirect(err: NodeJS.ErrnoException | null): boolean {
  return err?.code === 'EINVAL';
}
