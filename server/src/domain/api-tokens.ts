/** API tokens: random, shown once, and stored only as their sha256. */
import crypto from 'node:crypto';

/** A new API token (`mr_` and 48 hex digits). */
export function newToken(): string {
  return 'mr_' + crypto.randomBytes(24).toString('hex');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
