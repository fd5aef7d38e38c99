"""The panel (this proxy) and a kernel started by the same Jupyter server resolve the same registry and
token in every case: environment, `modelreg login` file, Jupyter config, and a saved token that belongs
to another registry. Both go through `modelreg.config.resolve()`; the kernel is a real ipykernel started
by the server's session manager, as JupyterLab starts it."""

from __future__ import annotations

import json
import os

import pytest
from jupyter_client.asynchronous.client import AsyncKernelClient

ELSEWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens
MODELREG_ENV = ("MODELREG_URL", "MODELREG_TOKEN", "XDG_CONFIG_HOME")


@pytest.fixture(autouse=True)
def restore_environment():
    """The extension exports the Jupyter config into os.environ (for kernels); undo that after each test."""
    saved = {name: os.environ.get(name) for name in MODELREG_ENV}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def case(request, registry, tmp_path) -> dict:
    """Applies one case's environment, config file and Jupyter config before the Jupyter server starts.

    `request.param` names the values: "registry" stands for the test registry's URL (or admin token).
    """
    spec = {key: _value(value, registry) for key, value in request.param.items()}
    for name in ("MODELREG_URL", "MODELREG_TOKEN"):
        os.environ.pop(name, None)
        if spec.get(name):
            os.environ[name] = spec[name]
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    if spec.get("file_url"):
        path = tmp_path / "xdg" / "modelreg" / "config.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"url": spec["file_url"], "token": spec["file_token"]}))
        spec["file"] = str(path)
    return spec


def _value(value: str, registry) -> str:
    return {"registry-url": registry.url, "registry-token": registry.token}.get(value, value)


@pytest.fixture
def jp_server_config(case):
    config = {"ServerApp": {"jpserver_extensions": {"jupyterlab_modelreg": True}}}
    if case.get("jupyter_url"):
        config["ModelregConfig"] = {"url": case["jupyter_url"], "token": case.get("jupyter_token", "")}
    return config


async def panel_status(jp_fetch) -> dict:
    return json.loads((await jp_fetch("modelreg", "status")).body)


async def kernel_resolves(serverapp) -> dict:
    """What `modelreg.config.resolve()` returns in a kernel this Jupyter server starts for a notebook."""
    session = await serverapp.session_manager.create_session(path="agree.ipynb", type="notebook", kernel_name="python3")
    kernel = serverapp.kernel_manager.get_kernel(session["kernel"]["id"])
    client = kernel.client()
    assert isinstance(client, AsyncKernelClient), type(client)
    client.start_channels()
    printed: list[str] = []

    def collect(message) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    try:
        await client.wait_for_ready(timeout=60)
        code = (
            "import json\nfrom modelreg import config\nfound = config.resolve()\n"
            "print(json.dumps({'url': found.url, 'token': found.token}))"
        )
        reply = await client.execute_interactive(code, output_hook=collect, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        await serverapp.session_manager.delete_session(session["id"])
    return json.loads("".join(printed))


ENVIRONMENT = {
    "MODELREG_URL": "registry-url",
    "MODELREG_TOKEN": "registry-token",
    "jupyter_url": ELSEWHERE,
    "file_url": ELSEWHERE,
    "file_token": "saved-elsewhere",
}


@pytest.mark.parametrize("case", [ENVIRONMENT], indirect=True)
async def test_environment_wins_for_the_panel_and_the_kernel(case, registry, jp_fetch, jp_serverapp):
    status = await panel_status(jp_fetch)
    assert (status["url"], status["source"], status["user"]) == (registry.url, "environment", "admin")
    assert await kernel_resolves(jp_serverapp) == {"url": registry.url, "token": registry.token}


CONFIG_FILE = {"file_url": "registry-url", "file_token": "registry-token"}


@pytest.mark.parametrize("case", [CONFIG_FILE], indirect=True)
async def test_the_login_file_serves_the_panel_and_the_kernel(case, registry, jp_fetch, jp_serverapp):
    status = await panel_status(jp_fetch)
    assert (status["url"], status["source"], status["user"]) == (registry.url, case["file"], "admin")
    assert await kernel_resolves(jp_serverapp) == {"url": registry.url, "token": registry.token}


JUPYTER_CONFIG = {
    "jupyter_url": "registry-url",
    "jupyter_token": "registry-token",
    "file_url": ELSEWHERE,
    "file_token": "saved-elsewhere",
}


@pytest.mark.parametrize("case", [JUPYTER_CONFIG], indirect=True)
async def test_jupyter_config_reaches_the_kernels_through_their_environment(case, registry, jp_fetch, jp_serverapp):
    status = await panel_status(jp_fetch)
    assert (status["url"], status["source"], status["user"]) == (registry.url, "jupyter config", "admin")
    assert await kernel_resolves(jp_serverapp) == {"url": registry.url, "token": registry.token}


MISMATCHED_URL = {"MODELREG_URL": "registry-url", "file_url": ELSEWHERE, "file_token": "registry-token"}
MISMATCHED_JUPYTER_URL = {"jupyter_url": "registry-url", "file_url": ELSEWHERE, "file_token": "registry-token"}


@pytest.mark.parametrize("case", [MISMATCHED_URL, MISMATCHED_JUPYTER_URL], indirect=True, ids=["env", "jupyter"])
async def test_a_token_saved_for_another_registry_is_sent_by_neither(case, registry, jp_fetch, jp_serverapp):
    # The saved token is the real admin token, so the registry would accept it: only the lookup stops it.
    status = await panel_status(jp_fetch)
    assert status["url"] == registry.url and status["reachable"] is True
    assert status["user"] is None and "anonymously" in status["message"]
    assert await kernel_resolves(jp_serverapp) == {"url": registry.url, "token": None}
