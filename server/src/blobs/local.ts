import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pipeline as pipelineCb } from 'node:stream';
import { ApiError } from '../errors';
import { SHA256_HEX, type BlobStore, type ReserveBlob } from './store';
import {
  clearQuarantine,
  markQuarantined,
  quarantineMarkSync
} from './quarantine';
import { verifiedRead } from './verified-read';
import { OffThreadHash } from './hash-worker';
import { prepareRingSend, type RingSend, type RingVerify } from './ring-send';
import {
  dropVerified,
  identityOf,
  recordVerified,
  sameIdentity,
  verifiedMarkMatches
} from './verified-mark';
import { SerialFileWriter } from './serial-writes';
import { openDirect } from './direct-io';
import { scavengeAsBodyArrives } from './young-gc';

/**
 * Blobs under <root>/sha256/ab/<hex>. Uploads go to <root>/tmp/, are fsynced, then renamed
 * into place: a reader sees a whole blob or none, even after a crash.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  private readonly tmpDir: string;
  /** Told when a download finds a blob whose bytes do not hash to its name (serve logs it). */
  onCorrupt?: (sha256: string, detail: string) => void;

  constructor(
    private readonly root: string,
    /** Write uploaded blob files with O_DIRECT where the file system allows (direct-io.ts). */
    private readonly directIo = true
  ) {
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(root, 'sha256'), { recursive: true, mode: 0o700 });
  }

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) {
      throw new ApiError(
        'VALIDATION_ERROR',
        'a sha256 digest is 64 lowercase hex characters'
      );
    }
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async put(
    body: Readable,
    // reserve is not needed here: gc moves a file aside and checks its mtime again (ops/gc.ts).
    opts: { expectedSha256?: string; reserve?: ReserveBlob } = {}
  ): Promise<{ sha256: string; size: number }> {
    const tmp = path.join(
      this.tmpDir,
      `${Date.now()}-${crypto.randomBytes(8).toString('hex')}.part`
    );
    const handle = await fsp.open(tmp, 'wx', 0o600);
    const fd = handle.fd;
    let size = 0;
    // The body is copied once, into the hash's shared slabs (hash-worker.ts); each full slab is
    // written to the file and hashed on the worker thread at once, then reused. No stream holds
    // the socket's chunks, so they die young instead of filling V8's old generation.
    const file = new SerialFileWriter(fd, SYNC_EVERY_BYTES);
    const hash = new OffThreadHash((bytes, done) => file.append(bytes, done));
    if (this.directIo && hash.aligned) {
      file.useDirect(openDirect(tmp, fs.constants.O_WRONLY));
    }
    const scavenge = scavengeAsBodyArrives();
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        hash.update(chunk, cb);
        scavenge(chunk.length);
      }
    });
    let placed = false;
    let closed = false;
    try {
      // The request stream errors (or closes early) when the client aborts, and pipeline rejects.
      await pipeline(body, sink);
      if (body.readableAborted) {
        throw new ApiError(
          'VALIDATION_ERROR',
          'the upload was interrupted before the body ended'
        );
      }
      // Resolves once every byte is hashed and written.
      const sha256 = await hash.digest();
      file.closeDirect();
      // The file is durable before it is renamed into place (O_DIRECT skips the page cache, not
      // the device's write cache, nor the file's size and block map: the fsync covers both).
      await handle.sync();
      closed = true;
      await handle.close();
      if (opts.expectedSha256 && opts.expectedSha256 !== sha256) {
        throw new ApiError(
          'DIGEST_MISMATCH',
          `the body hashes to sha256 ${sha256}, not ${opts.expectedSha256} as X-Checksum-Sha256 says; the upload was discarded`
        );
      }
      const final = this.pathOf(sha256);
      await fsp.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
      // rename() replaces atomically; identical content makes a replace harmless (dedup).
      await fsp.rename(tmp, final);
      placed = true;
      // Every byte written was hashed to this name: downloads may skip re-hashing while the file is untouched.
      await recordVerified(
        this.root,
        sha256,
        identityOf(await fsp.stat(final, { bigint: true }))
      );
      // Good bytes are back under this name: a quarantine mark (reliability) no longer applies.
      await clearQuarantine(this.root, sha256);
      await fsyncDir(path.dirname(final));
      return { sha256, size };
    } finally {
      if (!placed) {
        hash.discard();
        if (!closed) {
          // No write may still target the fd once closed: its number could name another file then.
          await hash.settled();
          file.closeDirect();
          await handle.close().catch(() => undefined);
        }
        await fsp.unlink(tmp).catch(() => undefined);
      }
      await hash.settled();
      hash.recycle();
    }
  }

  /** The blob directory is there and writable. */
  async ping(): Promise<void> {
    await fsp.access(this.tmpDir, fs.constants.W_OK);
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    try {
      const st = await fsp.stat(this.pathOf(sha256));
      return { size: st.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return null;
      }
      throw err;
    }
  }

  /** Refreshes a blob's mtime so gc's grace period covers a checksum deploy about to attach it. */
  async touch(sha256: string): Promise<{ size: number } | null> {
    const now = new Date();
    try {
      await fsp.utimes(this.pathOf(sha256), now, now);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return null;
      }
      throw err;
    }
    return this.stat(sha256);
  }

  open(sha256: string, range?: { start: number; end: number }): Readable {
    this.refuseQuarantined(sha256);
    if (range) {
      return fs.createReadStream(this.pathOf(sha256), {
        start: range.start,
        end: range.end,
        highWaterMark: READ_CHUNK
      });
    }
    const file = this.pathOf(sha256);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      // Let the stream report the error (ENOENT...) as it always did.
      return fs.createReadStream(file, { highWaterMark: READ_CHUNK });
    }
    const verify = this.wholeReadCheck(sha256, fd);
    const read = fs.createReadStream(file, { fd, highWaterMark: READ_CHUNK });
    if (!verify) {
      return read;
    }
    // Whole reads are hashed on the way out: corrupt bytes end in an aborted transfer, never a "complete" one.
    const check = verifiedRead(sha256, verify.onMismatch, verify.onMatch);
    return pipelineCb(read, check, () => undefined);
  }

  /**
   * Like open(), for a response written from reused buffers (ring-send.ts); the routes use it
   * for local blobs. Same checks: a quarantined blob is refused, a whole read is hashed unless
   * the verified marker matches the very file opened.
   */
  async prepareSend(
    sha256: string,
    size: number,
    range?: { start: number; end: number }
  ): Promise<RingSend> {
    this.refuseQuarantined(sha256);
    const fd = fs.openSync(this.pathOf(sha256), 'r');
    const verify = range ? null : this.wholeReadCheck(sha256, fd);
    return prepareRingSend(
      fd,
      range?.start ?? 0,
      range?.end ?? size - 1,
      verify
    );
  }

  /** (reliability) Never serve a blob that verify or a failed download marked bad, not even a Range. */
  private refuseQuarantined(sha256: string): void {
    const mark = quarantineMarkSync(this.root, sha256);
    if (mark) {
      throw new ApiError(
        'BLOB_CORRUPT',
        `the bytes of blob sha256 ${sha256} are ${mark.reason} on disk (${mark.detail}); they are not served until an administrator restores them (re-upload the file or restore a backup, then run "modelreg-server verify")`
      );
    }
  }

  /**
   * How a whole read of the file open at `fd` is checked: null when its verified marker matches
   * (hashed to its name since its last change: verified-mark.ts, docs/reliability.md), else what
   * to do when its bytes do or do not hash to the name.
   */
  private wholeReadCheck(sha256: string, fd: number): RingVerify | null {
    const file = this.pathOf(sha256);
    // The identity of the very file this fd reads, not of whatever the path names a moment later.
    const opened = identityOf(fs.fstatSync(fd, { bigint: true }));
    if (verifiedMarkMatches(this.root, sha256, opened)) {
      return null;
    }
    return {
      sha256,
      onMismatch: (actual, bytes) => {
        this.onCorrupt?.(sha256, `${bytes} bytes hash to ${actual}`);
        void dropVerified(this.root, sha256).catch(() => undefined);
        void markQuarantined(this.root, sha256, {
          reason: 'corrupt',
          detail: `${bytes} bytes hash to ${actual}`,
          found_by: 'download'
        }).catch(() => undefined);
      },
      onMatch: () => {
        // Good to the last byte; recorded only if the file did not change while it was read.
        void fsp
          .stat(file, { bigint: true })
          .then(st =>
            sameIdentity(identityOf(st), opened)
              ? recordVerified(this.root, sha256, opened)
              : undefined
          )
          .catch(() => undefined);
      }
    };
  }
}

/** 1 MiB reads: far fewer syscalls and chunks than the 64 KiB default on large artifacts. */
const READ_CHUNK = 1 << 20;
const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

async function fsyncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
