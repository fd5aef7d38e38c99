import crypto from 'node:crypto';
import { Transform } from 'node:stream';
import { ApiError } from '../errors';

/**
 * Passes a blob's bytes through while hashing them, always one chunk behind. At the end the
 * digest must equal the blob's name; if it does not, the held-back last chunk is never sent and
 * the stream fails, so the response is cut short of its Content-Length and the client sees a
 * failed transfer instead of silently wrong bytes.
 */
export function verifiedRead(
  expectedSha256: string,
  onMismatch: (actualSha256: string, bytes: number) => void,
  onMatch?: () => void
): Transform {
  const hash = crypto.createHash('sha256');
  let held: Buffer | null = null;
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      const previous = held;
      held = chunk;
      cb(null, previous ?? undefined);
    },
    flush(cb) {
      const actual = hash.digest('hex');
      if (actual === expectedSha256) {
        onMatch?.();
        cb(null, held ?? undefined);
        return;
      }
      onMismatch(actual, bytes);
      // Before the first byte went out this becomes a 500 BLOB_CORRUPT answer; after, a cut-short transfer.
      cb(
        new ApiError(
          'BLOB_CORRUPT',
          `blob sha256 ${expectedSha256} is corrupt on disk (its ${bytes} bytes hash to ${actual}); the download was aborted and the blob quarantined; an administrator should run "modelreg-server verify"`
        )
      );
    }
  });
}
