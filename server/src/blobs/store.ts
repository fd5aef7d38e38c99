import type { Readable } from 'node:stream';
import type { RingSend } from './ring-send';

/** Called with a blob's digest and size once the bytes are known good, before they are published. */
export type ReserveBlob = (sha256: string, size: number) => Promise<void>;

/** What the registry needs from byte storage: a local directory or an S3-compatible bucket. */
export interface BlobStore {
  /** "local" or "s3", for logs, /ready and the maintenance commands. */
  readonly kind: 'local' | 's3';
  /**
   * Streams `body` into the store, hashing while it streams. Nothing becomes visible unless the
   * whole body arrived and (when given) matched `expectedSha256`; identical bytes are kept once.
   * `reserve` runs after the digest is known and before the blob is published, so gc (which
   * deletes only blobs whose database row is old) cannot remove what an upload is about to attach.
   */
  put(
    body: Readable,
    opts?: { expectedSha256?: string; reserve?: ReserveBlob }
  ): Promise<{ sha256: string; size: number }>;
  /** Size of a stored blob, or null when the store does not have it. */
  stat(sha256: string): Promise<{ size: number } | null>;
  /** Like stat, and marks the blob as just used so gc's grace period keeps it (checksum deploy). */
  touch(sha256: string): Promise<{ size: number } | null>;
  /** Reads a blob, optionally a byte range [start, end] inclusive. */
  open(sha256: string, range?: { start: number; end: number }): Readable;
  /**
   * A download written to the response from reused buffers (local files: ring-send.ts), checked
   * like open(); absent when the store only streams.
   */
  prepareSend?(
    sha256: string,
    size: number,
    range?: { start: number; end: number }
  ): Promise<RingSend>;
  /** Throws when the store cannot be reached (for /api/v1/ready). */
  ping(): Promise<void>;
  /** Told when a download finds a blob whose bytes do not hash to its name (serve logs it). */
  onCorrupt?: (sha256: string, detail: string) => void;
  /** Transfers that bypass the registry (presigned URLs); absent when the store cannot offer them. */
  readonly direct?: DirectTransfers;
}

/** A presigned upload in progress: where its bytes are staged until the registry verified them. */
export interface StagedUpload {
  key: string;
  /** The bucket's multipart upload id, or null for a single presigned PUT. */
  multipartId: string | null;
  partSize: number;
}

export interface PresignedPart {
  number: number;
  url: string;
  size: number;
}

/** Presigned transfers straight between the client and the store. */
export interface DirectTransfers {
  /** A short-lived URL that GETs the blob (Range works on it). */
  downloadUrl(
    sha256: string,
    opts: { expiresSeconds: number; filename?: string }
  ): Promise<string>;
  /** Starts a staged upload of `size` bytes; nothing is visible under the blob's key yet. */
  startUpload(size: number): Promise<StagedUpload>;
  /** One presigned PUT per part (one part for small files). */
  partUrls(
    upload: StagedUpload,
    size: number,
    expiresSeconds: number
  ): Promise<PresignedPart[]>;
  /** Part numbers already stored, so a client can resume. */
  uploadedParts(upload: StagedUpload): Promise<Set<number>>;
  /**
   * A staged multipart upload of `count` parts whose sizes the client chooses (MLflow's
   * `mpu/create`: it declares neither the file's size nor its digest).
   */
  startPartsUpload(
    count: number,
    expiresSeconds: number
  ): Promise<{ upload: StagedUpload; urls: { number: number; url: string }[] }>;
  /**
   * Assembles the staged bytes, hashes them in the store, and publishes them under their digest
   * only when it is `sha256` and their size `size`; otherwise discards them (DIGEST_MISMATCH).
   * An upload started with startPartsUpload declares only how many parts it sent: its bytes are
   * published under whatever digest they have.
   */
  completeUpload(
    upload: StagedUpload,
    expected: { sha256: string; size: number } | { parts: number },
    reserve: ReserveBlob
  ): Promise<{ sha256: string; size: number }>;
  /** Discards a staged upload and its parts. */
  abortUpload(upload: StagedUpload): Promise<void>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
