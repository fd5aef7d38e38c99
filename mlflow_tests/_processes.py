"""Starting and stopping the `mlflow server` the benchmark compares against (one process group each).

The modelreg registry is started by the shared launcher, tests/support (`support.start_registry`).
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests


class ServerDidNotStart(RuntimeError):
    """The server exited or did not answer its health URL in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start(command, cwd, log: Path, env=None) -> subprocess.Popen:
    """Runs ``command`` in its own session (so stop() ends its children too), output to ``log``."""
    with open(log, "w") as out:
        return subprocess.Popen(
            command,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )


def wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise ServerDidNotStart(
                f"`{' '.join(map(str, proc.args))}` exited with code {proc.returncode}. Log:\n{tail(log)}"
            )
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise ServerDidNotStart(f"no answer from {url} within {seconds:.0f}s. Log:\n{tail(log)}")
        time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def mlflow_server_command(python: str, tmp: Path, port: int, workers: "int | None" = None) -> list:
    """``mlflow server`` as the comparisons run it: SQLite backend, proxied artifacts under ``tmp``.

    ``workers``: the server's worker processes (its default is 4); one starts faster on a busy machine.
    """
    return [
        str(Path(python).parent / "mlflow"),
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--backend-store-uri",
        f"sqlite:///{tmp / 'mlflow.db'}",
        "--serve-artifacts",
        "--artifacts-destination",
        str(tmp / "mlartifacts"),
        *(["--workers", str(workers)] if workers else []),
    ]


def _cpu_seconds_of_tree(root: int) -> float:
    """utime + stime of ``root`` and every descendant still running, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:  # the process ended while we looked
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        ticks[pid] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, seconds: float = 60.0, busy_share: float = 0.05) -> float:
    """Waits until ``pid`` and its children use under ``busy_share`` of one CPU over half a second.

    A server answering its health URL may still be starting background work (`mlflow server` starts
    its job runner and seven huey consumers, ~18% of a CPU each for seconds): a timed flow begun then
    would share the machine with it. Returns the seconds waited; gives up after ``seconds``.
    """
    started = time.monotonic()
    before = _cpu_seconds_of_tree(pid)
    while time.monotonic() - started < seconds:
        time.sleep(0.5)
        now = _cpu_seconds_of_tree(pid)
        if now - before < busy_share * 0.5:
            break
        before = now
    return time.monotonic() - started
