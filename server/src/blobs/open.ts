import path from 'node:path';
import { LocalBlobStore } from './local';
import type { S3BlobStore } from './s3';
import { parseS3Url, s3Client, s3Settings } from './s3-client';
import type { BlobStore } from './store';

/** Where artifact bytes live and how they move; read from the environment by serve and the maintenance commands. */
export interface BlobSettings {
  /** `s3://bucket/prefix`, or null for <data-dir>/blobs. */
  url: string | null;
  /** Offer presigned part uploads (`POST .../uploads` answers "presigned"); only a bucket can. */
  directUploads: boolean;
  /** Answer artifact downloads with 307 to a presigned GET; only a bucket can. */
  directDownloads: boolean;
  /** Lifetime of presigned upload URLs, and of download redirects. */
  uploadUrlSeconds: number;
  downloadUrlSeconds: number;
  /** Presigned uploads are cut into parts of this many bytes (at least 5 MiB). */
  partSize: number;
  /** MODELREG_BLOB_DIRECT_IO: uploads write local blob files past the page cache (O_DIRECT, direct-io.ts). */
  directIo: boolean;
}

const MIB = 1 << 20;

function flag(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: boolean
): boolean {
  const v = env[name]?.trim().toLowerCase();
  if (!v) {
    return fallback;
  }
  if (['1', 'true', 'yes', 'on'].includes(v)) {
    return true;
  }
  if (['0', 'false', 'no', 'off'].includes(v)) {
    return false;
  }
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

function positive(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min = 1
): number {
  const raw = env[name];
  if (!raw) {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return n;
}

export function parseBlobSettings(env: NodeJS.ProcessEnv): BlobSettings {
  const url = env.MODELREG_BLOB_URL?.trim() || null;
  if (url) {
    parseS3Url(url);
  } // fail at start, not at the first upload
  return {
    url,
    directUploads: flag(env, 'MODELREG_DIRECT_UPLOADS', true),
    directDownloads: flag(env, 'MODELREG_DIRECT_DOWNLOADS', true),
    uploadUrlSeconds: positive(
      env,
      'MODELREG_PRESIGN_UPLOAD_SECONDS',
      3600,
      60
    ),
    downloadUrlSeconds: positive(
      env,
      'MODELREG_PRESIGN_DOWNLOAD_SECONDS',
      300,
      10
    ),
    partSize: positive(env, 'MODELREG_UPLOAD_PART_SIZE', 32 * MIB, 5 * MIB),
    directIo: flag(env, 'MODELREG_BLOB_DIRECT_IO', true)
  };
}

/** The local directory under <data-dir>/blobs, or the bucket MODELREG_BLOB_URL names. */
export function openBlobStore(
  settings: BlobSettings,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env
): BlobStore {
  if (!settings.url) {
    return new LocalBlobStore(path.join(dataDir, 'blobs'), settings.directIo);
  }
  const s3 = s3Settings(env);
  // Required here, not imported: a local registry never loads the AWS SDK (seconds of start-up).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3BlobStore } = require('./s3') as typeof import('./s3');
  return new S3BlobStore(s3Client(s3), parseS3Url(settings.url), {
    partSize: settings.partSize,
    presignClient: s3.presignEndpoint
      ? s3Client(s3, s3.presignEndpoint)
      : undefined
  });
}

/** One line for the start-up log: where the bytes are. */
export function describeBlobStore(
  settings: BlobSettings,
  dataDir: string
): string {
  return settings.url ?? path.join(dataDir, 'blobs');
}

/** True for the bucket store; the maintenance commands then work on objects instead of files. */
export function isBucket(store: BlobStore): store is S3BlobStore {
  return store.kind === 's3';
}
