import type { components } from './generated/registry-api';

/**
 * Every code the registry answers with: the server's one list (server/src/errors.ts), carried as an
 * enum by its OpenAPI document into src/generated/registry-api.ts.
 */
export type RegistryErrorCode = components['schemas']['Error']['error']['code'];

/**
 * Codes of failures the registry does not answer with: Jupyter unreachable from the browser, the
 * Jupyter proxy unconfigured or unable to reach the registry, the kernel hook unable to run.
 */
export type ExtensionErrorCode =
  | 'NETWORK_ERROR'
  | 'ERROR'
  | 'SERVER_EXTENSION_MISSING'
  | 'REGISTRY_UNREACHABLE'
  | 'MODELREG_NOT_CONFIGURED'
  | 'NO_KERNEL'
  | 'UNSUPPORTED_KERNEL'
  | 'KERNEL_BUSY'
  | 'KERNEL_ERROR'
  | 'KERNEL_HOOK_NO_RESULT'
  | 'MODELREG_NOT_INSTALLED'
  | 'UPLOAD_KERNEL_LOST';

export type ErrorCode = RegistryErrorCode | ExtensionErrorCode;

/**
 * The one error type of the extension: every failed registry call, proxy failure or kernel hook
 * error becomes one of these, carrying the server's machine `code` and its human `message`.
 */
export class ModelregError extends Error {
  constructor(
    /**
     * Machine code, e.g. `VERSION_LOCKED`, `REGISTRY_UNREACHABLE`, `MODELREG_NOT_CONFIGURED`. The
     * kernel hook may also report the Python client's own codes (docs/jupyter-hook.md), hence the
     * open end.
     */
    readonly code: ErrorCode | (string & {}),
    message: string,
    /** HTTP status, 0 when the request never got an answer. */
    readonly status = 0
  ) {
    super(message);
    this.name = 'ModelregError';
  }
}

/** Codes that mean the registry (or Jupyter) is not answering: what was loaded before still holds. */
const OUTAGE_CODES: readonly string[] = [
  'REGISTRY_UNREACHABLE',
  'NETWORK_ERROR'
] satisfies ExtensionErrorCode[];

export function isOutage(error: unknown): boolean {
  return error instanceof ModelregError && OUTAGE_CODES.includes(error.code);
}
