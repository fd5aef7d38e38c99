"""A real S3-protocol server for Python suites and benchmarks: moto's server mode on a free loopback port.

``moto_server`` comes from the venv (``moto[server]`` in requirements-dev.txt). ``Moto.bucket()`` makes a
fresh bucket and ``Moto.env(bucket)`` is what a registry process needs to keep its blobs there.

Example:
    >>> with start_moto(Path("/tmp/m")) as moto:
    ...     Registry(data_dir=..., env_extra=moto.env(moto.bucket()))
"""

from __future__ import annotations

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
        response = requests.put(f"{self.endpoint}/{name}", timeout=10)
        assert response.ok, f"moto refused bucket {name}: {response.status_code} {response.text}"
        return name

    def env(self, bucket: str, prefix: str = "registry") -> dict[str, str]:
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint, "MODELREG_BLOB_URL": f"s3://{bucket}/{prefix}"}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self) -> "Moto":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_moto(root: Path, timeout: float = 30.0) -> Moto:
    """Starts moto_server, logging to ``root/moto.log``; ready when it logs the address it listens on."""
    root.mkdir(parents=True, exist_ok=True)
    log_path = root / "moto.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", "0"], stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = RUNNING.search(log_path.read_text())
        if match:
            return Moto(match.group(1), int(match.group(2)), process, log_path)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    process.wait(10)
    raise RuntimeError(f"moto_server did not start in {timeout:.0f} s:\n{log_path.read_text()[-4000:]}")
