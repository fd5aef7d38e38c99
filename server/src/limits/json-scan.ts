import { Transform } from 'node:stream';
import { ApiError } from '../errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Counts object keys and nesting depth of a JSON body while its bytes arrive, and fails the
 * stream as soon as either passes its limit: a 12 MB body of a million keys is refused after
 * its first `maxKeys` keys, before the rest is read and long before JSON.parse (which, with a
 * walk of the parsed value, blocked the event loop for seconds). Works on bytes: UTF-8
 * continuation bytes never equal the ASCII structural characters. Malformed JSON is left for
 * JSON.parse to report.
 */
export function jsonShapeGuard(maxKeys: number, maxDepth: number): Transform {
  let keys = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (inString) {
          if (escaped) {
            escaped = false;
          } else if (c === BACKSLASH) {
            escaped = true;
          } else if (c === QUOTE) {
            inString = false;
          }
          continue;
        }
        if (c === QUOTE) {
          inString = true;
        } else if (c === COLON) {
          if (++keys > maxKeys) {
            cb(
              new ApiError(
                'PAYLOAD_TOO_LARGE',
                `the JSON body has more than ${maxKeys} keys (--max-json-keys); send the data in several requests`
              )
            );
            return;
          }
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          if (++depth > maxDepth) {
            cb(
              new ApiError(
                'VALIDATION_ERROR',
                `the JSON body is nested deeper than ${maxDepth} levels (--max-json-depth); flatten it`
              )
            );
            return;
          }
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          depth--;
        }
      }
      cb(null, chunk);
    }
  });
}
