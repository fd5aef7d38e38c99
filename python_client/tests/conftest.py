"""Fixtures: the real registry server (``node server/dist/cli.js serve``) on a free port, and clean client state.

Every test talks to that server over HTTP; nothing is mocked.
"""

import sys
import uuid
from pathlib import Path
from typing import Dict, Iterator

import modelreg
import pytest
from modelreg import _fluent, constants

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))  # the shared launcher, tests/support
from support import Registry as Server  # noqa: E402
from support import registry_fixture  # noqa: E402


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The registry on a free port with a temporary data dir (``url``, admin ``token``, ``data_dir``)."""
    yield from registry_fixture()


_ENV_TO_CLEAR = (
    ("MODELREG_URL", "MODELREG_TOKEN", "MODELREG_OFFLINE", "JPY_SESSION_NAME", "CI")
    + constants.GITLAB_CI_VARIABLES
    + constants.GITHUB_ACTIONS_VARIABLES
)


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own cache and config dir, no CI variables and no active candidates."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MODELREG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("MODELREG_DISABLE_PROGRESS", "1")
    yield tmp_path / "cache"
    _fluent._active.clear()
    _fluent.set_registry(None)


@pytest.fixture
def registry(server: Server) -> modelreg.Registry:
    """A client authenticated as the instance admin."""
    return modelreg.Registry(server.url, server.token)


@pytest.fixture
def server_env(server: Server, monkeypatch: pytest.MonkeyPatch) -> Dict[str, str]:
    """MODELREG_URL / MODELREG_TOKEN set for code that reads the environment (fluent API, hook, CLI)."""
    monkeypatch.setenv("MODELREG_URL", server.url)
    monkeypatch.setenv("MODELREG_TOKEN", server.token)
    return {"MODELREG_URL": server.url, "MODELREG_TOKEN": server.token}


@pytest.fixture
def group(registry: modelreg.Registry) -> str:
    """A fresh group owned by the admin."""
    name = f"g{uuid.uuid4().hex[:10]}"
    registry.create_group(name, visibility="private")
    return name


@pytest.fixture
def model(group: str) -> str:
    """A model name in a fresh group (the model itself does not exist yet)."""
    return f"{group}/churn"


def make_version(
    registry: modelreg.Registry, model: str, files: Dict[str, bytes], workdir: Path, version: str = "1.0.0"
) -> modelreg.Candidate:
    """Log a candidate with ``files`` (artifact path -> bytes) and promote it to ``version``."""
    with registry.candidate(model, name=f"v{version}") as candidate:
        for path, content in files.items():
            local = workdir / "upload" / version / path
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(content)
            candidate.log_artifact(local, path)
    candidate.promote(version)
    return candidate
