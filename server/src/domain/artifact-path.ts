import { ApiError } from '../errors';

const MAX_PATH = 1024;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;

/**
 * Artifact paths are relative POSIX paths. The router has already percent-decoded them, so
 * "%2e%2e" arrives here as ".." and is refused like the literal form.
 */
export function validateArtifactPath(raw: string | undefined): string {
  const p = raw ?? '';
  const bad = (why: string) =>
    new ApiError(
      'INVALID_PATH',
      `artifact path "${p.replace(/\0/g, '\\0')}" ${why}; use a relative path like "model/weights.bin"`
    );
  if (!p) {
    throw bad('is empty');
  }
  if (p.length > MAX_PATH) {
    throw bad(`is longer than ${MAX_PATH} characters`);
  }
  if (p.includes('\0')) {
    throw bad('contains a NUL byte');
  }
  if (p.includes('\\')) {
    throw bad('contains a backslash');
  }
  if (p.startsWith('/')) {
    throw bad('is absolute');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(p)) {
    throw bad('contains control characters');
  }
  // Bidirectional controls reorder what a listing shows ("model\u202Egnp.exe" reads as "modelexe.png").
  if (BIDI_CONTROLS.test(p)) {
    throw bad(
      'contains a bidirectional control character (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)'
    );
  }
  if (p.normalize('NFC') !== p) {
    throw bad('is not in Unicode NFC form');
  }
  for (const seg of p.split('/')) {
    if (seg === '') {
      throw bad('has an empty segment');
    }
    if (seg === '.' || seg === '..') {
      throw bad(`has a "${seg}" segment`);
    }
    // "weights.bin " and "weights.bin" look the same in every listing (and are one file on Windows).
    if (/\s$/u.test(seg)) {
      throw bad('has a segment that ends in whitespace');
    }
  }
  return p;
}
