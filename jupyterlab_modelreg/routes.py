"""Which registry routes the proxy passes: exactly those the panel uses (``src/api.ts``, ``src/cardApi.ts``).

Everything else, and above all user and token administration (``users/...``), webhooks, blob probes and
presigned uploads, is refused by the proxy before it reaches the registry, whoever the Jupyter user is:
a page script (or a cross-site request that got past Jupyter's checks) can do no more than the panel.

The account page needs a few ``users/<username>/...`` routes (the user's own tokens and invitations):
``own_user_route`` names the username such a route acts on, and the handler passes it only when that is
the proxy's own registry user, so even a proxy holding an admin token never manages another user's
tokens. A token created through the proxy has at most the read and write scopes (``token_request``).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

_SEGMENT = r"[^/]+"
_MODEL = rf"models/{_SEGMENT}/{_SEGMENT}"
_READ = ("GET", "HEAD")

# (methods, path below /api/v1/ as a full-match regex). The path is the raw (still %-escaped) one.
PANEL_ROUTES: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (methods, re.compile(pattern))
    for methods, pattern in (
        (_READ, r"health|user|signing-key"),
        (_READ + ("POST",), r"groups"),  # POST: a new group, from the Log dialog
        (_READ + ("PATCH",), rf"groups/{_SEGMENT}"),  # PATCH: required card sections
        (_READ, rf"groups/{_SEGMENT}/members"),
        (("PUT", "DELETE"), rf"groups/{_SEGMENT}/members/{_SEGMENT}"),
        (_READ, r"models"),
        (("POST",), rf"models/{_SEGMENT}"),  # a new model
        (_READ + ("PATCH",), _MODEL),
        # Reads of a model: card, candidates, metrics, versions, signatures, aliases, compare, activity,
        # deployments and artifact bytes.
        (
            _READ,
            rf"{_MODEL}/(card(\.md)?|card/revisions(/\d+)?|candidates(/.*)?|versions(/.*)?|aliases(/.*)?"
            rf"|compare|activity|deployments(/{_SEGMENT})?)",
        ),
        (("PUT",), rf"{_MODEL}/card(\.md)?"),
        (("POST",), rf"{_MODEL}/candidates"),
        (("PATCH", "DELETE"), rf"{_MODEL}/candidates/\d+"),
        (("POST",), rf"{_MODEL}/candidates/\d+/metrics"),
        (("PUT", "DELETE"), rf"{_MODEL}/candidates/\d+/artifacts/.+"),
        (("POST",), rf"{_MODEL}/versions"),
        (("PATCH",), rf"{_MODEL}/versions/{_SEGMENT}"),  # release notes
        (("POST",), rf"{_MODEL}/versions/{_SEGMENT}/yank"),
        (("PUT", "DELETE"), rf"{_MODEL}/aliases/{_SEGMENT}"),
        (("POST",), rf"{_MODEL}/deployments"),
        (("PATCH",), rf"{_MODEL}/deployments/\d+"),  # a deployment's status
        (_READ + ("PUT",), rf"{_MODEL}/deployment-thresholds"),  # the card's monitoring thresholds
        # The registry takes the invitee from the token, so these act only on the proxy's own user.
        (("POST",), rf"groups/{_SEGMENT}/invitations/(accept|decline)"),
    )
)

# Routes below ``users/<username>/``: passed only when <username> is the proxy's own registry user.
_USER = r"users/(?P<username>[^/]+)"
OWN_USER_ROUTES: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (methods, re.compile(pattern))
    for methods, pattern in (
        (("GET", "POST"), rf"{_USER}/tokens"),
        (("DELETE",), rf"{_USER}/tokens/\d+"),
        (("GET",), rf"{_USER}/invitations"),
    )
)
TOKEN_CREATE = re.compile(rf"{_USER}/tokens")
TOKEN_BODY_LIMIT = 16 * 1024  # bytes; a token request is a name, an expiry and scopes
PROXY_SCOPES = ("read", "write")  # never admin: instance administration does not go through Jupyter


def _walks(path: str) -> bool:
    # No empty or dot segment (%2e%2e too) may walk from an allowed prefix to another route.
    return any(unquote(segment) in ("", ".", "..") for segment in path.split("/"))


def panel_route(method: str, path: str) -> bool:
    """Whether ``method`` on ``/api/v1/<path>`` is one of the panel's routes."""
    if _walks(path):
        return False
    return any(method in methods and pattern.fullmatch(path) for methods, pattern in PANEL_ROUTES)


def own_user_route(method: str, path: str) -> str | None:
    """The username that ``method`` on ``/api/v1/<path>`` acts on, if it is one of the account page's routes.

    The name is the raw segment: the handler compares it byte for byte with the proxy's own username, so
    an escaped (``%61dmin``) or differently cased spelling of that name is refused, never decoded.
    """
    if _walks(path):
        return None
    for methods, pattern in OWN_USER_ROUTES:
        match = pattern.fullmatch(path)
        if method in methods and match:
            return match["username"]
    return None


def is_token_creation(method: str, path: str) -> bool:
    """Whether the request creates a token: its body is checked (``token_request``) before it is sent."""
    return method == "POST" and TOKEN_CREATE.fullmatch(path) is not None


class TokenRequestRefused(ValueError):
    """A token creation the proxy does not pass; ``code`` and ``message`` go to the browser."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def token_request(body: bytes) -> bytes:
    """The body to send for a token creation through the proxy: read/write scopes at most, read+write by default.

    The body is parsed and written anew, so the registry sees exactly what was checked (no duplicate
    keys or other parser differences can smuggle another scope past this check).

    Raises:
        TokenRequestRefused: the body is too large, not a JSON object, or asks for another scope.
    """
    if len(body) > TOKEN_BODY_LIMIT:
        raise TokenRequestRefused(
            413,
            "PAYLOAD_TOO_LARGE",
            f"A token request through JupyterLab is at most {TOKEN_BODY_LIMIT} bytes ({len(body)} sent): "
            "send only a name, an expiry and scopes.",
        )
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        request = None
    if not isinstance(request, dict):
        raise TokenRequestRefused(
            400, "VALIDATION_ERROR", 'A token request is a JSON object such as {"name": "ci", "scopes": ["read"]}.'
        )
    scopes = request.get("scopes", list(PROXY_SCOPES))
    if not isinstance(scopes, list) or not all(scope in PROXY_SCOPES for scope in scopes):
        raise TokenRequestRefused(
            403,
            "PROXY_SCOPE_REFUSED",
            f"Through JupyterLab a token can have only the scopes {', '.join(PROXY_SCOPES)} (asked: "
            f"{json.dumps(scopes)}). Create an admin token directly against the registry: "
            "`modelreg token create --name NAME --scope admin`.",
        )
    request["scopes"] = scopes
    return json.dumps(request).encode()
