"""Start and stop the real registry server (``npm run server``); shared by the tests and the benchmark."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Tuple

import requests

REPO = Path(__file__).resolve().parents[2]
START_SECONDS = 240  # the server's start script compiles TypeScript first


class ServerDidNotStart(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_server(data_dir: Path, log: Path) -> Tuple[subprocess.Popen, str, str]:
    """Run ``npm run server -- --port P --data-dir D`` from the repository root.

    Returns:
        (process, base URL, admin token) once ``/api/v1/health`` answers.

    Raises:
        ServerDidNotStart: with the command, the reason and the end of the server's log.
    """
    port = _free_port()
    command = ["npm", "run", "server", "--", "--port", str(port), "--data-dir", str(data_dir)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as log_file:
        try:
            process = subprocess.Popen(
                command, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
            )
        except OSError as error:
            raise ServerDidNotStart(
                f"Cannot run `{' '.join(command)}` in {REPO}: {error}. Is Node/npm installed?"
            ) from error
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            if process.poll() is not None:
                raise ServerDidNotStart(
                    f"The registry server did not start: `{' '.join(command)}` (in {REPO}) exited with code "
                    f"{process.returncode}. Did you run `npm ci --prefix server`? Log {log}:\n{_tail(log)}"
                )
            try:
                if requests.get(f"{url}/api/v1/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise ServerDidNotStart(
                    f"The registry server did not answer {url}/api/v1/health within "
                    f"{START_SECONDS}s. Log {log}:\n{_tail(log)}"
                )
            time.sleep(0.5)
        token_file = data_dir / "admin-token"
        for _ in range(50):
            if token_file.exists() and token_file.read_text().strip():
                return process, url, token_file.read_text().strip()
            time.sleep(0.1)
        raise ServerDidNotStart(f"The server started but wrote no {token_file}. Log {log}:\n{_tail(log)}")
    except BaseException:
        stop_server(process)
        raise


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server and the processes npm started for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
