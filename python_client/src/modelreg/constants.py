"""Every environment variable the client reads, in one place.

Values are read when asked for (not at import time) so that a notebook can change
``os.environ`` and a test can monkeypatch it without reloading the package.
"""

import os
from pathlib import Path
from typing import Dict, Optional

API_PREFIX = "/api/v1"
CONFIG_FILE_NAME = "config.json"

# Uploads, downloads and hashing move data in chunks of this size: large enough that Python's
# per-chunk overhead disappears next to the socket and sha256 work, small enough to stay out of
# glibc's mmap path (1 MiB chunks tripled the kernel time of a 1 GiB pull in measurements).
CHUNK_SIZE = 256 * 1024
# Buffered metric points are sent (by a second thread) once this many are waiting ...
METRIC_BATCH_SIZE = 1000
# ... in requests of at most this many (the server's limit for one POST .../metrics) ...
METRIC_REQUEST_SIZE = 10_000
# ... and log_metric waits for the server when it falls this far behind.
METRIC_BUFFER_LIMIT = 200_000
# ... or when the oldest waiting point is older than this many seconds.
METRIC_FLUSH_SECONDS = 2.0
# Transient failures (connection reset, 502, 503, 504) are retried this many times.
MAX_RETRIES = 4
RETRY_BACKOFF_SECONDS = 0.5
REQUEST_TIMEOUT_SECONDS = 60.0

# The CI variables recorded as provenance. GitLab CI first, then GitHub Actions.
GITLAB_CI_VARIABLES = (
    "GITLAB_CI",
    "CI_PIPELINE_ID",
    "CI_JOB_ID",
    "CI_JOB_URL",
    "CI_COMMIT_SHA",
    "CI_MERGE_REQUEST_IID",
    "CI_PROJECT_URL",
)
GITHUB_ACTIONS_VARIABLES = (
    "GITHUB_ACTIONS",
    "GITHUB_RUN_ID",
    "GITHUB_JOB",
    "GITHUB_SHA",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_REF",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def registry_url() -> Optional[str]:
    """``MODELREG_URL``: the registry's base URL, e.g. ``http://127.0.0.1:8765``."""
    return os.environ.get("MODELREG_URL") or None


def registry_token() -> Optional[str]:
    """``MODELREG_TOKEN``: a personal access token."""
    return os.environ.get("MODELREG_TOKEN") or None


def offline() -> bool:
    """``MODELREG_OFFLINE=1``: never touch the network; serve pulls from the cache."""
    return _flag("MODELREG_OFFLINE")


def upload_concurrency() -> int:
    """``MODELREG_UPLOAD_CONCURRENCY``: presigned parts sent at once (default 4)."""
    try:
        return max(1, int(os.environ.get("MODELREG_UPLOAD_CONCURRENCY", "4")))
    except ValueError:
        return 4


def progress_disabled() -> bool:
    """``MODELREG_DISABLE_PROGRESS=1``: no progress bars or progress lines."""
    return _flag("MODELREG_DISABLE_PROGRESS")


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/modelreg`` (default ``~/.config/modelreg``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "modelreg"


KNOWN_KEYS_FILE_NAME = "known_keys.json"  # signing keys pinned on first use, per registry URL


def cache_dir() -> Path:
    """``MODELREG_CACHE``, else ``$XDG_CACHE_HOME/modelreg`` (default ``~/.cache/modelreg``)."""
    explicit = os.environ.get("MODELREG_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "modelreg"


def ci_variables() -> Dict[str, str]:
    """The GitLab CI and GitHub Actions variables that are set, by name."""
    names = GITLAB_CI_VARIABLES + GITHUB_ACTIONS_VARIABLES
    return {name: os.environ[name] for name in names if os.environ.get(name)}


def jupyter_session_name() -> Optional[str]:
    """``JPY_SESSION_NAME``: the notebook path jupyter_server gives the kernels it starts."""
    return os.environ.get("JPY_SESSION_NAME") or None
