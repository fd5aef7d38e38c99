"""Where the registry is and which token to send: the one lookup shared by the client, the CLI, the
kernel hook and the JupyterLab server extension (``jupyterlab_modelreg``), so the panel and the kernel
always talk to the same registry.

Order, first match wins:

1. explicit arguments (``Registry(url=..., token=...)``, ``modelreg --url``);
2. the environment: ``MODELREG_URL``, ``MODELREG_TOKEN``;
3. the config file ``$XDG_CONFIG_HOME/modelreg/config.json`` (mode 0600) written by ``modelreg login``:
   ``{"url": "http://127.0.0.1:8765", "token": "..."}``.

The token saved in the config file is sent only to the URL it was saved for: with ``MODELREG_URL``
pointing at another registry and no ``MODELREG_TOKEN``, no token is sent at all.

Example:
    >>> from modelreg import config
    >>> found = config.resolve()
    >>> found.url, found.source
    ('http://127.0.0.1:8765', 'environment')
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from . import constants

__all__ = ["ResolvedConfig", "resolve", "config_path", "read_config", "write_config"]

# The values of ``ResolvedConfig.source`` other than the config file's path.
SOURCE_ARGUMENT = "argument"
SOURCE_ENVIRONMENT = "environment"


@dataclass(frozen=True)
class ResolvedConfig:
    """The registry to talk to and the token to send it.

    Attributes:
        url: base URL without a trailing slash, or ``None`` when nothing is configured.
        token: the bearer token, or ``None`` to connect anonymously.
        source: where the URL came from: ``"argument"``, ``"environment"``, the config file's path,
            or ``""`` when nothing is configured.
    """

    url: Optional[str]
    token: Optional[str]
    source: str

    @property
    def configured(self) -> bool:
        return bool(self.url)


def config_path() -> Path:
    """Where ``modelreg login`` writes the URL and token."""
    return constants.config_dir() / constants.CONFIG_FILE_NAME


def read_config() -> Dict[str, str]:
    """The config file's string values, or ``{}`` when it is missing or unreadable."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def write_config(url: str, token: Optional[str]) -> Path:
    """Write the config file readable by its owner only, replacing it atomically."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"url": _normalize(url) or ""}
    if token:
        data["token"] = token
    tmp = path.with_suffix(".tmp")
    # Created 0600 from the start: the token must never be readable by others, not even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def _normalize(url: Optional[str]) -> Optional[str]:
    return (url or "").strip().rstrip("/") or None


def resolve(url: Optional[str] = None, token: Optional[str] = None) -> ResolvedConfig:
    """The registry URL and token: explicit arguments, else the environment, else the config file.

    Args:
        url: a registry base URL that overrides the environment and the config file.
        token: a token that overrides ``MODELREG_TOKEN`` and the saved one.

    Returns:
        A :class:`ResolvedConfig`; its ``url`` is ``None`` when nothing is configured.
    """
    saved = read_config()
    saved_url = _normalize(saved.get("url"))
    found = _normalize(url)
    source = SOURCE_ARGUMENT if found else ""
    if not found:
        found = _normalize(constants.registry_url())
        source = SOURCE_ENVIRONMENT if found else ""
    if not found and saved_url:
        found, source = saved_url, str(config_path())
    if token is None:
        token = constants.registry_token()
    if token is None and found and found == saved_url:
        token = saved.get("token") or None  # a saved token only goes to the registry it was saved for
    return ResolvedConfig(found, token or None, source)
