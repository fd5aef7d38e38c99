"""The /modelreg routes: a streaming proxy to the registry and a status probe.

The browser talks only to Jupyter (its own login and XSRF checks apply); this module adds the registry
token on the way out, so the token never reaches the browser. The token is the Jupyter user's own
(``modelreg.config.resolve()``: that user's environment, as JupyterHub sets it per user, or their
``modelreg login``), and only the panel's routes pass (``routes.py``): never user or token administration;
the account page's routes (``users/<name>/tokens``, ``users/<name>/invitations``) only for the proxy's
own registry user, learned once per token from ``GET /api/v1/user``. Bodies stream both ways: uploads are fed
to the registry chunk by chunk as they arrive, downloads are written and flushed chunk by chunk, with
backpressure in both directions, so a multi-gigabyte artifact never sits whole in memory.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from modelreg.config import ResolvedConfig
from tornado import httputil, web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse
from tornado.simple_httpclient import SimpleAsyncHTTPClient

from .routes import TOKEN_BODY_LIMIT, TokenRequestRefused, is_token_creation, own_user_route, panel_route, token_request
from .settings import ModelregConfig

# Headers copied from the browser to the registry. Authorization and Cookie are Jupyter's own
# credentials and must never be forwarded.
REQUEST_HEADERS = (
    "Accept",
    "Content-Type",
    "Content-Length",
    "Range",
    "If-None-Match",
    "If-Range",
    "If-Modified-Since",
    "X-Checksum-Sha256",
    "X-Checksum-Deploy",
)
# Headers copied from the registry back to the browser.
RESPONSE_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Range",
    "Content-Disposition",
    "Accept-Ranges",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "X-Checksum-Sha256",
    "Retry-After",
)
UPLOAD_LIMIT = 1 << 40  # the registry enforces its own limit; Jupyter's 512 MB default must not
UPLOAD_QUEUE_CHUNKS = 16  # at most this many request chunks wait for the registry connection

NOT_CONFIGURED_MESSAGE = (
    "The modelreg registry is not configured for this Jupyter server. Set MODELREG_URL (and "
    "MODELREG_TOKEN) in the environment that starts `jupyter lab`, or run `modelreg login` "
    "(writes ~/.config/modelreg/config.json), or set c.ModelregConfig.url / .token; then reload."
)

STATUS_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "VALIDATION_ERROR",
    413: "PAYLOAD_TOO_LARGE",
}

_client: AsyncHTTPClient | None = None
# (registry URL, token) → the registry username of that token. A token's user never changes; a revoked
# token's requests are refused by the registry itself.
_identities: dict[tuple[str, str], str] = {}


def registry_client() -> AsyncHTTPClient:
    """One HTTP client for the proxy, with no body-size cap (bodies stream, they are not buffered)."""
    global _client
    if _client is None:
        _client = SimpleAsyncHTTPClient(force_instance=True, max_clients=32, max_body_size=1 << 42)
    return _client


def unreachable_message(target: ResolvedConfig, reason: str) -> str:
    return (
        f"The model registry at {target.url} is not answering ({reason}). Start it with `make start` "
        f"in the modelreg checkout, or check the registry URL (MODELREG_URL, set by {target.source}), "
        "then retry."
    )


class ModelregHandler(APIHandler):
    """Shared behaviour: errors in the registry's shape, `{"error": {"code", "message"}}`."""

    @property
    def modelreg_config(self) -> ModelregConfig:
        return self.settings["modelreg_config"]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = httputil.responses.get(status_code, "Unknown error")
        code = STATUS_CODES.get(status_code, "INTERNAL")
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ModelregError):
            code, message = exc.code, exc.message
        elif isinstance(exc, web.HTTPError):
            message = exc.log_message or message
            if status_code == 403:
                message = "Jupyter refused the request: log in to JupyterLab again (or reload the page) and retry."
        self.send_json_error(status_code, code, message)

    def send_json_error(self, status: int, code: str, message: str) -> None:
        self.clear()
        self.set_cors_headers()  # clear() dropped them; a cross-origin page must still read the error
        self.set_status(status)
        self.finish(json.dumps({"error": {"code": code, "message": message}}))


