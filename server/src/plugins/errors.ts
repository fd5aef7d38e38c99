import http from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest
} from 'fastify';
import { isUniqueViolation } from '../db/connect';
import { ApiError, type ErrorCode } from '../errors';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  416: 'RANGE_NOT_SATISFIABLE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED'
};

/**
 * Errors Node's HTTP parser finds before Fastify sees a request (431 header overflow, 408,
 * malformed request lines): written straight to the socket, in the registry's error shape.
 */
export function clientErrorHandler(
  err: NodeJS.ErrnoException,
  socket: Socket
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }
  let status = 400;
  let code: ErrorCode = 'VALIDATION_ERROR';
  let message = `the request is malformed HTTP (${err.code ?? 'parse error'}); nothing was done`;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    code = 'HEADERS_TOO_LARGE';
    message =
      'the request headers are larger than the server accepts (16 KiB in total); send fewer or shorter headers';
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    code = 'REQUEST_TIMEOUT';
    message =
      'the request did not arrive in time (--headers-timeout-ms / --request-timeout-ms); retry';
  }
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`
    );
  }
  socket.destroy(err);
}

/** Router-level errors (a malformed %-escape in the URL) in the registry's error shape. */
export function frameworkErrors(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply
): void {
  const badUrl = err.code === 'FST_ERR_BAD_URL';
  reply.status(400).send({
    error: {
      code: badUrl ? 'INVALID_PATH' : 'VALIDATION_ERROR',
      message: badUrl
        ? 'the URL has a malformed %-escape (a "%" must be followed by two hex digits; send "%25" for a literal "%")'
        : err.message
    }
  });
}

/** The one error handler: every error body is {error: {code, message}}; 5xx hide internals and log them. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // (reliability) A download's stream can fail before its first byte, after the route set binary headers.
    if (
      String(reply.getHeader('content-type') ?? '').startsWith(
        'application/octet-stream'
      )
    ) {
      for (const h of [
        'etag',
        'x-checksum-sha256',
        'accept-ranges',
        'content-length'
      ]) {
        reply.removeHeader(h);
      }
      reply.header('content-type', 'application/json; charset=utf-8');
    }
    if (err instanceof ApiError) {
      return reply
        .status(err.statusCode)
        .send({ error: { code: err.code, message: err.message } });
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      const message = err.message.startsWith(where)
        ? err.message
        : `${where} ${err.message}`;
      return reply
        .status(400)
        .send({ error: { code: 'VALIDATION_ERROR', message } });
    }
    if (
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      err instanceof SyntaxError ||
      err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
    ) {
      return reply.status(400).send({
        error: {
          code: 'VALIDATION_ERROR',
          message: `the request body is not valid JSON: ${err.message}`
        }
      });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({
        error: {
          code: 'VALIDATION_ERROR',
          message: `${err.message}; send Content-Type: application/json`
        }
      });
    }
    // (reliability) A full disk is the operator's to fix, and the upload left nothing behind.
    if (['ENOSPC', 'EDQUOT', 'SQLITE_FULL'].includes(String(err.code))) {
      request.log.error({ err }, 'storage full');
      return reply.status(507).send({
        error: {
          code: 'INSUFFICIENT_STORAGE',
          message:
            "the server's storage is full; nothing was kept; retry after an administrator frees space"
        }
      });
    }
    if (isUniqueViolation(err)) {
      return reply.status(409).send({
        error: {
          code: 'CONFLICT',
          message: 'that name is already taken here'
        }
      });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({
        error: {
          code: CODE_BY_STATUS[status] ?? 'VALIDATION_ERROR',
          message: err.message
        }
      });
    }
    request.log.error({ err }, 'internal error');
    return reply.status(500).send({
      error: {
        code: 'INTERNAL',
        message: 'internal server error; the server log has the details'
      }
    });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${request.url.split('?')[0]}; see /api/v1/docs`
      }
    });
  });
}
