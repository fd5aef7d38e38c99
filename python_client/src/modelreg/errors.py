"""Typed exceptions. Each carries the server's machine ``code`` and a message saying what to do.

Every class also inherits the builtin that fits, so ``except LookupError`` or
``except PermissionError`` in user code keeps working.
"""

from typing import Optional


class RegistryError(Exception):
    """Base class of every error the client raises on purpose.

    Attributes:
        code: machine code, e.g. ``"NOT_FOUND"`` (the server's code when it sent one).
        message: human message saying what went wrong and what to do.
        status: HTTP status code, when the error came from a response.
    """

    default_code = "REGISTRY_ERROR"

    def __init__(self, message: str, code: Optional[str] = None, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.status = status

    def __str__(self) -> str:
        return self.message


class ValidationError(RegistryError, ValueError):
    """The server refused the request's content (400 ``VALIDATION_ERROR``, ``INVALID_SEMVER`` ...)."""

    default_code = "VALIDATION_ERROR"


class DigestMismatch(RegistryError, ValueError):
    """Bytes do not match their sha256: on upload (server) or after a download (client)."""

    default_code = "DIGEST_MISMATCH"


class Unauthenticated(RegistryError, PermissionError):
    """No valid token (401). Run ``modelreg login`` or set ``MODELREG_TOKEN``."""

    default_code = "UNAUTHENTICATED"


class PermissionDenied(RegistryError, PermissionError):
    """The token's user lacks the role for this action (403)."""

    default_code = "FORBIDDEN"


class NotFound(RegistryError, LookupError):
    """The model, candidate, version, alias or artifact does not exist, or is private (404)."""

    default_code = "NOT_FOUND"


class Conflict(RegistryError):
    """The request conflicts with the current state (409)."""

    default_code = "CONFLICT"


class VersionLocked(Conflict):
    """The candidate was promoted to a version; versions never change (409 ``VERSION_LOCKED``)."""

    default_code = "VERSION_LOCKED"


class VersionExists(Conflict):
    """That version number is already taken (409 ``VERSION_EXISTS``)."""

    default_code = "VERSION_EXISTS"


class ParamAlreadySet(Conflict):
    """A parameter keeps its first value (409 ``PARAM_ALREADY_SET``)."""

    default_code = "PARAM_ALREADY_SET"


class PayloadTooLarge(RegistryError, ValueError):
    """The server refused a body as too large (413)."""

    default_code = "PAYLOAD_TOO_LARGE"


class RateLimited(RegistryError):
    """Too many requests (429); retried automatically before this is raised."""

    default_code = "RATE_LIMITED"


class InsufficientStorage(RegistryError, OSError):
    """The registry's storage is full (507)."""

    default_code = "INSUFFICIENT_STORAGE"


class RegistryUnavailable(RegistryError, ConnectionError):
    """The registry could not be reached, or answered 5xx after retries."""

    default_code = "REGISTRY_UNAVAILABLE"


class NotConfigured(RegistryError):
    """No registry URL: set ``MODELREG_URL`` or run ``modelreg login``."""

    default_code = "MODELREG_NOT_CONFIGURED"


class OfflineCacheMiss(RegistryError, LookupError):
    """Offline mode, and the requested version is not in the local cache."""

    default_code = "OFFLINE_CACHE_MISS"


class SignatureMismatch(RegistryError, ValueError):
    """A version's signature does not verify against the pinned key, or does not match its content."""

    default_code = "SIGNATURE_MISMATCH"


# Server error code -> exception class. Codes not listed map by HTTP status, then to RegistryError.
ERRORS_BY_CODE = {
    "VALIDATION_ERROR": ValidationError,
    "INVALID_PATH": ValidationError,
    "INVALID_SEMVER": ValidationError,
    "DIGEST_MISMATCH": DigestMismatch,
    "BLOB_CORRUPT": DigestMismatch,  # the registry's own copy is damaged: an administrator must restore it
    "RANGE_NOT_SATISFIABLE": ValidationError,
    "UNAUTHENTICATED": Unauthenticated,
    "FORBIDDEN": PermissionDenied,
    "NOT_FOUND": NotFound,
    "VERSION_LOCKED": VersionLocked,
    "VERSION_EXISTS": VersionExists,
    "CONFLICT": Conflict,
    "PARAM_ALREADY_SET": ParamAlreadySet,
    "PAYLOAD_TOO_LARGE": PayloadTooLarge,
    "UNPROCESSABLE": ValidationError,
    "RATE_LIMITED": RateLimited,
    "INSUFFICIENT_STORAGE": InsufficientStorage,
    "INTERNAL": RegistryUnavailable,
}
ERRORS_BY_STATUS = {
    400: ValidationError,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: ValidationError,
    429: RateLimited,
    507: InsufficientStorage,
}
