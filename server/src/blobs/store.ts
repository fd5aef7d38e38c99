import type { Readable } from 'node:stream';

/** What the registry needs from byte storage. Local directory now; S3 can implement the same. */
export interface BlobStore {
  /**
   * Streams `body` into the store, hashing while it streams. Nothing becomes visible unless the
   * whole body arrived and (when given) matched `expectedSha256`; identical bytes are kept once.
   */
  put(
    body: Readable,
    opts?: { expectedSha256?: string }
  ): Promise<{ sha256: string; size: number }>;
  /** Size of a stored blob, or null when the store does not have it. */
  stat(sha256: string): Promise<{ size: number } | null>;
  /** Like stat, and marks the blob as just used so gc's grace period keeps it (checksum deploy). */
  touch(sha256: string): Promise<{ size: number } | null>;
  /** Reads a blob, optionally a byte range [start, end] inclusive. */
  open(sha256: string, range?: { start: number; end: number }): Readable;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
