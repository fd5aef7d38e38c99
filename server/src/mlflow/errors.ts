import type { FastifyError } from 'fastify';
import { ApiError, type ErrorCode } from '../errors';

/** MLflow's error codes as its client reads them from `{"error_code", "message"}`. */
export type MlflowCode =
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_PARAMETER_VALUE'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'ENDPOINT_NOT_FOUND'
  | 'NOT_IMPLEMENTED'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'INTERNAL_ERROR';

// MLflow's own statuses, except INVALID_STATE: MLflow answers 500 for it, which its client retries
// for minutes and reports as a server fault; a locked run is the caller's mistake, so 400.
const STATUS: Record<MlflowCode, number> = {
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  ENDPOINT_NOT_FOUND: 404,
  NOT_IMPLEMENTED: 501,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500
};

export class MlflowError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: MlflowCode,
    message: string
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}

export const doesNotExist = (message: string) =>
  new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
export const invalidParam = (message: string) =>
  new MlflowError('INVALID_PARAMETER_VALUE', message);
export const alreadyExists = (message: string) =>
  new MlflowError('RESOURCE_ALREADY_EXISTS', message);

/** The registry's codes seen through MLflow's eyes; a code added later maps to INTERNAL_ERROR until listed here. */
const FROM_REGISTRY: Partial<Record<ErrorCode, MlflowCode>> = {
  VALIDATION_ERROR: 'INVALID_PARAMETER_VALUE',
  INVALID_PATH: 'INVALID_PARAMETER_VALUE',
  INVALID_SEMVER: 'INVALID_PARAMETER_VALUE',
  DIGEST_MISMATCH: 'INVALID_PARAMETER_VALUE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'PERMISSION_DENIED',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  VERSION_LOCKED: 'INVALID_STATE',
  CARD_INCOMPLETE: 'INVALID_STATE',
  VERSION_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  CONFLICT: 'RESOURCE_ALREADY_EXISTS',
  PARAM_ALREADY_SET: 'INVALID_PARAMETER_VALUE',
  PAYLOAD_TOO_LARGE: 'INVALID_PARAMETER_VALUE',
  RANGE_NOT_SATISFIABLE: 'INVALID_PARAMETER_VALUE',
  UNPROCESSABLE: 'INVALID_PARAMETER_VALUE',
  RATE_LIMITED: 'REQUEST_LIMIT_EXCEEDED',
  INSUFFICIENT_STORAGE: 'INTERNAL_ERROR',
  INTERNAL: 'INTERNAL_ERROR'
};

/** Any error thrown under the MLflow prefix, as MLflow's body and status; 5xx hide internals. */
export function toMlflowError(err: unknown): {
  status: number;
  body: { error_code: MlflowCode; message: string };
  internal: boolean;
} {
  let e: MlflowError;
  if (err instanceof MlflowError) {
    e = err;
  } else if (err instanceof ApiError) {
    e = new MlflowError(
      FROM_REGISTRY[err.code] ?? 'INTERNAL_ERROR',
      // MLflow's own text for a refused path is "Invalid path"; the registry's says why.
      err.code === 'INVALID_PATH' ? `Invalid path: ${err.message}` : err.message
    );
  } else {
    const fe = err as FastifyError;
    if (fe && fe.validation) {
      e = invalidParam(`invalid request: ${fe.message}`);
    } else if (
      fe &&
      typeof fe.statusCode === 'number' &&
      fe.statusCode >= 400 &&
      fe.statusCode < 500
    ) {
      e = new MlflowError(
        fe.statusCode === 413 ? 'INVALID_PARAMETER_VALUE' : 'BAD_REQUEST',
        fe.message
      );
    } else {
      e = new MlflowError(
        'INTERNAL_ERROR',
        'the registry failed to handle this request; its log has the details'
      );
      return {
        status: 500,
        body: { error_code: e.code, message: e.message },
        internal: true
      };
    }
  }
  return {
    status: e.statusCode,
    body: { error_code: e.code, message: e.message },
    internal: false
  };
}
