/**
 * Every error the API answers with has a machine code and a message a user can act on. The codes are
 * one list: the OpenAPI document carries it as an enum on the error schema, so the extension's
 * generated types share it.
 */
export const ERROR_CODES = [
  'VALIDATION_ERROR',
  'INVALID_PATH',
  'INVALID_SEMVER',
  'DIGEST_MISMATCH',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'VERSION_LOCKED',
  'VERSION_EXISTS',
  'CONFLICT',
  'CARD_INCOMPLETE',
  'PARAM_ALREADY_SET',
  'PAYLOAD_TOO_LARGE',
  'RANGE_NOT_SATISFIABLE',
  'UNPROCESSABLE',
  'RATE_LIMITED',
  'INSUFFICIENT_STORAGE',
  'INTERNAL',
  'BLOB_CORRUPT',
  'HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'STORAGE_UNAVAILABLE',
  'NOT_READY'
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  INVALID_PATH: 400,
  INVALID_SEMVER: 400,
  DIGEST_MISMATCH: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VERSION_LOCKED: 409,
  VERSION_EXISTS: 409,
  CONFLICT: 409,
  CARD_INCOMPLETE: 409,
  PARAM_ALREADY_SET: 409,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INSUFFICIENT_STORAGE: 507,
  INTERNAL: 500,
  BLOB_CORRUPT: 500,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  STORAGE_UNAVAILABLE: 503,
  NOT_READY: 503
};

export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}

export const notFound = (what: string) =>
  new ApiError('NOT_FOUND', `${what} not found`);
export const badRequest = (message: string) =>
  new ApiError('VALIDATION_ERROR', message);
export const versionLocked = (what: string) =>
  new ApiError(
    'VERSION_LOCKED',
    what.startsWith('version')
      ? `${what} is locked: a version never changes; promote a new candidate as a new version instead`
      : `${what} is locked because it was promoted to a version; log a new candidate instead`
  );
