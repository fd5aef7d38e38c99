"""Where the registry is and which token the proxy uses.

The browser never sees the token: it lives only here, on the Jupyter server. The lookup order follows
docs/jupyter-hook.md: MODELREG_URL / MODELREG_TOKEN win, then this traitlets config
(`c.ModelregConfig.url` / `.token`), then the client's config file written by `modelreg login`.
It is resolved on every request (the file read is cached by mtime), so logging in after JupyterLab
started takes effect without a restart.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from traitlets import Unicode
from traitlets.config import Configurable


@dataclass(frozen=True)
class RegistryTarget:
    """The resolved registry address and credential, plus where they came from."""

    url: str
    token: str
    source: str

    @property
    def configured(self) -> bool:
        return bool(self.url)


def config_file_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "modelreg" / "config.json"


_file_cache: dict[str, tuple[float, dict]] = {}


def _read_config_file() -> dict:
    path = config_file_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return {}
    cached = _file_cache.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    _file_cache[str(path)] = (mtime, data)
    return data


class ModelregConfig(Configurable):
    """Jupyter server settings for the modelreg proxy."""

    url = Unicode("", config=True, help="Registry base URL, e.g. http://127.0.0.1:8765").tag(config=True)
    token = Unicode("", config=True, help="Registry API token used by the proxy (never sent to the browser)").tag(
        config=True
    )
    request_timeout = 3600.0  # seconds: large artifact transfers go through the proxy

    def resolve(self) -> RegistryTarget:
        """The registry to talk to. MODELREG_TOKEN wins; otherwise the token comes from the same place as
        the URL, so a token meant for one registry is never sent to another."""
        env_url = os.environ.get("MODELREG_URL", "").strip().rstrip("/")
        env_token = os.environ.get("MODELREG_TOKEN", "").strip()
        if env_url:
            return RegistryTarget(env_url, env_token, "environment")
        if self.url:
            return RegistryTarget(self.url.rstrip("/"), env_token or self.token, "jupyter config")
        data = _read_config_file()
        url = str(data.get("url") or "").strip().rstrip("/")
        token = env_token or str(data.get("token") or "")
        return RegistryTarget(url, token, str(config_file_path()) if url else "")
