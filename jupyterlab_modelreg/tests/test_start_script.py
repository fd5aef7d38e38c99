"""`scripts/start.sh` (what `make start` runs after installing): it starts the registry and JupyterLab,
prints the URL to open, and stops both when it is interrupted or killed, leaving nothing running."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
LAB_URL = re.compile(r"(http://127\.0\.0\.1:\d+)/lab\?token=([0-9a-f]+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
        return True
    except requests.RequestException:
        return False


@pytest.mark.parametrize("stop", ["ctrl-c", "kill"])
def test_start_prints_the_lab_url_and_stops_everything_it_started(tmp_path: Path, stop: str) -> None:
    registry_port, lab_port = _free_port(), _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MODELREG_", "JUPYTER_", "JPY_"))}
    env.update(
        MODELREG_PORT=str(registry_port),
        JUPYTER_PORT=str(lab_port),
        MODELREG_DATA_DIR=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # no `modelreg login` of this machine's user
    )
    log = tmp_path / "start.log"
    with open(log, "wb") as out:
        # Its own process group, as a terminal gives it: Ctrl-C sends SIGINT to the whole group.
        script = subprocess.Popen(
            ["bash", str(REPO / "scripts" / "start.sh")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        found = None
        while found is None and time.monotonic() < deadline and script.poll() is None:
            found = LAB_URL.search(log.read_text(errors="replace"))
            time.sleep(0.5)
        assert found, f"no JupyterLab URL printed:\n{log.read_text(errors='replace')[-3000:]}"
        lab, token = found.groups()
        assert lab == f"http://127.0.0.1:{lab_port}"
        status = requests.get(f"{lab}/modelreg/status", params={"token": token}, timeout=30).json()
        assert status["reachable"] and status["user"] == "demo", status

        if stop == "ctrl-c":
            os.killpg(script.pid, signal.SIGINT)
        else:
            script.send_signal(signal.SIGTERM)
        script.wait(timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            _answers(f"{lab}/lab") or _answers(f"http://127.0.0.1:{registry_port}/api/v1/health")
        ):
            time.sleep(0.5)
        assert not _answers(f"http://127.0.0.1:{registry_port}/api/v1/health"), "the registry still runs"
        assert not _answers(f"{lab}/lab"), f"JupyterLab still runs after {stop} of start.sh"
    finally:
        try:
            os.killpg(script.pid, signal.SIGKILL)  # whatever is left of the group, even on failure
        except ProcessLookupError:
            pass
        script.wait(timeout=10)
