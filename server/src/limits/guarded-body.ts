import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { ApiError } from '../errors';

/** After a refused upload, read at most this much more of the body so the client sees our answer. */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Wraps an artifact upload's request stream. It counts bytes against the artifact size limit and
 * stands between the request and the blob store: when the store fails for a local reason (limit,
 * full disk), only this wrapper is destroyed, the request is drained, and the client can read the
 * 413/507 answer instead of a reset connection. A client that aborts still fails the upload.
 */
export function guardedBody(raw: IncomingMessage, maxBytes: number): Transform {
  let seen = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (maxBytes > 0 && seen > maxBytes) {
        cb(
          new ApiError(
            'PAYLOAD_TOO_LARGE',
            `the artifact is larger than the server's limit of ${maxBytes} bytes (--max-artifact-bytes); nothing was kept`
          )
        );
        return;
      }
      cb(null, chunk);
    }
  });
  const clientGone = () => {
    if (!raw.complete) {
      guard.destroy(
        Object.assign(new Error('the client aborted the upload'), {
          code: 'ECONNRESET'
        })
      );
    }
  };
  // The store's pipeline listens for the guard's errors once it reads the body; until then (auth
  // hooks still running) an abort would be an unhandled 'error' and take the process down. A guard
  // destroyed early still fails the upload: the pipeline then sees a destroyed stream.
  guard.on('error', () => undefined);
  raw.on('aborted', clientGone);
  raw.on('error', err => guard.destroy(err));
  raw.on('close', clientGone);
  guard.on('close', () => {
    if (raw.complete || raw.destroyed) {
      return;
    }
    raw.unpipe(guard);
    let drained = 0;
    raw.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_MAX_BYTES) {
        raw.destroy();
      }
    });
    raw.resume();
  });
  raw.pipe(guard);
  return guard;
}
