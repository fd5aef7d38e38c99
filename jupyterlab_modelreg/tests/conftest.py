"""Fixtures: a real registry server process, and a Jupyter server with the extension pointed at it."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))  # the shared launcher, tests/support
from support import Registry, registry_fixture  # noqa: E402

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture(scope="session")
def registry() -> Iterator[Registry]:
    """The registry on a free port; ``registry.call(method, path, body)`` sets things up as the admin."""
    yield from registry_fixture()


@pytest.fixture(scope="session")
def seeded(registry: Registry) -> dict:
    """One private group with one model and one candidate, names unique to this run."""
    group = f"g{uuid.uuid4().hex[:8]}"
    registry.call("POST", "groups", {"name": group, "visibility": "private"})
    registry.call("POST", f"models/{group}", {"name": "churn", "description": "# Churn"})
    candidate = registry.call("POST", f"models/{group}/churn/candidates", {"name": "first", "params": {"depth": "6"}})
    return {"group": group, "model": f"{group}/churn", "iid": candidate["iid"]}


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyterlab_modelreg": True}}}


@pytest.fixture
def registry_env(registry: Registry, monkeypatch, tmp_path):
    """Point the extension at the registry through the environment (read on every request)."""
    monkeypatch.setenv("MODELREG_URL", registry.url)
    monkeypatch.setenv("MODELREG_TOKEN", registry.token)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return registry
