"""The one HTTP chokepoint: auth, retries with backoff, byte counters, and ``_raise_for_status``."""

import json
import platform
import time
from typing import IO, Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

import requests

from . import constants
from .errors import ERRORS_BY_CODE, ERRORS_BY_STATUS, RegistryError, RegistryUnavailable

__version__ = "0.1.0"

# Methods a repeat cannot harm. PUT of an artifact is idempotent: same path, same bytes.
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

Body = Union[bytes, IO[bytes], None]


class TransferStats:
    """Artifact bytes this client sent (upload bodies) and received (downloads); JSON is not counted.

    Tests and benchmarks read it to prove, for example, that an upload the server could
    deduplicate sent no bytes, or that a warm pull downloaded nothing.
    """

    def __init__(self) -> None:
        self.bytes_sent = 0
        self.bytes_received = 0
        self.requests: List[Tuple[str, str, Optional[str]]] = []

    def record(self, method: str, path: str, range_header: Optional[str]) -> None:
        self.requests.append((method, path, range_header))
        del self.requests[:-200]  # only the recent ones matter; keep memory flat


class _CountingReader:
    """A file wrapper that counts what requests reads from it (and so sends)."""

    def __init__(self, raw: IO[bytes], length: int, stats: TransferStats, on_read: Optional[Callable[[int], None]]):
        self._raw = raw
        self._length = length
        self._stats = stats
        self._on_read = on_read

    def __len__(self) -> int:  # lets requests send Content-Length instead of chunked encoding
        return self._length

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(constants.CHUNK_SIZE if size is None or size < 0 else max(size, constants.CHUNK_SIZE))
        self._stats.bytes_sent += len(chunk)
        if self._on_read is not None and chunk:
            self._on_read(len(chunk))
        return chunk


def _raise_for_status(response: requests.Response) -> None:
    """Raise the typed error matching the server's ``{"error": {"code", "message"}}`` body.

    Raises:
        RegistryError: a subclass chosen by the server's code, else by the HTTP status.
    """
    if response.status_code < 400:
        return
    code: Optional[str] = None
    message: Optional[str] = None
    try:
        payload = response.json()
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            code = error.get("code")
            message = error.get("message")
    except ValueError:
        pass
    status = response.status_code
    method = response.request.method if response.request is not None else "?"
    where = f"{method} {response.url}"
    if not message:
        message = f"The registry answered HTTP {status} to {where}"
    if status == 401:
        message += ". Run `modelreg login` or set MODELREG_TOKEN to a valid token."
    cls = ERRORS_BY_CODE.get(code or "") or ERRORS_BY_STATUS.get(status)
    if cls is None:
        cls = RegistryUnavailable if status >= 500 else RegistryError
    raise cls(message, code=code, status=status)


