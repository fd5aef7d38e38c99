"""Fixtures: a real registry server process, and a Jupyter server with the extension pointed at it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 240  # the registry compiles its TypeScript before it listens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """A running registry server and its admin token, with a tiny JSON client for test setup."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    def call(self, method: str, path: str, body=None, token: str | None = None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(f"{self.url}/api/v1/{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {token or self.token}")
        if raw is None and body is not None:
            request.add_header("Content-Type", "application/json")
        if raw is not None:
            request.add_header("Content-Type", "application/octet-stream")
        with urllib.request.urlopen(request, timeout=120) as response:
            payload = response.read()
        return json.loads(payload) if payload else None


@pytest.fixture(scope="session")
def registry(tmp_path_factory) -> Registry:
    data_dir = tmp_path_factory.mktemp("registry-data")
    port = _free_port()
    log = open(data_dir / "server.log", "wb")
    process = subprocess.Popen(
        ["npm", "run", "--silent", "server", "--", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the registry exited early: {(data_dir / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:
                    if response.status == 200 and (data_dir / "admin-token").exists():
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the registry did not start in {STARTUP_SECONDS}s")
            time.sleep(0.5)
        token = (data_dir / "admin-token").read_text().strip()
        yield Registry(url, token)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


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
