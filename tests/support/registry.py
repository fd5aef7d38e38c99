"""The one way Python tests and benchmarks start a real registry: ``node server/dist/cli.js serve --port 0``.

A started registry is ready when the port it logged ("listening at http://127.0.0.1:P") answers
``GET /api/v1/health`` with 200, never assumed. It owns its storage: a temporary data dir and, for the
PostgreSQL backend, a random schema in the test database; a failed start stops the process and
removes both. The reliability suite SIGKILLs it and starts it again on the same storage.

Example:
    >>> with start_registry() as reg:
    ...     reg.session().get(f"{reg.api}/user").json()["username"]
    'admin'
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import requests

REPO = Path(__file__).resolve().parents[2]
SERVER = REPO / "server"
CLI = SERVER / "dist" / "cli.js"
PG_URL = os.environ.get("MODELREG_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
# Generous: on a shared, loaded machine Node can take over a minute to answer its first request.
START_SECONDS = 120.0
# The V8 flags `npm start` runs the server with (server/v8-flags says why). Benchmarks pass them, to
# measure the server as it is deployed.
PRODUCTION_NODE_ARGS = [
    line.strip() for line in (SERVER / "v8-flags").read_text().splitlines() if line.strip() and not line.startswith("#")
]
LISTENING = re.compile(r"listening at (http://127\.0\.0\.1:\d+)", re.I)


class RegistryDidNotStart(RuntimeError):
    """The registry exited or did not answer its health URL in time; the message ends with its log."""


def ensure_built() -> None:
    """`make` builds server/dist; when run directly, build it when it is missing or older than server/src."""
    newest_source = max((p.stat().st_mtime for p in (SERVER / "src").rglob("*.ts")), default=0.0)
    if CLI.exists() and CLI.stat().st_mtime >= newest_source:
        return
    subprocess.run(["npm", "--prefix", str(SERVER), "run", "--silent", "build"], check=True)
    CLI.touch()  # tsc leaves an unchanged output's mtime alone


def postgres_reachable() -> bool:
    if not shutil.which("pg_isready"):
        return False
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True).returncode == 0


def psql(sql: str, schema: str | None = None) -> str:
    """Runs SQL in the test database (optionally with search_path set) and returns unaligned output."""
    env = {**os.environ, "PGOPTIONS": f"-c search_path={schema}"} if schema else dict(os.environ)
    r = subprocess.run(["psql", PG_URL, "-v", "ON_ERROR_STOP=1", "-Atc", sql], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed: {r.stderr.strip()}")
    return r.stdout


def _tail(path: Path | None, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path else "(no log)"
    except OSError:
        return "(no log)"


@dataclass
class Registry:
    """One registry's storage (data dir + optional PostgreSQL schema) and its current server process.

    Attributes:
        url: base URL of the running process ("" before start); it changes on every start unless
            ``port`` is set.
        token: the instance admin's token, given to the server as MODELREG_ADMIN_TOKEN.
        port: 0 (the default) listens on a free port; :meth:`pin_port` sets it to the current
            one, so clients that know the URL find the registry again after a restart.
    """

    backend: str = "sqlite"
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="modelreg-test-")))
    token: str = field(default_factory=lambda: "mr_test_" + secrets.token_hex(16))
    extra_args: list[str] = field(default_factory=list)
    node_args: list[str] = field(default_factory=list)
    env_extra: dict[str, str] = field(default_factory=dict)
    log_level: str = "info"
    schema: str | None = None
    proc: subprocess.Popen | None = None
    url: str = ""
    log_path: Path | None = None
    port: int = 0

    def __post_init__(self) -> None:
        if self.backend == "postgres" and not self.schema:
            self.schema = "mr_test_" + secrets.token_hex(6)

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "MODELREG_ADMIN_TOKEN": self.token,
            "MODELREG_DATABASE_URL": "",
            "MODELREG_DATABASE_SCHEMA": "",
            **self.env_extra,
        }
        if self.schema:
            env.update(MODELREG_DATABASE_URL=PG_URL, MODELREG_DATABASE_SCHEMA=self.schema)
        return env

    def start(self, timeout: float = START_SECONDS) -> str:
        """Start the server on a free port; return its URL once its health answers.

        Raises:
            RegistryDidNotStart: the process exited or did not answer within ``timeout`` seconds;
                it is stopped (the storage is kept, so a restart can be retried).
        """
        ensure_built()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd, log = tempfile.mkstemp(prefix="modelreg-test-server-", suffix=".log")
        self.log_path = Path(log)
        command = [
            "node",
            *self.node_args,
            str(CLI),
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--log-level",
            self.log_level,
            *self.extra_args,
        ]
        self.proc = subprocess.Popen(
            command, env=self.env(), stdout=fd, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        os.close(fd)
        try:
            self.url = self._wait_until_healthy(time.monotonic() + timeout, timeout)
        except BaseException:
            self.stop()
            raise
        return self.url

    def _wait_until_healthy(self, deadline: float, timeout: float) -> str:
        url = ""
        while time.monotonic() < deadline:
            assert self.proc
            if self.proc.poll() is not None:
                raise RegistryDidNotStart(
                    f"`node {CLI} serve` exited with code {self.proc.returncode}. "
                    f"Log {self.log_path}:\n{_tail(self.log_path)}"
                )
            if not url:
                found = LISTENING.search(self.log_path.read_text(errors="replace")) if self.log_path else None
                url = found.group(1) if found else ""
            if url:
                try:
                    if requests.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                        return url
                except requests.RequestException:
                    pass
            time.sleep(0.05)
        raise RegistryDidNotStart(
            f"the registry did not answer {url or 'its'} /api/v1/health within "
            f"{timeout:.0f} s. Log {self.log_path}:\n{_tail(self.log_path)}"
        )

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def session(self) -> requests.Session:
        """A requests session authenticated as the instance admin."""
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {self.token}"
        return s

    def call(self, method: str, path: str, body=None, *, token: str | None = None, raw: bytes | None = None):
        """One JSON request to ``/api/v1/<path>`` as the admin (or ``token``); raises on an HTTP error.

        ``raw`` sends bytes as ``application/octet-stream`` (artifact uploads). Returns the decoded body or None.
        """
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if raw is not None:
            headers["Content-Type"] = "application/octet-stream"
        response = requests.request(
            method,
            f"{self.api}/{path.lstrip('/')}",
            json=body if raw is None else None,
            data=raw,
            headers=headers,
            timeout=120,
        )
        if not response.ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 15 s; the storage stays for a restart."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, timeout: float = START_SECONDS) -> str:
        """Stop (SIGTERM) and start again on the same storage; returns the new URL."""
        self.stop()
        return self.start(timeout)

    def pin_port(self) -> int:
        """Make the next starts listen on the current port, where a client that knew the registry
        before (a kernel mid-upload, say) finds it again after a kill; returns that port."""
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.port

    def rss_kb(self) -> int:
        """Resident set size of the server process, from /proc."""
        assert self.proc
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cleanup(self) -> None:
        """Stop the process, remove the data dir and the log (kept with MODELREG_KEEP_TEST_LOGS=1), drop the schema."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.log_path and not os.environ.get("MODELREG_KEEP_TEST_LOGS"):
            self.log_path.unlink(missing_ok=True)
        if self.schema:
            psql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def start_registry(timeout: float = START_SECONDS, **options) -> Registry:
    """A started :class:`Registry` (``options`` are its fields); on a failed start its storage is removed too."""
    registry = Registry(**options)
    try:
        registry.start(timeout)
    except BaseException:
        registry.cleanup()
        raise
    return registry


def registry_fixture(**options) -> Iterator[Registry]:
    """For a pytest fixture: yields a started registry, cleans up after; a failed start fails the test."""
    import pytest

    try:
        registry = start_registry(**options)
    except RegistryDidNotStart as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield registry
    finally:
        registry.cleanup()
