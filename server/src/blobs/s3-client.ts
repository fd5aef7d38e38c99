import { ApiError } from '../errors';
import type { S3Location } from './s3';

/** `s3://bucket/some/prefix` → bucket and a prefix that is "" or ends in "/". */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) {
    throw new Error(
      `MODELREG_BLOB_URL must look like s3://bucket/prefix (bucket: 3-63 lowercase letters, digits, "." or "-"), got "${url}"`
    );
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some(p => p === '.' || p === '..')) {
    throw new Error(
      `MODELREG_BLOB_URL's prefix may not contain "." or ".." segments, got "${url}"`
    );
  }
  return { bucket: m[1], prefix: prefix ? `${prefix}/` : '' };
}

/** The SDK's standard settings, read once; an endpoint (MinIO, R2, Ceph, moto) means path-style URLs. */
export interface S3Settings {
  endpoint: string | null;
  region: string;
  /** Where presigned URLs point when clients reach the bucket by another address than the registry. */
  presignEndpoint: string | null;
  /** Static keys when AWS_ACCESS_KEY_ID is set; otherwise the SDK's chain (profile, instance role...). */
  credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  } | null;
}

export function s3Settings(env: NodeJS.ProcessEnv): S3Settings {
  return {
    endpoint: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || null,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    presignEndpoint: env.MODELREG_S3_PRESIGN_ENDPOINT || null,
    credentials: env.AWS_ACCESS_KEY_ID
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
          ...(env.AWS_SESSION_TOKEN
            ? { sessionToken: env.AWS_SESSION_TOKEN }
            : {})
        }
      : null
  };
}

const S3_MAX_ATTEMPTS = 6;

/** The SDK is loaded only for a bucket: a local registry does not carry it in memory. */
export function s3Client(settings: S3Settings, endpoint = settings.endpoint) {
  // This project runs on Node 20 on purpose; the SDK's notice about Node 22 is not the operator's to act on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3Client } =
    require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  return new S3Client({
    region: settings.region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // Checksums only where S3 requires them: many S3-compatible stores reject the SDK's default CRC32 trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Buckets answer 500/503 under bursts on one key (S3's SlowDown, moto's unlocked key buffers); a few
    // more retries with the SDK's backoff ride them out. AWS_MAX_ATTEMPTS, the SDK's own setting, wins.
    ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: S3_MAX_ATTEMPTS })
  });
}

/** A bucket that failed to answer becomes 503 STORAGE_UNAVAILABLE; ApiErrors pass through. */
export function s3Failure(err: unknown, bucket: string): Error {
  if (err instanceof ApiError) {
    return err;
  }
  const e = err as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.name === 'EntityTooSmall') {
    // The client's fault, not the bucket's: S3 wants every part but the last to be >= 5 MiB.
    return new ApiError(
      'VALIDATION_ERROR',
      'the bucket refused the parts: each but the last must be at least 5242880 bytes (5 MiB); upload again with larger parts'
    );
  }
  const status = e.$metadata?.httpStatusCode;
  const detail = `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`;
  return new ApiError(
    'STORAGE_UNAVAILABLE',
    `the artifact bucket "${bucket}" did not answer as expected (${detail}); check MODELREG_BLOB_URL, AWS_ENDPOINT_URL and the credentials, then retry`
  );
}

/** Keys under the prefix: blobs by digest, staged uploads named by their start time (gc ages them by it). */
export const blobKey = (prefix: string, sha256: string) =>
  `${prefix}sha256/${sha256.slice(0, 2)}/${sha256}`;
export const STAGING_DIR = 'uploads/';
export const stagedAt = (prefix: string, key: string): number | null => {
  const m = new RegExp(`^${escape(prefix + STAGING_DIR)}(\\d+)-`).exec(key);
  return m ? Number(m[1]) : null;
};
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
