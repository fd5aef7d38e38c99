import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import { AuthThrottle } from './auth-throttle';
import type { Limits } from './config';
import { guardedBody } from './guarded-body';

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

/** Depth of a parsed JSON value, without recursion (deep input must not overflow our own stack). */
export function jsonDepth(value: unknown, stopAt: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') {
      continue;
    }
    if (d > max) {
      max = d;
    }
    if (max > stopAt) {
      return max;
    }
    for (const child of Object.values(v as object)) {
      stack.push([child, d + 1]);
    }
  }
  return max;
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
 * Body, JSON and artifact limits, connection caps and slowing down of repeated authentication
 * failures. Install before auth: its onRequest hook must refuse throttled addresses first.
 */
export function installLimits(app: FastifyInstance, limits: Limits): void {
  if (limits.maxConnections > 0) {
    app.server.maxConnections = limits.maxConnections;
  }

  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!isArtifactUpload(request)) {
      return payload;
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

  app.addHook('preValidation', async request => {
    // The artifact path ('*') has its own check with its own code (INVALID_PATH).
    const { '*': _path, ...params } = (request.params ?? {}) as Record<
      string,
      unknown
    >;
    const body = request.body as unknown;
    const isJson =
      body !== null &&
      typeof body === 'object' &&
      typeof (body as { pipe?: unknown }).pipe !== 'function';
    const nul =
      nulPath(request.query, 'query') ??
      nulPath(params, 'path') ??
      (isJson ? nulPath(body, 'body') : null);
    if (nul) {
      throw new ApiError(
        'VALIDATION_ERROR',
        `${nul} contains a NUL character (\\u0000), which text here cannot hold; remove it`
      );
    }
    if (
      body === null ||
      typeof body !== 'object' ||
      typeof (body as { pipe?: unknown }).pipe === 'function'
    ) {
      return;
    }
    if (jsonDepth(body, limits.maxJsonDepth) > limits.maxJsonDepth) {
      throw new ApiError(
        'VALIDATION_ERROR',
        `the JSON body is nested deeper than ${limits.maxJsonDepth} levels (--max-json-depth); flatten it`
      );
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

  const throttle = new AuthThrottle(
    limits.authFailureLimit,
    limits.authFailureWindowMs
  );
  if (!throttle.enabled) {
    return;
  }
  app.addHook('onRequest', async (request, reply) => {
    if (!request.headers.authorization) {
      return;
    }
    const wait = throttle.retryAfter(request.ip);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      throw new ApiError(
        'RATE_LIMITED',
        `too many failed authentications from ${request.ip}; try again in ${wait} s with a valid token`
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401 && request.headers.authorization) {
      throttle.recordFailure(request.ip);
    }
  });
}
