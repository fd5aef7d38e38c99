"""Where the registry is and which token the proxy uses: the client's own lookup, `modelreg.config.resolve()`.

The panel (through this proxy) and the kernels (through the `modelreg` client) resolve the registry with
the same function, so they always agree: MODELREG_URL / MODELREG_TOKEN win, then the config file written
by `modelreg login`, whose token only ever goes to the URL it was saved for.

`c.ModelregConfig.url` / `.token` (Jupyter config) become MODELREG_URL / MODELREG_TOKEN in this server's
environment when the extension loads, unless MODELREG_URL is already set there. Kernels inherit the Jupyter
server's environment, so they resolve the same registry as the panel. See docs/jupyter-hook.md.

The browser never sees the token: it lives only here, on the Jupyter server. It is resolved on every
request, so logging in after JupyterLab started takes effect without a restart.
"""

from __future__ import annotations

import os

from modelreg.config import ResolvedConfig, resolve
from traitlets import Unicode
from traitlets.config import Configurable

JUPYTER_CONFIG_SOURCE = "jupyter config"


class ModelregConfig(Configurable):
    """Jupyter server settings for the modelreg proxy."""

    url = Unicode(
        "",
        help="Registry base URL, e.g. http://127.0.0.1:8765. Exported to this server's (and so the kernels') "
        "environment as MODELREG_URL when the extension loads, unless MODELREG_URL is already set.",
    ).tag(config=True)
    token = Unicode(
        "",
        help="Registry API token for the proxy and the kernels (never sent to the browser). Exported as "
        "MODELREG_TOKEN together with `url`, unless MODELREG_TOKEN is already set.",
    ).tag(config=True)
    request_timeout = 3600.0  # seconds: large artifact transfers go through the proxy

    _exported_url: str | None = None

    def export_to_environment(self) -> str | None:
        """Put `url` / `token` into this process's environment, which the kernels it starts inherit.

        Returns:
            Why the Jupyter config is not used (for the server log), or None.
        """
        url = self.url.strip().rstrip("/")
        if not url:
            return "c.ModelregConfig.token is ignored without c.ModelregConfig.url" if self.token else None
        if os.environ.get("MODELREG_URL"):
            return f"c.ModelregConfig.url ({url}) is ignored: MODELREG_URL is set and wins"
        os.environ["MODELREG_URL"] = url
        if self.token and not os.environ.get("MODELREG_TOKEN"):
            os.environ["MODELREG_TOKEN"] = self.token
        self._exported_url = url
        return None

    def resolve(self) -> ResolvedConfig:
        """The registry to talk to, exactly as a kernel started by this server resolves it."""
        found = resolve()
        if found.source == "environment" and found.url == self._exported_url:
            return ResolvedConfig(found.url, found.token, JUPYTER_CONFIG_SOURCE)
        return found
