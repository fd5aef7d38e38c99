"""Which registry routes the proxy passes: exactly those the panel uses (``src/api.ts``, ``src/cardApi.ts``).

Everything else, and above all user and token administration (``users/...``), webhooks, blob probes and
presigned uploads, is refused by the proxy before it reaches the registry, whoever the Jupyter user is:
a page script (or a cross-site request that got past Jupyter's checks) can do no more than the panel.
"""

from __future__ import annotations

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
    )
)


def panel_route(method: str, path: str) -> bool:
    """Whether ``method`` on ``/api/v1/<path>`` is one of the panel's routes."""
    if any(unquote(segment) in ("", ".", "..") for segment in path.split("/")):
        return False  # no empty or dot segment (%2e%2e too) may walk from an allowed prefix to another route
    return any(method in methods and pattern.fullmatch(path) for methods, pattern in PANEL_ROUTES)
