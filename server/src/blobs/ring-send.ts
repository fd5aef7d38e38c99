import crypto from 'node:crypto';
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors';
import { SLAB_BYTES, giveAlignedSlab, takeAlignedSlab } from './aligned-slabs';

/**
 * Sends bytes [start, end] of an open blob file to a response from a few reused buffers: each
 * buffer is read into with fs.read, written to the socket, and read into again only after that
 * write's callback. A stream allocates a new 1 MiB buffer per read instead; those backing stores
 * were what kept V8 in back-to-back Mark-Compacts during large downloads (docs/benchmarks.md).
 * The buffers are the slabs uploads use (aligned-slabs.ts), so the two share one resident pool.
 * Reads go through the page cache, unlike the uploads' writes (direct-io.ts): a blob is often
 * downloaded again soon (a deployment's replicas, a team pulling one version), and from the page
 * cache that costs no disk read.
 */
const CHUNK = SLAB_BYTES;
const RING = 4;

const take = (): Uint8Array =>
  takeAlignedSlab() ?? Buffer.allocUnsafeSlow(CHUNK);

export interface RingVerify {
  sha256: string;
  /** The bytes did not hash to the name: nothing more is sent and the response is cut short. */
  onMismatch: (actualSha256: string, bytes: number) => void;
  onMatch: () => void;
}

export interface RingSend {
  /** Sends the rest to `res` (headers must be set); resolves when done or abandoned, with the error that cut it short. */
  pipeTo(
    res: ServerResponse,
    onBytes: (n: number) => void
  ): Promise<Error | null>;
  /** Closes the file without sending (HEAD, or an error before the body). */
  close(): void;
}

function readAt(fd: number, buf: Uint8Array, len: number, pos: number) {
  return new Promise<number>((resolve, reject) =>
    fs.read(fd, buf, 0, len, pos, (err, n) => (err ? reject(err) : resolve(n)))
  );
}

function mismatch(expected: string, bytes: number, actual: string): ApiError {
  return new ApiError(
    'BLOB_CORRUPT',
    `blob sha256 ${expected} is corrupt on disk (its ${bytes} bytes hash to ${actual}); the download was aborted and the blob quarantined; an administrator should run "modelreg-server verify"`
  );
}

/**
 * Reads the first chunk before anything is sent, so a blob that fits in it and fails its hash,
 * or a file shorter than it should be, is refused with an error answer rather than a cut-short body.
 * `fd` is owned from here on: closed when the send ends, or on the error thrown.
 */
export async function prepareRingSend(
  fd: number,
  start: number,
  end: number,
  verify: RingVerify | null
): Promise<RingSend> {
  const hash = verify ? crypto.createHash('sha256') : null;
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      fs.close(fd, () => undefined);
    }
  };
  let pos = start;
  /** Reads the next chunk into `buf`; hashes it, and checks the digest before the last one is released. */
  const next = async (buf: Uint8Array): Promise<Uint8Array> => {
    const want = Math.min(CHUNK, end + 1 - pos);
    let got = 0;
    while (got < want) {
      const n = await readAt(fd, buf.subarray(got), want - got, pos + got);
      if (n === 0) {
        throw new ApiError(
          'BLOB_CORRUPT',
          `the blob file ended at byte ${pos + got} of ${end + 1}: it changed on disk while it was read; an administrator should run "modelreg-server verify"`
        );
      }
      got += n;
    }
    pos += got;
    const view = buf.subarray(0, got);
    if (hash && verify) {
      hash.update(view);
      if (pos > end) {
        const actual = hash.digest('hex');
        if (actual !== verify.sha256) {
          verify.onMismatch(actual, pos - start);
          throw mismatch(verify.sha256, pos - start, actual);
        }
        verify.onMatch();
      }
    }
    return view;
  };
  const firstBuf = take();
  let first: Uint8Array;
  try {
    first = await next(firstBuf);
  } catch (err) {
    giveAlignedSlab(firstBuf);
    close();
    throw err;
  }
  let sending = false;
  return {
    close() {
      if (!sending) {
        giveAlignedSlab(firstBuf);
      }
      close();
    },
    pipeTo(res, onBytes) {
      sending = true;
      return new Promise<Error | null>(resolve => {
        let inFlight = 0;
        let reading = false;
        let done = false;
        const finish = (err?: Error) => {
          if (done) {
            return;
          }
          done = true;
          close();
          if (err) {
            // Content-Length was promised: a destroyed socket is how the client learns the body is bad.
            res.destroy(err);
          } else {
            res.end();
          }
          resolve(err ?? null);
        };
        // A buffer whose write never completes (client gone) is left to the GC, never reused.
        res.once('close', () => {
          if (!done) {
            done = true;
            close();
            resolve(null);
          }
        });
        const send = (view: Uint8Array, buf: Uint8Array) => {
          inFlight++;
          onBytes(view.length);
          res.write(view, err => {
            inFlight--;
            // Called, even with an error, once the socket no longer holds the bytes: reusable.
            giveAlignedSlab(buf);
            if (err || done) {
              return finish(err ?? undefined);
            }
            pump();
          });
        };
        const pump = () => {
          if (done || reading) {
            return;
          }
          if (pos > end) {
            if (inFlight === 0) {
              finish();
            }
            return;
          }
          if (inFlight >= RING) {
            return;
          }
          reading = true;
          const buf = take();
          next(buf).then(
            view => {
              reading = false;
              if (done) {
                giveAlignedSlab(buf);
              } else {
                send(view, buf);
                pump();
              }
            },
            (err: Error) => {
              reading = false;
              giveAlignedSlab(buf);
              finish(err);
            }
          );
        };
        send(first, firstBuf);
        pump();
      });
    }
  };
}