class ModelregError(web.HTTPError):
    """A proxy-side failure with the registry's error shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.code = code
        self.message = message


@web.stream_request_body
class RegistryProxyHandler(ModelregHandler):
    """`/modelreg/api/v1/<path>` → `<registry>/api/v1/<path>` with the server-side token."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")

    def initialize(self) -> None:
        self._body_queue: asyncio.Queue[bytes | None] | None = None
        self._upstream: asyncio.Future[HTTPResponse] | None = None
        self._header_lines: list[str] = []
        self._headers_applied = False
        self._buffered: bytearray | None = None  # a token creation's body, checked whole before it is sent
        self._buffer_overflow = False

    async def prepare(self) -> None:
        # Jupyter authenticates and checks XSRF here; only an authenticated request goes on.
        await super().prepare()
        if self._finished or self.request.method == "OPTIONS":
            return  # a CORS preflight is answered by APIHandler.options, never forwarded
        if not self.current_user:
            raise web.HTTPError(403)
        path = self._registry_path()
        named_user = own_user_route(self.request.method, path)
        if named_user is None and not panel_route(self.request.method, path):
            raise ModelregError(
                403,
                "PROXY_ROUTE_REFUSED",
                f"The JupyterLab proxy passes only the routes the modelreg panel uses; {self.request.method} "
                f"/api/v1/{self._registry_path()} is not one of them. User and token administration go to the "
                "registry directly (the `modelreg` CLI, e.g. `modelreg token create`), never through Jupyter.",
            )
        target = self.modelreg_config.resolve()
        if not target.configured:
            raise ModelregError(503, "MODELREG_NOT_CONFIGURED", NOT_CONFIGURED_MESSAGE)
        self._target = target
        if named_user is not None:
            await self._require_own_user(named_user)
        if is_token_creation(self.request.method, path):
            declared = int(self.request.headers.get("Content-Length") or 0)
            if declared > TOKEN_BODY_LIMIT:
                raise ModelregError(
                    413,
                    "PAYLOAD_TOO_LARGE",
                    f"A token request through JupyterLab is at most {TOKEN_BODY_LIMIT} bytes ({declared} declared).",
                )
            self._buffered = bytearray()
        elif self.request.method in self.BODY_METHODS:
            # Start the registry request now and feed it the body as it arrives.
            self.request.connection.set_max_body_size(UPLOAD_LIMIT)
            self._body_queue = asyncio.Queue(maxsize=UPLOAD_QUEUE_CHUNKS)
            self._upstream = asyncio.ensure_future(self._fetch(self._produce_body))

    async def _require_own_user(self, named_user: str) -> None:
        """Refuses a ``users/<name>/...`` route unless <name> is exactly the proxy's own registry user."""
        me = await self._registry_user()
        if named_user != me:
            raise ModelregError(
                403,
                "PROXY_ROUTE_REFUSED",
                f"The JupyterLab proxy manages only your own tokens and invitations (you are {json.dumps(me)} "
                f"at the registry); {self.request.method} /api/v1/{self._registry_path()} names another user. "
                "An instance admin manages other users' tokens with the `modelreg` CLI, never through Jupyter.",
            )

    async def _registry_user(self) -> str:
        """The registry username of the proxy's token, asked once per token (``GET /api/v1/user``)."""
        target = self._target
        if not target.token:
            raise ModelregError(
                401,
                "UNAUTHENTICATED",
                "Connected anonymously: an account has no tokens or invitations. Set MODELREG_TOKEN or run "
                "`modelreg login`, then reload.",
            )
        key = (target.url, target.token)
        if key not in _identities:
            try:
                who = await registry_client().fetch(
                    f"{target.url}/api/v1/user",
                    headers={"Accept": "application/json", "Authorization": f"Bearer {target.token}"},
                    connect_timeout=3,
                    request_timeout=10,
                    raise_error=False,
                )
            except (OSError, HTTPClientError) as exc:
                raise ModelregError(502, "REGISTRY_UNREACHABLE", unreachable_message(target, str(exc))) from exc
            username = _json_or_empty(who.body).get("username") if who.code == 200 else None
            if not isinstance(username, str):
                raise ModelregError(
                    401 if who.code in (401, 403) else 502,
                    "UNAUTHENTICATED" if who.code in (401, 403) else "REGISTRY_UNREACHABLE",
                    f"The registry did not say whose token the proxy holds (GET /api/v1/user: HTTP {who.code}). "
                    "Create a new token and set MODELREG_TOKEN, or run `modelreg login`, then reload.",
                )
            _identities[key] = username
        return _identities[key]

    async def data_received(self, chunk: bytes) -> None:
        if self._buffered is not None:
            # Count past the limit without keeping the rest: the refusal is sent once the body ends.
            if len(self._buffered) + len(chunk) > TOKEN_BODY_LIMIT:
                self._buffer_overflow = True
            else:
                self._buffered.extend(chunk)
            return
        await self._enqueue(chunk)

    async def _enqueue(self, item: bytes | None) -> None:
        """Hand a body chunk to the registry request; drop it if that request already ended."""
        if self._upstream is None or self._body_queue is None or self._upstream.done():
            return
        put = asyncio.ensure_future(self._body_queue.put(item))
        await asyncio.wait([put, self._upstream], return_when=asyncio.FIRST_COMPLETED)
        if not put.done():
            put.cancel()

    async def _produce_body(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        assert self._body_queue is not None
        while True:
            chunk = await self._body_queue.get()
            if chunk is None:
                return
            await write(chunk)

    def _registry_path(self) -> str:
        """The raw path below /api/v1/ (not tornado's decoded group, so escapes in artifact paths survive)."""
        prefix = url_path_join(self.base_url, "modelreg", "api", "v1") + "/"
        return self.request.path[len(prefix) :] if self.request.path.startswith(prefix) else ""

    def _upstream_url(self) -> str:
        url = f"{self._target.url}/api/v1/{self._registry_path()}"
        if self.request.query:
            url += "?" + self.request.query
        return url

    def _fetch(self, body_producer: Callable | None, body: bytes | None = None) -> Awaitable[HTTPResponse]:
        headers = httputil.HTTPHeaders()
        for name in REQUEST_HEADERS:
            value = self.request.headers.get(name)
            if value is not None and not (body is not None and name == "Content-Length"):
                headers[name] = value
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._target.token:
            headers["Authorization"] = f"Bearer {self._target.token}"
        if body_producer is not None and "Content-Length" not in headers and self.request.method == "DELETE":
            body_producer = None  # a DELETE without a declared body has none
        request = HTTPRequest(
            self._upstream_url(),
            method=self.request.method,
            headers=headers,
            body=body,
            body_producer=body_producer,
            header_callback=self._on_header_line,
            streaming_callback=self._on_chunk,
            follow_redirects=False,
            decompress_response=False,
            allow_nonstandard_methods=True,
            connect_timeout=10,
            request_timeout=self.modelreg_config.request_timeout,
        )
        return registry_client().fetch(request, raise_error=False)

    def _on_header_line(self, line: str) -> None:
        if line != "\r\n":
            self._header_lines.append(line)
            return
        start = httputil.parse_response_start_line(self._header_lines[0].strip())
        upstream = httputil.HTTPHeaders()
        for raw in self._header_lines[1:]:
            upstream.parse_line(raw)
        self._header_lines = []
        if start.code == 100:
            return
        self.clear()
        self.set_cors_headers()
        self.set_status(start.code, start.reason or None)
        for name in RESPONSE_HEADERS:
            value = upstream.get(name)
            if value is not None:
                self.set_header(name, value)
        self._headers_applied = True

    async def _on_chunk(self, chunk: bytes) -> None:
        # Awaiting the flush makes a slow browser slow down the registry read (tornado >= 6.2
        # awaits the streaming callback), so nothing piles up in memory.
        self.write(chunk)
        await self.flush()

    async def _finish_upstream(self, upstream: Awaitable[HTTPResponse]) -> None:
        try:
            response = await upstream
            failure = str(response.error) if response.code == 599 else None
        except (OSError, HTTPClientError) as exc:  # refused, DNS, reset: raised despite raise_error=False
            failure = str(exc) or type(exc).__name__
        if failure is not None or not self._headers_applied:
            if self._headers_written:
                # The registry connection broke mid-body: close rather than pretend the body is whole.
                self.request.connection.close()
                return
            raise ModelregError(
                502, "REGISTRY_UNREACHABLE", unreachable_message(self._target, failure or "no response")
            )
        self.finish()

    def finish(self, *args: Any, **kwargs: Any):
        # Keep the registry's Content-Type instead of APIHandler's forced application/json.
        self.update_api_activity()
        return JupyterHandler.finish(self, *args, **kwargs)

    async def _forward_without_body(self) -> None:
        await self._finish_upstream(self._fetch(None))

    async def _forward_with_body(self) -> None:
        if self._buffered is not None:
            await self._forward_token_creation()
            return
        await self._enqueue(None)
        assert self._upstream is not None
        await self._finish_upstream(self._upstream)

    async def _forward_token_creation(self) -> None:
        assert self._buffered is not None
        if self._buffer_overflow:
            raise ModelregError(
                413, "PAYLOAD_TOO_LARGE", f"A token request through JupyterLab is at most {TOKEN_BODY_LIMIT} bytes."
            )
        try:
            checked = token_request(bytes(self._buffered))
        except TokenRequestRefused as refused:
            raise ModelregError(refused.status, refused.code, refused.message) from None
        await self._finish_upstream(self._fetch(None, checked))

    @web.authenticated
    async def get(self, path: str) -> None:
        await self._forward_without_body()

    @web.authenticated
    async def head(self, path: str) -> None:
        await self._forward_without_body()

    @web.authenticated
    async def post(self, path: str) -> None:
        await self._forward_with_body()

    @web.authenticated
    async def put(self, path: str) -> None:
        await self._forward_with_body()

    @web.authenticated
    async def patch(self, path: str) -> None:
        await self._forward_with_body()

    @web.authenticated
    async def delete(self, path: str) -> None:
        await self._forward_with_body()

    def on_connection_close(self) -> None:
        # The browser went away: stop feeding and reading the registry request.
        if self._upstream is not None and not self._upstream.done():
            self._upstream.cancel()
        super().on_connection_close()


class StatusHandler(ModelregHandler):
    """`/modelreg/status`: is the registry configured and reachable, and who are we there."""

    @web.authenticated
    async def get(self) -> None:
        target = self.modelreg_config.resolve()
        status: dict[str, Any] = {
            "configured": target.configured,
            "url": target.url or None,
            "source": target.source or None,
            "reachable": False,
            "user": None,
            "message": "",
        }
        if not target.configured:
            status["message"] = NOT_CONFIGURED_MESSAGE
            self.finish(json.dumps(status))
            return
        headers = {"Accept": "application/json"}
        if target.token:
            headers["Authorization"] = f"Bearer {target.token}"
        try:
            health = await registry_client().fetch(
                f"{target.url}/api/v1/health", headers=headers, connect_timeout=3, request_timeout=5, raise_error=False
            )
        except (OSError, HTTPClientError) as exc:  # refused and DNS errors are raised, not returned as 599
            health = None
            reason = str(exc)
        else:
            reason = str(health.error) if health.code == 599 else f"HTTP {health.code}"
        if health is None or health.code != 200:
            status["message"] = unreachable_message(target, reason)
            self.finish(json.dumps(status))
            return
        status["reachable"] = True
        status["version"] = _json_or_empty(health.body).get("version")
        if not target.token:
            status["message"] = (
                "Connected anonymously: only public groups are visible and nothing can be logged. "
                "Set MODELREG_TOKEN or run `modelreg login`, then reload."
            )
        else:
            try:
                who = await registry_client().fetch(
                    f"{target.url}/api/v1/user",
                    headers=headers,
                    connect_timeout=3,
                    request_timeout=5,
                    raise_error=False,
                )
            except (OSError, HTTPClientError) as exc:
                status["reachable"] = False
                status["message"] = unreachable_message(target, str(exc))
                self.finish(json.dumps(status))
                return
            if who.code == 200:
                status["user"] = _json_or_empty(who.body).get("username")
                status["message"] = f"Connected to {target.url} as {status['user']}."
            else:
                error = _json_or_empty(who.body).get("error") or {}
                status["message"] = (
                    f"The registry rejected the configured token ({error.get('message') or who.code}). "
                    "Create a new token and set MODELREG_TOKEN, or run `modelreg login`, then reload."
                )
        self.finish(json.dumps(status))


def _json_or_empty(body: bytes | None) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def setup_handlers(web_app, config: ModelregConfig) -> None:
    base_url = web_app.settings["base_url"]
    web_app.settings["modelreg_config"] = config
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base_url, "modelreg", "status"), StatusHandler),
            (url_path_join(base_url, "modelreg", "api", "v1", "(.*)"), RegistryProxyHandler),
        ],
    )
