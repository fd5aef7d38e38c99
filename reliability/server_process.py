"""Start and stop a real modelreg server process (server/dist/cli.js) for the reliability scripts.

Every script here talks to a real server over loopback HTTP; this module owns the process:
data dir, optional PostgreSQL schema, admin token, log file, SIGKILL and restart.
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

import requests

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / "server" / "dist" / "cli.js"
PG_URL = os.environ.get("MODELREG_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")


def ensure_built() -> None:
    """The scripts run the compiled server; build it once when dist/ is missing."""
    if not CLI.exists():
        subprocess.run(["npx", "tsc", "-p", "tsconfig.json"], cwd=ROOT / "server", check=True)


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


@dataclass
class Registry:
    """One registry's storage (data dir + optional PostgreSQL schema) and its current server process."""

    backend: str = "sqlite"
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="modelreg-rel-py-")))
    token: str = field(default_factory=lambda: "mr_rel_" + secrets.token_hex(16))
    extra_args: list[str] = field(default_factory=list)
    schema: str | None = None
    proc: subprocess.Popen | None = None
    url: str = ""
    log_path: Path | None = None

    def __post_init__(self) -> None:
        if self.backend == "postgres" and not self.schema:
            self.schema = "mr_rel_" + secrets.token_hex(6)

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "MODELREG_ADMIN_TOKEN": self.token,
            "MODELREG_DATABASE_URL": "",
            "MODELREG_DATABASE_SCHEMA": "",
        }
        if self.schema:
            env.update(MODELREG_DATABASE_URL=PG_URL, MODELREG_DATABASE_SCHEMA=self.schema)
        return env

    def start(self, timeout: float = 30.0) -> str:
        ensure_built()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd, log = tempfile.mkstemp(prefix="modelreg-rel-py-server-", suffix=".log")
        self.log_path = Path(log)
        self.proc = subprocess.Popen(
            [
                "node",
                str(CLI),
                "serve",
                "--port",
                "0",
                "--data-dir",
                str(self.data_dir),
                "--log-level",
                "info",
                *self.extra_args,
            ],
            env=self.env(),
            stdout=fd,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        os.close(fd)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_path.read_text()}")
            m = re.search(r"listening at (http://127\.0\.0\.1:\d+)", self.log_path.read_text(), re.I)
            if m:
                self.url = m.group(1)
                return self.url
            time.sleep(0.05)
        raise RuntimeError(f"server did not start in {timeout} s:\n{self.log_path.read_text()}")

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def session(self) -> requests.Session:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {self.token}"
        return s

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kb(self) -> int:
        """Resident set size of the server process, from /proc."""
        assert self.proc
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.log_path:
            self.log_path.unlink(missing_ok=True)
        if self.schema:
            psql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
