import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand
} from '@aws-sdk/client-s3';
import type { S3BlobStore } from './s3';

/**
 * Parts of a proxied upload are this large, and one is on its way to the bucket while the next
 * fills: the registry holds 2 x PROXY_PART bytes per upload whatever the file's size (proxied files
 * up to 10,000 parts, 78 GiB). A second part in flight measured +8 MiB of RSS for no gain against a
 * bucket whose client is the bottleneck; presigned uploads are the fast path for large files.
 */
export const PROXY_PART = 8 << 20;
const PROXY_QUEUE = 1;

/**
 * A proxied body on its way to a staging key as a multipart upload. Incoming chunks are copied into
 * a few part buffers allocated once and reused, so the socket's chunks die young and nothing else
 * piles up (lib-storage's Upload concatenated each part anew and kept ~100 MiB in flight). The
 * multipart upload starts only once a second part is needed: a body that fits in one part is left
 * in `pending()` for a single PUT.
 */
export class ProxiedParts {
  private readonly free: Buffer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sent: { PartNumber: number; ETag?: string }[] = [];
  private current: Buffer;
  private fill = 0;
  private uploadId: string | null = null;
  private failure: unknown = null;
  private allocated = 1;
  private nextNumber = 1;

  constructor(
    private readonly store: S3BlobStore,
    readonly key: string
  ) {
    this.current = Buffer.allocUnsafeSlow(PROXY_PART);
  }

  get started(): boolean {
    return this.uploadId !== null;
  }

  /** The bytes not sent yet (all of them while the upload has not started). */
  pending(): Buffer {
    return this.current.subarray(0, this.fill);
  }

  /** Copies a chunk in; resolves once it is copied (later while every part buffer is on its way). */
  async write(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.fill === PROXY_PART) {
        await this.flush();
      }
      const n = chunk.copy(this.current, this.fill, offset);
      this.fill += n;
      offset += n;
    }
  }

  /** Sends the last part, waits for all of them, and completes the multipart upload. */
  async complete(): Promise<void> {
    if (this.fill > 0) {
      this.sendCurrent();
    }
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    this.sent.sort((a, b) => a.PartNumber - b.PartNumber);
    await this.store.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.store.bucket,
        Key: this.key,
        UploadId: this.uploadId!,
        MultipartUpload: { Parts: this.sent }
      })
    );
  }

  /** Lets the parts on their way settle, then drops the multipart upload (gc would otherwise). */
  async abort(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    if (this.uploadId) {
      await this.store
        .send(
          new AbortMultipartUploadCommand({
            Bucket: this.store.bucket,
            Key: this.key,
            UploadId: this.uploadId
          })
        )
        .catch(() => undefined);
    }
  }

  private async flush(): Promise<void> {
    if (!this.uploadId) {
      const r = await this.store.send<{ UploadId?: string }>(
        new CreateMultipartUploadCommand({
          Bucket: this.store.bucket,
          Key: this.key
        })
      );
      this.uploadId = r.UploadId!;
    }
    this.sendCurrent();
    while (!this.free.length && this.allocated > PROXY_QUEUE) {
      await Promise.race(this.inFlight);
      this.throwIfFailed();
    }
    this.throwIfFailed();
    if (this.free.length) {
      this.current = this.free.pop()!;
    } else {
      this.current = Buffer.allocUnsafeSlow(PROXY_PART);
      this.allocated++;
    }
    this.fill = 0;
  }

  private sendCurrent(): void {
    const buffer = this.current;
    const number = this.nextNumber++;
    const sending: Promise<void> = this.store
      .send<{ ETag?: string }>(
        new UploadPartCommand({
          Bucket: this.store.bucket,
          Key: this.key,
          UploadId: this.uploadId!,
          PartNumber: number,
          Body: buffer.subarray(0, this.fill),
          ContentLength: this.fill
        })
      )
      .then(
        r => {
          this.sent.push({ PartNumber: number, ETag: r.ETag });
        },
        err => {
          this.failure ??= err;
        }
      )
      .finally(() => {
        this.inFlight.delete(sending);
        this.free.push(buffer);
      });
    this.inFlight.add(sending);
  }

  private throwIfFailed(): void {
    if (this.failure) {
      throw this.failure;
    }
  }
}
