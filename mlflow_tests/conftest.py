"""Fixtures: the real modelreg server (``node server/dist/cli.js serve``, tests/support) and the unmodified ``mlflow`` client pointed at it.

The server runs once per session on a random port with a temporary data dir. Each test module gets its own
group, and ``MLFLOW_TRACKING_URI=<server>/mlflow/<group>`` / ``MLFLOW_TRACKING_TOKEN=<admin token>`` are set
for it, exactly as a notebook user would set them. Nothing is mocked.
"""

import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the shared launcher, tests/support
from _tracking import client_settings, pointed_at  # noqa: E402
from support import registry_fixture  # noqa: E402


@dataclass
class Server:
    url: str
    token: str
    data_dir: Path
    log: Path


class Registry:
    """modelreg's own REST API (``/api/v1``), authenticated as the instance admin."""

    def __init__(self, server: Server):
        self.url = server.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {server.token}"

    def request(self, method: str, path: str, expect: "int | None" = 200, **kwargs) -> requests.Response:
        """``expect=None`` returns any answer."""
        response = self.session.request(method, f"{self.url}/api/v1{path}", timeout=60, **kwargs)
        assert expect is None or response.status_code == expect, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs).json()

    def post(self, path: str, body, expect: int = 201):
        return self.request("POST", path, expect=expect, json=body).json()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """Start the registry on a free port with a temporary data dir (tests/support) and wait for health.

    MODELREG_TEST_URL + MODELREG_TEST_DATA_DIR point the suite at a server that is already running instead.
    """
    if os.environ.get("MODELREG_TEST_URL"):
        data_dir = Path(os.environ["MODELREG_TEST_DATA_DIR"])
        yield Server(
            os.environ["MODELREG_TEST_URL"],
            (data_dir / "admin-token").read_text().strip(),
            data_dir,
            data_dir / "server.log",
        )
        return
    for registry in registry_fixture():
        yield Server(registry.url, registry.token, registry.data_dir, registry.log_path)


@pytest.fixture(scope="session")
def registry(server: Server) -> Registry:
    return Registry(server)


@pytest.fixture(scope="module")
def group(registry: Registry) -> str:
    """A fresh private group per test module, owned by the admin."""
    name = f"ml{uuid.uuid4().hex[:10]}"
    registry.post("/groups", {"name": name, "visibility": "private"})
    return name


@pytest.fixture(scope="module")
def tracking_uri(server: Server, group: str) -> Iterator[str]:
    """Point the mlflow client at ``<server>/mlflow/<group>`` with the admin token, as a user would."""
    uri = f"{server.url}/mlflow/{group}"
    with pointed_at(uri, client_settings(uri, server.token)):
        yield uri


@pytest.fixture(scope="module")
def client(tracking_uri: str):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


@pytest.fixture(scope="module")
def post(server: Server, group: str):
    """POST a raw JSON body to one of the group's MLflow routes: what a client sends that mlflow's own
    client would refuse to build."""

    def post(path: str, body) -> requests.Response:
        return requests.post(
            f"{server.url}/mlflow/{group}/api/2.0/mlflow/{path}",
            json=body,
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=120,
        )

    return post
