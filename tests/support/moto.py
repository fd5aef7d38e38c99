"""A real S3-protocol server for Python suites and benchmarks: moto's server mode on a free loopback port.

``moto_server`` comes from the venv (``moto[server]`` in requirements-dev.txt). ``Moto.bucket()`` makes a
fresh bucket and ``Moto.env(bucket)`` is what a registry process needs to keep its blobs there.

Example:
    >>> with start_moto(Path("/tmp/m")) as moto:
    ...     Registry(data_dir=..., env_extra=moto.env(moto.bucket()))
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "modelreg-test",
    "AWS_SECRET_ACCESS_KEY": "modelreg-test-secret",
    "AWS_REGION": "us-east-1",
}
RUNNING = re.compile(r"Running on (http://127\.0\.0\.1:(\d+))")
# Generous, like the registry's START_SECONDS: on the shared 2-CPU machine at load 20-40 moto (Python,
# werkzeug) took longer than 10-30 s to start, to stop, or to answer its first request.
START_SECONDS = 120.0
STOP_SECONDS = 60.0
REQUEST_SECONDS = 60.0


class MotoDidNotStart(RuntimeError):
    """moto_server exited or did not answer in time; the message ends with its log."""


def moto_available() -> bool:
    return MOTO_SERVER.exists()


@dataclass
class Moto:
    endpoint: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def bucket(self) -> str:
        name = f"mr-py-{uuid.uuid4().hex[:10]}"
        response = requests.put(f"{self.endpoint}/{name}", timeout=REQUEST_SECONDS)
        assert response.ok, f"moto refused bucket {name}: {response.status_code} {response.text}"
        return name

    def env(self, bucket: str, prefix: str = "registry") -> dict[str, str]:
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint, "MODELREG_BLOB_URL": f"s3://{bucket}/{prefix}"}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_SECONDS)

    def __enter__(self) -> "Moto":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_moto(root: Path, timeout: float = START_SECONDS) -> Moto:
    """Starts moto_server, logging to ``root/moto.log`` (or to MODELREG_TEST_MOTO_LOG, kept after the run, as the
    server suites do); ready once the address it logs answers HTTP.

    Raises:
        MotoDidNotStart: it exited, or did not log its address and answer ``GET /`` within ``timeout``
            seconds; it is killed and the message ends with its log.
    """
    if not moto_available():
        raise MotoDidNotStart(f"{MOTO_SERVER} is missing: `make install` installs moto[server] (requirements-dev.txt)")
    root.mkdir(parents=True, exist_ok=True)
    log_path = Path(os.environ.get("MODELREG_TEST_MOTO_LOG") or root / "moto.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", "0"], stdout=log, stderr=subprocess.STDOUT
        )
    started = time.monotonic()
    deadline = started + timeout
    match = None
    while time.monotonic() < deadline and process.poll() is None:
        match = match or RUNNING.search(log_path.read_text(errors="replace"))
        if match:
            try:  # logged is not listening yet: the first request can lag far behind on a loaded machine
                requests.get(f"{match.group(1)}/", timeout=max(1.0, min(10.0, deadline - time.monotonic())))
                return Moto(match.group(1), int(match.group(2)), process, log_path)
            except requests.RequestException:
                pass
        time.sleep(0.1)
    exited = process.poll()
    process.kill()
    process.wait(STOP_SECONDS)
    why = (
        f"exited with code {exited}"
        if exited is not None
        else f"did not {'answer GET / at ' + match.group(1) if match else 'log its address'} within {timeout:.0f} s"
    )
    raise MotoDidNotStart(
        f"moto_server {why} (after {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f}). "
        f"On a busy machine pass a longer timeout. Log {log_path}:\n{log_path.read_text(errors='replace')[-4000:]}"
    )
