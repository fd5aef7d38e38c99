import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from '../blobs/store';
import { ApiError } from '../errors';
import type { ArtifactEntry } from '../repos/artifacts';

/** Parses a single "bytes=a-b" range; multi-range and malformed headers fall back to the whole body. */
export function parseRange(
  header: string | undefined,
  size: number
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) {
    return null;
  }
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) {
    return null;
  }
  let start: number, end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) {
      return 'unsatisfiable';
    }
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) {
      return null;
    }
  }
  if (start >= size || size === 0) {
    return 'unsatisfiable';
  }
  return { start, end };
}

/** Streams an artifact with ETag = sha256 and Range support; the body is never buffered. */
export async function sendArtifact(
  request: FastifyRequest,
  reply: FastifyReply,
  blobs: BlobStore,
  entry: ArtifactEntry
) {
  const stored = await blobs.stat(entry.sha256);
  if (!stored) {
    throw new ApiError(
      'NOT_FOUND',
      `the bytes of "${entry.path}" (sha256 ${entry.sha256}) are missing from the blob store; ask an administrator to run verify`
    );
  }
  // (reliability) A size that differs is corruption found before any byte is sent.
  if (stored.size !== entry.size) {
    throw new ApiError(
      'BLOB_CORRUPT',
      `the bytes of "${entry.path}" (sha256 ${entry.sha256}) are corrupt on disk (${stored.size} bytes instead of ${entry.size}); ask an administrator to run verify and restore them`
    );
  }
  const etag = `"${entry.sha256}"`;
  reply
    .header('ETag', etag)
    .header('X-Checksum-Sha256', entry.sha256)
    .header('Accept-Ranges', 'bytes')
    .header('Content-Type', 'application/octet-stream')
    .header('Cache-Control', 'private, max-age=0, must-revalidate');
  const inm = request.headers['if-none-match'];
  // "*" matches any current representation (RFC 9110 13.1.2): the artifact exists, so 304.
  const tags = inm ? inm.split(',').map(s => s.trim().replace(/^W\//, '')) : [];
  if (tags.includes('*') || tags.includes(etag)) {
    return reply.status(304).send();
  }
  const ifRange = request.headers['if-range'];
  const range =
    ifRange && ifRange !== etag
      ? null
      : parseRange(request.headers.range, entry.size);
  if (range === 'unsatisfiable') {
    reply.header('Content-Range', `bytes */${entry.size}`);
    throw new ApiError(
      'RANGE_NOT_SATISFIABLE',
      `the range "${request.headers.range}" is outside the ${entry.size} bytes of "${entry.path}"`
    );
  }
  const direct = blobs.direct;
  if (direct && request.server.blobSettings.directDownloads && entry.size > 0) {
    // The bytes come from the bucket; the client checks them against X-Checksum-Sha256 as always.
    const url = await direct.downloadUrl(entry.sha256, {
      expiresSeconds: request.server.blobSettings.downloadUrlSeconds,
      filename: entry.path.slice(entry.path.lastIndexOf('/') + 1)
    });
    request.server.metrics.presigned.inc({ kind: 'download' });
    reply.removeHeader('Content-Type');
    return reply
      .status(307)
      .header('Location', url)
      .header('Cache-Control', 'no-store')
      .send();
  }
  const status = range ? 206 : 200;
  const length = range ? range.end - range.start + 1 : entry.size;
  if (range) {
    reply.header(
      'Content-Range',
      `bytes ${range.start}-${range.end}/${entry.size}`
    );
  }
  reply.status(status).header('Content-Length', length);
  if (blobs.prepareSend && entry.size > 0) {
    return sendFromRing(
      request,
      reply,
      blobs.prepareSend.bind(blobs),
      entry,
      range
    );
  }
  const count = (s: Readable) => request.server.metrics.countOut(s);
  if (range) {
    return reply.send(count(blobs.open(entry.sha256, range)));
  }
  return reply.send(entry.size === 0 ? '' : count(blobs.open(entry.sha256)));
}

/**
 * The local store's path: errors found before the first byte (quarantine, a short file, a small
 * blob that fails its hash) are ordinary error answers; then the reply is taken over from
 * Fastify and the bytes go to the socket from reused buffers, with the headers set above.
 */
async function sendFromRing(
  request: FastifyRequest,
  reply: FastifyReply,
  prepare: NonNullable<BlobStore['prepareSend']>,
  entry: ArtifactEntry,
  range: { start: number; end: number } | null
) {
  const send = await prepare(entry.sha256, entry.size, range ?? undefined);
  const metrics = request.server.metrics;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
  if (request.method === 'HEAD') {
    send.close();
    res.end();
    return;
  }
  const err = await send.pipeTo(res, n =>
    metrics.proxied.inc({ direction: 'out' }, n)
  );
  if (err) {
    metrics.blobErrors.inc({ op: 'open' });
    request.log.error({ err: err.message }, 'download cut short');
  }
}
