/**
 * The one error type of the extension: every failed registry call, proxy failure or kernel hook
 * error becomes one of these, carrying the server's machine `code` and its human `message`.
 */
export class ModelregError extends Error {
  constructor(
    /** Machine code, e.g. `VERSION_LOCKED`, `REGISTRY_UNREACHABLE`, `MODELREG_NOT_CONFIGURED`. */
    readonly code: string,
    message: string,
    /** HTTP status, 0 when the request never got an answer. */
    readonly status = 0
  ) {
    super(message);
    this.name = 'ModelregError';
  }
}
