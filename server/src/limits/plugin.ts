import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { AuthThrottle } from './auth-throttle';
import type { Limits } from './config';
import { guardedBody } from './guarded-body';
import { jsonShapeGuard } from './json-scan';

/** Fastify constructor options that come from the limits (timeouts are set on Node's server). */
export function fastifyLimitOptions(limits: Limits) {
  const headersTimeout =
    limits.requestTimeoutMs > 0
      ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
      : limits.headersTimeoutMs;
  return {
    bodyLimit: limits.maxJsonBytes,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks headers/request timeouts on this interval; the default 30 s would let a slow
    // client hold a socket well past a short --headers-timeout-ms.
    http: {
      headersTimeout,
      connectionsCheckingInterval: Math.max(
        250,
        Math.min(5000, Math.floor(headersTimeout / 2))
      )
    }
  };
}

/** Where a NUL character hides in a parsed value (keys included), or null. PostgreSQL text cannot hold one. */
export function nulPath(value: unknown, where: string): string | null {
  const stack: Array<[unknown, string]> = [[value, where]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) {
        return at;
      }
      continue;
    }
    if (v === null || typeof v !== 'object') {
      continue;
    }
    for (const [k, child] of Object.entries(v as object)) {
      if (k.includes('\0')) {
        return `${at}/${k.replace(/\0/g, '\\0')}`;
      }
      stack.push([child, `${at}/${k}`]);
    }
  }
  return null;
}

const isJsonBody = (request: FastifyRequest) =>
  /^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '');

const isArtifactUpload = (request: FastifyRequest) =>
  request.method === 'PUT' &&
  (request.routeOptions.url ?? '').includes('/artifacts/');

function metricCount(request: FastifyRequest): number {
  const body = request.body as unknown;
  if (
    Array.isArray(body) &&
    (request.routeOptions.url ?? '').endsWith('/metrics')
  ) {
    return body.length;
  }
  const metrics =
    body && typeof body === 'object'
      ? (body as { metrics?: unknown }).metrics
      : undefined;
  return Array.isArray(metrics) ? metrics.length : 0;
}

/**
 * Body, JSON and artifact limits and connection caps. Returns the throttle of repeated
 * authentication failures, which the auth plugin applies.
 */
export function installLimits(
  app: FastifyInstance,
  limits: Limits
): AuthThrottle {
  if (limits.maxConnections > 0) {
    app.server.maxConnections = limits.maxConnections;
  }

  app.addHook('preParsing', async (request, _reply, payload) => {
    // An artifact is bytes, whatever its Content-Type says (a .json file is not a request body).
    if (!isArtifactUpload(request)) {
      return isJsonBody(request)
        ? payload.pipe(jsonShapeGuard(limits.maxJsonKeys, limits.maxJsonDepth))
        : payload;
    }
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (limits.maxArtifactBytes > 0 && declared > limits.maxArtifactBytes) {
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `the artifact (${declared} bytes) is larger than the server's limit of ${limits.maxArtifactBytes} bytes (--max-artifact-bytes)`
      );
    }
    return guardedBody(request.raw, limits.maxArtifactBytes);
  });

  // Keys and depth were bounded while the body streamed in (preParsing above); the parsed value is
  // walked for NUL characters only when the text has a "\\u0000" escape at all (security).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    jsonBodyParser(app)
  );

  app.addHook('preValidation', async request => {
    // The artifact path ('*') has its own check with its own code (INVALID_PATH).
    const { '*': _path, ...params } = (request.params ?? {}) as Record<
      string,
      unknown
    >;
    const body = request.body as unknown;
    const nul =
      nulPath(request.query, 'query') ??
      nulPath(params, 'path') ??
      (typeof body === 'string' ? nulPath(body, 'body') : null);
    if (nul) {
      throw nulError(nul);
    }
  });

  // After validation: a route's own schema (maxItems) speaks first; this is the operator's lower cap.
  app.addHook('preHandler', async request => {
    const n = metricCount(request);
    if (n > limits.maxMetricsPerBatch) {
      throw new ApiError(
        'PAYLOAD_TOO_LARGE',
        `${n} metrics in one request; the limit is ${limits.maxMetricsPerBatch} (--max-metrics-per-batch): send them in several batches`
      );
    }
  });

  // Failed authentications are counted by the auth plugin, which gets this throttle.
  return new AuthThrottle(limits.authFailureLimit, limits.authFailureWindowMs);
}

/**
 * The JSON body parser, with the NUL check; `keep` sees each body's text first (the MLflow layer
 * keeps it to quote rejected numbers as they were sent).
 */
export function jsonBodyParser(
  app: FastifyInstance,
  keep?: (request: FastifyRequest, text: string) => void
) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  return (
    request: FastifyRequest,
    text: string | Buffer,
    done: (err: Error | null, value?: unknown) => void
  ) => {
    keep?.(request, text as string);
    parseJson(request, text as string, (err: Error | null, value?: unknown) => {
      if (err) {
        done(err, undefined);
        return;
      }
      const nul = (text as string).includes('\\u0000')
        ? nulPath(value, 'body')
        : null;
      done(nul ? nulError(nul) : null, nul ? undefined : value);
    });
  };
}

function nulError(at: string): ApiError {
  return new ApiError(
    'VALIDATION_ERROR',
    `${at} contains a NUL character (\\u0000), which text here cannot hold; remove it`
  );
}
