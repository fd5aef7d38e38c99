import crypto from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ApiError } from '../errors';
import { blobKey, s3Failure, STAGING_DIR } from './s3-client';
import { ProxiedParts } from './s3-proxied-parts';
import {
  SHA256_HEX,
  type BlobStore,
  type DirectTransfers,
  type PresignedPart,
  type ReserveBlob,
  type StagedUpload
} from './store';
import { verifiedRead } from './verified-read';
import { scavengeAsBodyArrives } from './young-gc';

export interface S3Location {
  bucket: string;
  /** "" or a prefix ending in "/". */
  prefix: string;
}

/** S3 takes at most 10,000 parts, each at least 5 MiB (but the last); CopyObject at most 5 GiB. */
const MIN_PART = 5 << 20;
const MAX_PARTS = 10_000;
const MAX_COPY = 5 * 1024 ** 3;
const COPY_PART = 1024 ** 3;

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** Splits `size` bytes into part sizes: `partSize` each (raised when 10,000 would not suffice). */
export function partPlan(size: number, partSize: number): number[] {
  const each = Math.max(MIN_PART, partSize, Math.ceil(size / MAX_PARTS));
  if (size <= each) {
    return [size];
  }
  const parts: number[] = [];
  for (let done = 0; done < size; done += each) {
    parts.push(Math.min(each, size - done));
  }
  return parts;
}

