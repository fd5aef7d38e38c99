"""The shared configuration file ``$XDG_CONFIG_HOME/modelreg/config.json`` (mode 0600).

The JupyterLab server extension reads the same file, so its shape is part of the contract:
``{"url": "http://127.0.0.1:8765", "token": "..."}``.
"""

import json
import os
from pathlib import Path
from typing import Dict, Optional, Tuple

from . import constants


def config_path() -> Path:
    """Where ``modelreg login`` writes the URL and token."""
    return constants.config_dir() / constants.CONFIG_FILE_NAME


def read_config() -> Dict[str, str]:
    """The config file's contents, or ``{}`` when it is missing or unreadable."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def write_config(url: str, token: Optional[str]) -> Path:
    """Write the config file readable by its owner only, replacing it atomically."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"url": url.rstrip("/")}
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


def resolve(url: Optional[str], token: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """URL and token: explicit arguments, else the environment, else the config file."""
    config = read_config()
    url = (url or constants.registry_url() or config.get("url") or "").rstrip("/") or None
    if token is None:
        token = constants.registry_token()
    if token is None and url and url == config.get("url", "").rstrip("/"):
        token = config.get("token")  # a saved token only goes to the registry it was saved for
    return url, token