def _nothing_was_sent(error: requests.RequestException) -> bool:
    """True when the connection failed before the request left, so even a POST may be retried."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    text = repr(error)
    return "NewConnectionError" in text or "Connection refused" in text


def unreachable(base_url: str, error: Exception) -> RegistryUnavailable:
    reason = error.__class__.__name__
    return RegistryUnavailable(
        f"Cannot reach the model registry at {base_url} ({reason}). Is the server running? "
        "Check MODELREG_URL or run `modelreg login --url ...`."
    )


class HttpClient:
    """Sends requests to one registry, with the token, retries and byte counting.

    Args:
        base_url: the registry root, e.g. ``http://127.0.0.1:8765`` (no ``/api/v1``).
        token: personal access token, or None for anonymous reads of public groups.
    """

    def __init__(self, base_url: str, token: Optional[str]) -> None:
        self.base_url = base_url.rstrip("/")
        self.stats = TransferStats()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"modelreg-python/{__version__} python/{platform.python_version()}"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        """Absolute URL for an API path like ``/models/acme/churn``."""
        return f"{self.base_url}{constants.API_PREFIX}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        body: Optional[Callable[[], Tuple[Body, int]]] = None,
        headers: Optional[Dict[str, str]] = None,
        stream: bool = False,
        on_sent: Optional[Callable[[int], None]] = None,
        raise_for_status: bool = True,
        allow_redirects: bool = True,
        timeout: Optional[float] = None,
    ) -> requests.Response:
        """Send one request, retrying transient failures with exponential backoff.

        Args:
            method: HTTP method.
            path: API path below ``/api/v1``.
            params: query parameters.
            json_body: a JSON-serialisable body.
            body: a factory returning ``(bytes or file, length)``; called again for each retry
                so a file body restarts from its beginning.
            headers: extra headers.
            stream: leave the response body unread (downloads).
            on_sent: called with the size of each chunk of ``body`` as it is sent (progress).
            raise_for_status: raise typed errors for 4xx/5xx (default).
            allow_redirects: follow redirects; downloads say False and follow a bucket redirect themselves.

        Returns:
            The response.

        Raises:
            RegistryUnavailable: the registry could not be reached after retries.
            RegistryError: a subclass matching the server's error code.
        """
        method = method.upper()
        headers = dict(headers or {})
        retry_on_connection_error = method in _IDEMPOTENT
        url = self.url(path)
        last_error: Optional[Exception] = None
        for attempt in range(constants.MAX_RETRIES + 1):
            data: Body = None
            opened: Optional[IO[bytes]] = None
            if json_body is not None:
                data = json.dumps(json_body).encode("utf-8")
                headers["Content-Type"] = "application/json"
            elif body is not None:
                raw, length = body()
                if isinstance(raw, bytes):
                    data = raw
                    self.stats.bytes_sent += len(raw)
                else:
                    opened = raw
                    data = _CountingReader(raw, length, self.stats, on_sent)  # type: ignore[assignment]
            self.stats.record(method, path, headers.get("Range"))
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=headers,
                    stream=stream,
                    timeout=timeout or constants.REQUEST_TIMEOUT_SECONDS,
                    allow_redirects=allow_redirects,
                )
            except requests.RequestException as error:
                last_error = error
                refused = _nothing_was_sent(error)
                # A refused connection is retried briefly (a restarting server); a reset one fully.
                limit = min(2, constants.MAX_RETRIES) if refused else constants.MAX_RETRIES
                if attempt < limit and (retry_on_connection_error or refused):
                    time.sleep(constants.RETRY_BACKOFF_SECONDS * 2**attempt)
                    continue
                raise unreachable(self.base_url, error) from error
            finally:
                if opened is not None:
                    opened.close()
            # 502/503 mean the request never reached the registry; 504 and 429 are only safe to repeat
            # when repeating cannot duplicate anything.
            retryable = response.status_code in (502, 503) or (
                response.status_code in (429, 504) and method in _IDEMPOTENT
            )
            if retryable and attempt < constants.MAX_RETRIES:
                delay = _retry_after(response) or constants.RETRY_BACKOFF_SECONDS * 2**attempt
                response.close()
                time.sleep(delay)
                continue
            if raise_for_status:
                try:
                    _raise_for_status(response)
                except RegistryError:
                    response.close()
                    raise
            return response
        raise unreachable(self.base_url, last_error or RuntimeError("retries exhausted"))  # pragma: no cover

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request and decode its JSON body (None for 204)."""
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise RegistryError(
                f"The registry at {self.base_url} answered {method} {path} with something that is not JSON. "
                "Is MODELREG_URL the registry's root URL?",
                code="BAD_RESPONSE",
            ) from error

    def paginate(self, path: str, params: Optional[Mapping[str, Any]] = None, limit: Optional[int] = None) -> List[Any]:
        """Follow ``next_cursor`` and return all items (or the first ``limit``)."""
        query = dict(params or {})
        items: List[Any] = []
        while True:
            if limit is not None:
                query["limit"] = min(500, limit - len(items))
            page = self.json("GET", path, params=query)
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor or (limit is not None and len(items) >= limit):
                return items
            query["cursor"] = cursor


def _retry_after(response: requests.Response) -> Optional[float]:
    value = response.headers.get("Retry-After")
    try:
        return min(30.0, float(value)) if value else None
    except ValueError:
        return None