/**
 * Blobs in an S3-compatible bucket under <prefix>sha256/ab/<hex>. Every upload is staged under
 * <prefix>uploads/<ms>-<random> and copied to its digest's key only after the registry hashed the
 * bytes, so a reader sees a whole, verified blob or none, and a lying client cannot plant bytes
 * under someone else's digest. Small proxied bodies skip the staging: they are hashed in memory
 * and PUT straight to their key with x-amz-checksum-sha256.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly direct: DirectTransfers;
  /** Told when a download finds an object whose bytes do not hash to its name (serve logs it). */
  onCorrupt?: (sha256: string, detail: string) => void;

  constructor(
    readonly client: S3Client,
    readonly location: S3Location,
    private readonly opts: { partSize: number; presignClient?: S3Client }
  ) {
    this.direct = directTransfers(
      this,
      opts.presignClient ?? client,
      opts.partSize
    );
  }

  get bucket(): string {
    return this.location.bucket;
  }

  keyOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) {
      throw new ApiError(
        'VALIDATION_ERROR',
        'a sha256 digest is 64 lowercase hex characters'
      );
    }
    return blobKey(this.location.prefix, sha256);
  }

  stagingKey(): string {
    return `${this.location.prefix}${STAGING_DIR}${Date.now()}-${crypto.randomBytes(8).toString('hex')}`;
  }

  async ping(): Promise<void> {
    await this.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Sends one command; S3's failures become 503 STORAGE_UNAVAILABLE with what the bucket said. */
  // The SDK's per-command generics do not survive a shared wrapper; callers name the output they read.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async send<T = unknown>(command: any): Promise<T> {
    try {
      return (await this.client.send(command)) as T;
    } catch (err) {
      throw s3Failure(err, this.bucket);
    }
  }

  async head(
    key: string
  ): Promise<{ size: number; lastModified: Date } | null> {
    try {
      const r = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key })
      );
      return {
        size: Number(r.ContentLength ?? 0),
        lastModified: r.LastModified ?? new Date(0)
      };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } })
        .$metadata?.httpStatusCode;
      if (status === 404 || (err as Error).name === 'NotFound') {
        return null;
      }
      throw s3Failure(err, this.bucket);
    }
  }

  async put(
    body: Readable,
    opts: { expectedSha256?: string; reserve?: ReserveBlob } = {}
  ): Promise<{ sha256: string; size: number }> {
    const hash = crypto.createHash('sha256');
    const parts = new ProxiedParts(this, this.stagingKey());
    const scavenge = scavengeAsBodyArrives();
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        await parts.write(chunk);
        scavenge(chunk.length);
      }
      interrupted(body);
      if (!parts.started) {
        // The whole body fit in the first part: hashed already, it is published in one PUT.
        const sha256 = checkDigest(hash.digest('hex'), opts.expectedSha256);
        await opts.reserve?.(sha256, size);
        if (!(await this.head(this.keyOf(sha256)))) {
          await this.orPublishedMeanwhile(sha256, () =>
            this.send(
              new PutObjectCommand({
                Bucket: this.bucket,
                Key: this.keyOf(sha256),
                Body: parts.pending(),
                ContentLength: size,
                ChecksumSHA256: b64(sha256)
              })
            )
          );
        }
        return { sha256, size };
      }
      await parts.complete();
    } catch (err) {
      await parts.abort();
      interrupted(body);
      throw s3Failure(err, this.bucket);
    }
    try {
      const sha256 = checkDigest(hash.digest('hex'), opts.expectedSha256);
      await opts.reserve?.(sha256, size);
      await this.publish(parts.key, sha256, size);
      return { sha256, size };
    } finally {
      await this.deleteKey(parts.key).catch(() => undefined);
    }
  }

  /** Copies verified staged bytes to their digest's key, unless an identical blob is there (dedup). */
  async publish(staged: string, sha256: string, size: number): Promise<void> {
    if (await this.head(this.keyOf(sha256))) {
      return;
    }
    await this.orPublishedMeanwhile(sha256, () =>
      this.copyToDigestKey(staged, sha256, size)
    );
  }

  /**
   * Runs a write of the digest's key; if it fails but the key is there now, another process published
   * the same verified bytes at the same moment (dedup), which is success. Some S3-compatible stores
   * fail one of two writers racing on one key instead of letting the last one win.
   */
  private async orPublishedMeanwhile(
    sha256: string,
    write: () => Promise<unknown>
  ): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (await this.head(this.keyOf(sha256)).catch(() => null)) {
        return;
      }
      throw err;
    }
  }

  private async copyToDigestKey(
    staged: string,
    sha256: string,
    size: number
  ): Promise<void> {
    const key = this.keyOf(sha256);
    const source = `${this.bucket}/${staged.split('/').map(encodeURIComponent).join('/')}`;
    if (size <= MAX_COPY) {
      await this.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: source
        })
      );
      return;
    }
    const mpu = await this.send<{ UploadId?: string }>(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key })
    );
    try {
      const parts: { PartNumber: number; ETag?: string }[] = [];
      for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
        const end = Math.min(size, start + COPY_PART) - 1;
        const r = await this.send<{ CopyPartResult?: { ETag?: string } }>(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: mpu.UploadId,
            PartNumber: n,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`
          })
        );
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await this.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: mpu.UploadId,
          MultipartUpload: { Parts: parts }
        })
      );
    } catch (err) {
      await this.abort(key, mpu.UploadId!).catch(() => undefined);
      throw err;
    }
  }

  async deleteKey(key: string): Promise<void> {
    await this.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async abort(key: string, uploadId: string): Promise<void> {
    await this.send(
      new AbortMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId
      })
    );
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    const h = await this.head(this.keyOf(sha256));
    return h ? { size: h.size } : null;
  }

  /** Objects have no cheap mtime to refresh: the database row's created_at is gc's lease (see ops/s3.ts). */
  async touch(sha256: string): Promise<{ size: number } | null> {
    return this.stat(sha256);
  }

  /** Streams an object (or a range of it); whole reads are hashed on the way out, like the local store's. */
  open(sha256: string, range?: { start: number; end: number }): Readable {
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    const abort = new AbortController();
    out.once('close', () => abort.abort());
    this.client
      .send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(sha256),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined
        }),
        { abortSignal: abort.signal }
      )
      .then(
        r => {
          const body = r.Body as Readable;
          const stages: NodeJS.ReadWriteStream[] = range
            ? []
            : [
                verifiedRead(sha256, (actual, bytes) =>
                  this.onCorrupt?.(sha256, `${bytes} bytes hash to ${actual}`)
                )
              ];
          pipeline([body, ...stages, out]).catch(err => out.destroy(err));
        },
        err => out.destroy(s3Failure(err, this.bucket))
      );
    return out;
  }

  /** An object's bytes as they are, unverified (verify, backup and the upload check hash them). */
  async readKey(key: string): Promise<Readable> {
    const r = await this.send<{ Body?: Readable }>(
      new GetObjectCommand({ Bucket: this.bucket, Key: key })
    );
    return r.Body as Readable;
  }

  /** Hashes a stored object by reading it back from the bucket. */
  async hashKey(key: string): Promise<{ sha256: string; size: number }> {
    const hash = crypto.createHash('sha256');
    let size = 0;
    for await (const chunk of await this.readKey(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  }

  /** Objects under <prefix><sub>, in key order. */
  async *listObjects(
    sub: string
  ): AsyncGenerator<{ key: string; size: number; lastModified: Date }> {
    let token: string | undefined;
    do {
      const r = await this.send<{
        Contents?: { Key?: string; Size?: number; LastModified?: Date }[];
        NextContinuationToken?: string;
        IsTruncated?: boolean;
      }>(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.location.prefix + sub,
          ContinuationToken: token
        })
      );
      for (const o of r.Contents ?? []) {
        yield {
          key: o.Key!,
          size: Number(o.Size ?? 0),
          lastModified: o.LastModified ?? new Date(0)
        };
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }

  /** Multipart uploads in progress under <prefix><sub>. */
  async *listMultipartUploads(
    sub: string
  ): AsyncGenerator<{ key: string; uploadId: string }> {
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const r = await this.send<{
        Uploads?: { Key?: string; UploadId?: string }[];
        IsTruncated?: boolean;
        NextKeyMarker?: string;
        NextUploadIdMarker?: string;
      }>(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: this.location.prefix + sub,
          KeyMarker: keyMarker,
          UploadIdMarker: idMarker
        })
      );
      for (const u of r.Uploads ?? []) {
        yield { key: u.Key!, uploadId: u.UploadId! };
      }
      if (!r.IsTruncated) {
        return;
      }
      keyMarker = r.NextKeyMarker;
      idMarker = r.NextUploadIdMarker;
    }
  }

  async listParts(
    upload: StagedUpload
  ): Promise<{ PartNumber: number; ETag?: string; Size?: number }[]> {
    const parts: { PartNumber: number; ETag?: string; Size?: number }[] = [];
    let marker: string | undefined;
    for (;;) {
      const r = await this.send<{
        Parts?: { PartNumber?: number; ETag?: string; Size?: number }[];
        IsTruncated?: boolean;
        NextPartNumberMarker?: string;
      }>(
        new ListPartsCommand({
          Bucket: this.bucket,
          Key: upload.key,
          UploadId: upload.multipartId!,
          PartNumberMarker: marker
        })
      );
      for (const p of r.Parts ?? []) {
        parts.push({ PartNumber: p.PartNumber!, ETag: p.ETag, Size: p.Size });
      }
      if (!r.IsTruncated) {
        return parts;
      }
      marker = r.NextPartNumberMarker;
    }
  }
}

function checkDigest(actual: string, expected: string | undefined): string {
  if (expected && expected !== actual) {
    throw new ApiError(
      'DIGEST_MISMATCH',
      `the body hashes to sha256 ${actual}, not ${expected} as X-Checksum-Sha256 says; the upload was discarded`
    );
  }
  return actual;
}

function interrupted(body: Readable): void {
  if (body.readableAborted) {
    throw new ApiError(
      'VALIDATION_ERROR',
      'the upload was interrupted before the body ended'
    );
  }
}

function directTransfers(
  store: S3BlobStore,
  presigner: S3Client,
  partSize: number
): DirectTransfers {
  const partUrl = (
    upload: StagedUpload,
    number: number,
    expiresSeconds: number
  ) =>
    getSignedUrl(
      presigner,
      new UploadPartCommand({
        Bucket: store.bucket,
        Key: upload.key,
        UploadId: upload.multipartId!,
        PartNumber: number
      }),
      { expiresIn: expiresSeconds }
    );
  return {
    async downloadUrl(sha256, { expiresSeconds, filename }) {
      return getSignedUrl(
        presigner,
        new GetObjectCommand({
          Bucket: store.bucket,
          Key: store.keyOf(sha256),
          ResponseContentType: 'application/octet-stream',
          ResponseContentDisposition: filename
            ? `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`
            : undefined
        }),
        { expiresIn: expiresSeconds }
      );
    },
    async startUpload(size) {
      const key = store.stagingKey();
      const plan = partPlan(size, partSize);
      if (plan.length === 1) {
        return { key, multipartId: null, partSize: plan[0] };
      }
      const r = await store.send<{ UploadId?: string }>(
        new CreateMultipartUploadCommand({ Bucket: store.bucket, Key: key })
      );
      return { key, multipartId: r.UploadId!, partSize: plan[0] };
    },
    async startPartsUpload(count, expiresSeconds) {
      if (!Number.isInteger(count) || count < 1 || count > MAX_PARTS) {
        throw new ApiError(
          'VALIDATION_ERROR',
          `an upload has 1 to ${MAX_PARTS} parts, not ${count}; raise the part size`
        );
      }
      const key = store.stagingKey();
      const r = await store.send<{ UploadId?: string }>(
        new CreateMultipartUploadCommand({ Bucket: store.bucket, Key: key })
      );
      const upload = { key, multipartId: r.UploadId!, partSize: 0 };
      const urls = [];
      for (let n = 1; n <= count; n++) {
        urls.push({ number: n, url: await partUrl(upload, n, expiresSeconds) });
      }
      return { upload, urls };
    },
    async partUrls(upload, size, expiresSeconds) {
      const plan = partPlan(size, upload.partSize);
      const parts: PresignedPart[] = [];
      for (let i = 0; i < plan.length; i++) {
        const url = upload.multipartId
          ? await partUrl(upload, i + 1, expiresSeconds)
          : await getSignedUrl(
              presigner,
              new PutObjectCommand({ Bucket: store.bucket, Key: upload.key }),
              { expiresIn: expiresSeconds }
            );
        parts.push({
          number: i + 1,
          size: plan[i],
          url
        });
      }
      return parts;
    },
    async uploadedParts(upload) {
      if (!upload.multipartId) {
        return new Set((await store.head(upload.key)) ? [1] : []);
      }
      return new Set((await store.listParts(upload)).map(p => p.PartNumber));
    },
    async completeUpload(upload, expected, reserve) {
      const declared = 'sha256' in expected ? expected : null;
      try {
        if (upload.multipartId) {
          const parts = await store.listParts(upload);
          const count = declared
            ? partPlan(declared.size, upload.partSize).length
            : (expected as { parts: number }).parts;
          const missing = Array.from(
            { length: count },
            (_s, i) => i + 1
          ).filter(n => !parts.some(p => p.PartNumber === n));
          if (missing.length) {
            throw new ApiError(
              'VALIDATION_ERROR',
              `parts ${missing.slice(0, 10).join(', ')} of the upload are not in the bucket yet; PUT them to their URLs, then complete again`
            );
          }
          await store.send(
            new CompleteMultipartUploadCommand({
              Bucket: store.bucket,
              Key: upload.key,
              UploadId: upload.multipartId,
              MultipartUpload: {
                Parts: parts
                  .filter(p => p.PartNumber <= count)
                  .map(p => ({ PartNumber: p.PartNumber, ETag: p.ETag }))
              }
            })
          );
        } else if (!(await store.head(upload.key))) {
          throw new ApiError(
            'VALIDATION_ERROR',
            'the file is not in the bucket yet; PUT it to the upload URL, then complete again'
          );
        }
      } catch (err) {
        throw err instanceof ApiError ? err : s3Failure(err, store.bucket);
      }
      // The registry's own verification pass: S3 checksums cannot prove a whole-file sha256.
      const actual = await store.hashKey(upload.key);
      if (
        declared &&
        (actual.sha256 !== declared.sha256 || actual.size !== declared.size)
      ) {
        await store.deleteKey(upload.key).catch(() => undefined);
        throw new ApiError(
          'DIGEST_MISMATCH',
          `the uploaded ${actual.size} bytes hash to sha256 ${actual.sha256}, not ${declared.sha256} (${declared.size} bytes) as declared; the upload was discarded and nothing was attached`
        );
      }
      try {
        await reserve(actual.sha256, actual.size);
        await store.publish(upload.key, actual.sha256, actual.size);
      } finally {
        await store.deleteKey(upload.key).catch(() => undefined);
      }
      return actual;
    },
    async abortUpload(upload) {
      if (upload.multipartId) {
        await store
          .abort(upload.key, upload.multipartId)
          .catch(() => undefined);
      }
      await store.deleteKey(upload.key).catch(() => undefined);
    }
  };
}
