import fs from 'node:fs';
import { DIRECT_ALIGN, refusedDirect } from './direct-io';

/**
 * Appends to one file from one write at a time, each queued buffer joined into a single writev.
 * Parallel pwrites to the same file (libuv's pool runs four) only queue on the inode's lock inside
 * the kernel, where waiting writers spin: profiles of 512 MiB uploads spent ~10% of the CPU there.
 * Every `syncEvery` bytes it starts an fdatasync, so writeback runs while the body still streams and
 * the final fsync does not wait for gigabytes of dirty pages; errors of those surface in that fsync.
 * Given an O_DIRECT fd on the same file (direct-io.ts), whole aligned blocks from aligned memory go
 * through it; the unaligned tail of the file goes through `fd`, into the page cache.
 */
export class SerialFileWriter {
  private readonly queue: { bytes: Uint8Array; done: (err?: Error) => void }[] =
    [];
  private writing = false;
  private offset = 0;
  private unsynced = 0;

  private directFd: number | null = null;

  constructor(
    private readonly fd: number,
    private readonly syncEvery: number
  ) {}

  /**
   * Sends whole aligned blocks through `directFd`, an O_DIRECT fd on the same file (null: none);
   * before the first append. Every buffer appended must then be page-aligned memory.
   */
  useDirect(directFd: number | null): void {
    this.directFd = directFd;
  }

  /** Whether writes still go past the page cache (false once the file system refused). */
  get direct(): boolean {
    return this.directFd !== null;
  }

  /** Writes `bytes` after everything written before; `done` runs when they are in the file. */
  append(bytes: Uint8Array, done: (err?: Error) => void): void {
    this.queue.push({ bytes, done });
    if (!this.writing) {
      this.next();
    }
  }

  /** Whole blocks at a block boundary may go past the page cache. */
  private directable(bytes: Uint8Array, at: number): boolean {
    return (
      this.directFd !== null &&
      at % DIRECT_ALIGN === 0 &&
      bytes.length % DIRECT_ALIGN === 0
    );
  }

  private next(): void {
    if (this.queue.length === 0) {
      this.writing = false;
      return;
    }
    this.writing = true;
    const at = this.offset;
    // One writev goes through one fd: the batch ends where a buffer would need the other.
    const direct = this.directable(this.queue[0].bytes, at);
    let size = 0;
    let count = 0;
    while (
      count < Math.min(this.queue.length, MAX_BATCH) &&
      (count === 0 ||
        this.directable(this.queue[count].bytes, at + size) === direct)
    ) {
      size += this.queue[count++].bytes.length;
    }
    const batch = this.queue.splice(0, count);
    this.offset += size;
    const buffers = batch.map(b => b.bytes);
    const fd = direct ? this.directFd! : this.fd;
    writevAll(fd, buffers, at, err => {
      if (direct && refusedDirect(err) && this.directFd === fd) {
        // The file system wants other alignment: this write and every later one go buffered.
        this.directFd = null;
        fs.close(fd, () => undefined);
        writevAll(this.fd, buffers, at, err2 =>
          this.written(batch, size, err2)
        );
        return;
      }
      this.written(batch, size, err);
    });
  }

  /** Closes the O_DIRECT fd; call once no write is pending (the owner closes `fd`). */
  closeDirect(): void {
    if (this.directFd !== null) {
      fs.closeSync(this.directFd);
      this.directFd = null;
    }
  }

  private written(
    batch: { bytes: Uint8Array; done: (err?: Error) => void }[],
    size: number,
    err: NodeJS.ErrnoException | null
  ): void {
    this.unsynced += size;
    if (!err && this.unsynced >= this.syncEvery) {
      this.unsynced = 0;
      fs.fdatasync(this.fd, () => undefined);
    }
    for (const b of batch) {
      b.done(err ?? undefined);
    }
    this.next();
  }
}

/** IOV_MAX is 1024 on Linux; a batch is at most the hash's few slabs anyway. */
const MAX_BATCH = 64;

/** pwritev of all of `buffers` at `at`, looping over short writes. */
function writevAll(
  fd: number,
  buffers: Uint8Array[],
  at: number,
  done: (err: NodeJS.ErrnoException | null) => void
): void {
  fs.writev(fd, buffers, at, (err, n) => {
    if (err) {
      done(err);
      return;
    }
    const rest: Uint8Array[] = [];
    let skip = n;
    for (const b of buffers) {
      if (skip >= b.length) {
        skip -= b.length;
      } else {
        rest.push(skip ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    if (rest.length === 0) {
      done(null);
    } else {
      writevAll(fd, rest, at + n, done);
    }
  });
}
