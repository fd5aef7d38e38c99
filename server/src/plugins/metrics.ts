import { pipeline, Transform, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { ApiError } from '../errors';
import type { BlobStore } from '../blobs/store';

type Labels = Record<string, string>;

const labelText = (labels: Labels) => {
  const keys = Object.keys(labels);
  if (!keys.length) {
    return '';
  }
  const esc = (v: string) =>
    v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${keys.map(k => `${k}="${esc(labels[k])}"`).join(',')}}`;
};

/** A Prometheus counter with labels; values per label set. */
class Counter {
  private readonly values = new Map<
    string,
    { labels: Labels; value: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const v = this.values.get(key);
    if (v) {
      v.value += by;
    } else {
      this.values.set(key, { labels, value: by });
    }
  }
  value(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`
    ];
    if (!this.values.size) {
      lines.push(`${this.name} 0`);
    }
    for (const { labels, value } of this.values.values()) {
      lines.push(`${this.name}${labelText(labels)} ${value}`);
    }
    return lines.join('\n');
  }
}

/** Latency buckets in seconds: from a cached card read to a multi-gigabyte transfer. */
const BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300
];

class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string
  ) {}
  observe(labels: Labels, seconds: number): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) {
        s!.counts[i]++;
      }
    });
    s.sum += seconds;
    s.count++;
  }
  render(): string {
    const lines = [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} histogram`
    ];
    for (const { labels, counts, sum, count } of this.series.values()) {
      BUCKETS.forEach((b, i) =>
        lines.push(
          `${this.name}_bucket${labelText({ ...labels, le: String(b) })} ${counts[i]}`
        )
      );
      lines.push(
        `${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`
      );
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

/** What one registry process counts; every process has its own (Prometheus sums them). */
export class Metrics {
  readonly requests = new Counter(
    'modelreg_http_requests_total',
    'HTTP requests by method, route and status'
  );
  readonly duration = new Histogram(
    'modelreg_http_request_duration_seconds',
    'HTTP request latency by method and route'
  );
  readonly bytesIn = new Counter(
    'modelreg_http_request_bytes_total',
    'request body bytes received (declared Content-Length)'
  );
  readonly bytesOut = new Counter(
    'modelreg_http_response_bytes_total',
    'response body bytes sent (declared Content-Length)'
  );
  readonly proxied = new Counter(
    'modelreg_artifact_bytes_proxied_total',
    'artifact bytes that passed through this process (direction="in" uploads, "out" downloads); presigned transfers add none'
  );
  readonly presigned = new Counter(
    'modelreg_artifact_presigned_total',
    'presigned transfers handed out (kind="upload" parts plans, "download" redirects)'
  );
  readonly blobErrors = new Counter(
    'modelreg_blob_store_errors_total',
    'blob store operations that failed on the store side, by operation'
  );

  /** Counts the bytes of a download as they really leave (an aborted transfer counts what was sent). */
  countOut(stream: Readable): Readable {
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.proxied.inc({ direction: 'out' }, chunk.length);
        cb(null, chunk);
      }
    });
    return pipeline(stream, counter, () => undefined);
  }
}

/** Failures that are the store's, not the client's (a digest mismatch or a missing blob is not an outage). */
function storeSide(err: unknown): boolean {
  if (!(err instanceof ApiError)) {
    return true;
  }
  return [
    'STORAGE_UNAVAILABLE',
    'INSUFFICIENT_STORAGE',
    'BLOB_CORRUPT',
    'INTERNAL'
  ].includes(err.code);
}

/** The same store, with its store-side failures counted in `metrics`. */
export function instrumentBlobs(store: BlobStore, metrics: Metrics): BlobStore {
  const count = (op: string) => (err: unknown) => {
    if (storeSide(err)) {
      metrics.blobErrors.inc({ op });
    }
    throw err;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') {
        return value;
      }
      const op = String(prop);
      if (op === 'open') {
        return (...args: unknown[]) => {
          try {
            const s = (value as (...a: unknown[]) => Readable).apply(
              target,
              args
            );
            s.once('error', err => {
              if (storeSide(err)) {
                metrics.blobErrors.inc({ op });
              }
            });
            return s;
          } catch (err) {
            return count(op)(err);
          }
        };
      }
      return (...args: unknown[]) => {
        const r = (value as (...a: unknown[]) => unknown).apply(target, args);
        return r instanceof Promise ? r.catch(count(op)) : r;
      };
    }
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Prometheus counters of this process, served at GET /metrics. */
    metrics: Metrics;
  }
}

async function outboxBacklog(app: FastifyInstance): Promise<number | null> {
  // The webhook outbox is optional (its migration may not exist): no table, no gauge.
  try {
    const r = await sql<{
      n: number | string;
    }>`select count(*) as n from outbox where delivered_at is null`.execute(
      app.db
    );
    return Number(r.rows[0]?.n ?? 0);
  } catch {
    return null;
  }
}

/**
 * GET /metrics in Prometheus' text format: requests by route and status with latency histograms,
 * bytes in and out, artifact bytes proxied, blob-store errors, the webhook outbox backlog.
 * MODELREG_METRICS_TOKEN, when set, must be sent as a bearer token.
 */
export function installMetrics(
  app: FastifyInstance,
  opts: { token: string | null }
): void {
  const metrics = new Metrics();
  // Both directions exist from the start, so "0 bytes proxied" is a sample, not a missing series.
  metrics.proxied.inc({ direction: 'in' }, 0);
  metrics.proxied.inc({ direction: 'out' }, 0);
  app.decorate('metrics', metrics);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    metrics.requests.inc({ method: request.method, route, status });
    metrics.duration.observe(
      { method: request.method, route },
      reply.elapsedTime / 1000
    );
    const inBytes = Number(request.headers['content-length'] ?? 0);
    if (inBytes > 0) {
      metrics.bytesIn.inc({ route }, inBytes);
    }
    const outBytes = Number(reply.getHeader('content-length') ?? 0);
    if (outBytes > 0) {
      metrics.bytesOut.inc({ route }, outBytes);
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (
      opts.token &&
      request.headers.authorization !== `Bearer ${opts.token}`
    ) {
      throw new ApiError(
        'UNAUTHENTICATED',
        'GET /metrics needs "Authorization: Bearer <MODELREG_METRICS_TOKEN>"'
      );
    }
    const parts = [
      metrics.requests,
      metrics.duration,
      metrics.bytesIn,
      metrics.bytesOut,
      metrics.proxied,
      metrics.presigned,
      metrics.blobErrors
    ].map(m => m.render());
    const backlog = await outboxBacklog(app);
    if (backlog !== null) {
      parts.push(
        `# HELP modelreg_outbox_backlog webhook events not yet delivered\n# TYPE modelreg_outbox_backlog gauge\nmodelreg_outbox_backlog ${backlog}`
      );
    }
    return reply
      .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      .send(parts.join('\n') + '\n');
  });
}
