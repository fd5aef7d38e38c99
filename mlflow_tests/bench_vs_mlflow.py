"""Side-by-side benchmark: the same scripted flow through the same ``mlflow`` client against
``mlflow server`` (SQLite backend, --serve-artifacts) and against modelreg, on this machine.

    .venv/bin/python mlflow_tests/bench_vs_mlflow.py [--runs 100 --metrics 20 --steps 50 --artifact-mb 200]

Phases: logging (runs x steps log_metrics calls of N metrics, plus params), search (search_runs ordered by a
metric, and filtered), artifact upload and download of one large file (throughput), register (log a
scikit-learn model, register it, set an alias), load (load_model by alias and predict). Prints a table
and writes JSON next to it (--json). Beside each phase it prints the client's own CPU seconds in modelreg's flow
(its threads and the child processes it waited for): what the phase would still cost against a server that
answered at once, so mlflow's time over it is the most any server could be faster. Each flow runs in a fresh Python process, so client caches do not carry
over between servers. A flow starts once its server and the server's children have gone idle: `mlflow server`
answers its health URL ~10 s before its job runner and huey consumers finish starting.
"""

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from _processes import (
    ServerDidNotStart,
    free_port,
    mlflow_server_command,
    start,
    stop,
    wait_for,
    wait_until_idle,
)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the shared registry launcher, tests/support
from support import PRODUCTION_NODE_ARGS, RegistryDidNotStart, start_registry  # noqa: E402

PYTHON = sys.executable


def mlflow_server(tmp: Path):
    port = free_port()
    log = tmp / "mlflow-server.log"
    proc = start(
        mlflow_server_command(PYTHON, tmp, port),
        cwd=tmp,
        log=log,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/health", proc, log, 300)
    return lambda: stop(proc), url, None, proc.pid


def modelreg_server(tmp: Path, running=None):
    if running:  # (url, data dir) of a server that is already up
        url, data = running[0], Path(running[1])
        token = (data / "admin-token").read_text().strip()
        group = f"bench{int(time.time())}"
        requests.post(
            f"{url}/api/v1/groups",
            json={"name": group, "visibility": "private"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).raise_for_status()
        return None, f"{url}/mlflow/{group}", token, None
    registry = start_registry(data_dir=tmp / "modelreg-data", node_args=PRODUCTION_NODE_ARGS)
    url, token = registry.url, registry.token
    r = requests.post(
        f"{url}/api/v1/groups",
        json={"name": "bench", "visibility": "private"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    r.raise_for_status()
    return registry.cleanup, f"{url}/mlflow/bench", token, registry.proc.pid


# --- the flow, run in a child process -------------------------------------------------------------


def _client_cpu() -> float:
    """CPU seconds of the client: this process's threads and the children it waited for (log_model's)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class _Measured:
    """``with _Measured() as m:`` times the block: ``m.wall`` seconds, of which ``m.cpu`` the client's CPU."""

    def __enter__(self) -> "_Measured":
        self._started, self._cpu_at_start = time.perf_counter(), _client_cpu()
        return self

    def __exit__(self, *_exc) -> None:
        self.wall = time.perf_counter() - self._started
        self.cpu = _client_cpu() - self._cpu_at_start


def flow(args) -> dict:
    import mlflow
    import numpy as np
    from mlflow import MlflowClient
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(args.uri)
    client = MlflowClient()
    out = {}

    def record(phase: str, measured: _Measured) -> None:
        out[f"{phase}_s"], out[f"{phase}_client_cpu_s"] = measured.wall, measured.cpu

    with _Measured() as metric_logging:
        exp = mlflow.set_experiment("bench").experiment_id
        for r in range(args.runs):
            with mlflow.start_run(run_name=f"run-{r}"):
                mlflow.log_params({f"p{i}": str(r * 10 + i) for i in range(5)})
                for step in range(args.steps):
                    mlflow.log_metrics(
                        {f"m{i}": (r * 7 + i * 3 + step) % 101 / 100.0 for i in range(args.metrics)}, step=step
                    )
    record("logging", metric_logging)
    out["logging_points"] = args.runs * args.steps * args.metrics

    with _Measured() as search:
        for _ in range(args.searches):
            top = client.search_runs([exp], order_by=["metrics.m0 DESC"], max_results=10)
            hits = client.search_runs([exp], filter_string="metrics.m1 > 0.5 and params.p0 != '3'", max_results=1000)
    record("search", search)
    out["search_calls"] = 2 * args.searches
    assert len(top) == min(10, args.runs) and len(hits) <= args.runs, (len(top), len(hits))
    out["search_hits"] = len(hits)

    # The machine is shared: each transfer is repeated and the median kept.
    big = Path(args.artifact)
    size = big.stat().st_size
    uploads, downloads = [], []
    for i in range(args.repeats):
        with mlflow.start_run(run_name=f"artifact-{i}") as run:
            with _Measured() as upload:
                mlflow.log_artifact(str(big))
            uploads.append(upload)
        dst = Path(tempfile.mkdtemp(prefix="bench-dl-"))
        with _Measured() as download:
            local = mlflow.artifacts.download_artifacts(
                run_id=run.info.run_id, artifact_path=big.name, dst_path=str(dst)
            )
        downloads.append(download)
        assert Path(local).stat().st_size == size
        shutil.rmtree(dst, ignore_errors=True)
    for phase, repeats in (("upload", uploads), ("download", downloads)):
        out[f"{phase}_s"] = statistics.median(m.wall for m in repeats)
        out[f"{phase}_client_cpu_s"] = statistics.median(m.cpu for m in repeats)
        out[f"{phase}_all_s"] = [m.wall for m in repeats]
    out["artifact_mb"] = size / 1e6

    X = np.random.RandomState(0).rand(200, 4)
    y = (X[:, 0] > 0.5).astype(int)
    with _Measured() as log_model:
        with mlflow.start_run(run_name="model"):
            info = mlflow.sklearn.log_model(LogisticRegression().fit(X, y), name="model")
    record("log_model", log_model)
    # Apart from log_model: that is mostly the client inferring pip requirements in a child process.
    with _Measured() as register_model:
        version = mlflow.register_model(info.model_uri, "bench")
        client.set_registered_model_alias("bench", "champion", version.version)
    record("register_model", register_model)
    out["register_s"] = log_model.wall + register_model.wall

    with _Measured() as load:
        model = mlflow.pyfunc.load_model("models:/bench@champion")
        assert len(model.predict(X)) == 200
    out["load_s"] = load.wall
    return out


def run_flow(uri: str, token, args, artifact: Path) -> dict:
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "600",
        "PYTHONWARNINGS": "ignore",
    }
    if token:
        env["MLFLOW_TRACKING_TOKEN"] = token
    command = [
        PYTHON,
        __file__,
        "--flow",
        "--uri",
        uri,
        "--artifact",
        str(artifact),
        "--runs",
        str(args.runs),
        "--metrics",
        str(args.metrics),
        "--steps",
        str(args.steps),
        "--searches",
        str(args.searches),
        "--repeats",
        str(args.repeats),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flow against {uri} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: dict) -> str:
    a, b = results.get("mlflow"), results.get("modelreg")
    rows = [
        ("logging", "logging_s", f"{a['logging_points'] if a else b['logging_points']} metric points"),
        ("search", "search_s", f"{(a or b)['search_calls']} search_runs calls"),
        ("artifact upload", "upload_s", f"{(a or b)['artifact_mb']:.0f} MB"),
        ("artifact download", "download_s", f"{(a or b)['artifact_mb']:.0f} MB"),
        ("register", "register_s", "log_model + register_model + alias"),
        ("- log_model", "log_model_s", "of register: save, infer requirements, upload"),
        ("- register_model + alias", "register_model_s", "of register: the registry calls"),
        ("load", "load_s", "load_model(models:/bench@champion) + predict"),
    ]
    # The client's own CPU seconds in modelreg's flow bound the speed-up any server could show: with a
    # server that answered at once, the phase would still take about that long.
    lines = [
        "| phase | work | mlflow server (s) | modelreg (s) | speed-up (mlflow / modelreg) "
        "| client CPU, modelreg flow (s) | ceiling (mlflow / client CPU) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    nan = float("nan")
    for label, key, work in rows:
        x = a.get(key, nan) if a else nan
        y = b.get(key, nan) if b else nan
        cpu_key = key.replace("_s", "_client_cpu_s")
        cpu = b.get(cpu_key) if b else None
        bound = f"| {cpu:.2f} | {x / cpu:.2f}x |" if cpu else "| | |"
        lines.append(f"| {label} | {work} | {x:.2f} | {y:.2f} | {x / y:.2f}x {bound}")
    for label, key in (("upload", "upload_s"), ("download", "download_s")):
        mb = (a or b)["artifact_mb"]
        x = mb / a[key] if a else float("nan")
        y = mb / b[key] if b else float("nan")
        lines.append(f"| {label} throughput | MB/s | {x:.0f} | {y:.0f} | {y / x:.2f}x |")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--metrics", type=int, default=20)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--searches", type=int, default=20)
    p.add_argument("--artifact-mb", type=int, default=200)
    p.add_argument("--repeats", type=int, default=3, help="artifact upload/download repetitions (median kept)")
    p.add_argument("--only", choices=["both", "mlflow", "modelreg"], default="both")
    p.add_argument("--modelreg-url", help="use this running modelreg server instead of starting one")
    p.add_argument("--modelreg-data-dir", help="its data dir (for the admin token), with --modelreg-url")
    p.add_argument("--json", default=str(REPO / ".bench" / "mlflow_vs_modelreg.json"))
    p.add_argument("--flow", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--uri", help=argparse.SUPPRESS)
    p.add_argument("--artifact", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.flow:
        print(json.dumps(flow(args)))
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-mlflow-"))
    artifact = tmp / "weights.bin"
    with open(artifact, "wb") as f:
        for _ in range(args.artifact_mb):
            f.write(os.urandom(1024 * 1024))
    print(
        f"artifact: {artifact} ({args.artifact_mb} MB, sha256 {hashlib.sha256(artifact.read_bytes()).hexdigest()[:12]}...)",
        flush=True,
    )
    results = {}
    try:
        for name, starter in (("mlflow", mlflow_server), ("modelreg", modelreg_server)):
            if args.only not in ("both", name):
                continue
            work = tmp / name
            work.mkdir()
            if name == "modelreg" and args.modelreg_url:
                stop_server, uri, token, pid = starter(work, (args.modelreg_url, args.modelreg_data_dir))
            else:
                stop_server, uri, token, pid = starter(work)
            try:
                if pid:
                    waited = wait_until_idle(pid)
                    print(f"{name}: idle {waited:.1f} s after answering its health URL", flush=True)
                load_before = os.getloadavg()[0]
                print(f"{name}: running the flow against {uri} (load average {load_before:.1f}) ...", flush=True)
                results[name] = run_flow(uri, token, args, artifact)
                results[name]["load_average"] = [load_before, os.getloadavg()[0]]
                print(f"{name}: {json.dumps(results[name], default=str)}", flush=True)
            finally:
                if stop_server:
                    stop_server()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(table(results))
    print(
        "\nload average (1 min) before -> after each flow, on a machine shared with other work: "
        + ", ".join(f"{name} {r['load_average'][0]:.1f} -> {r['load_average'][1]:.1f}" for name, r in results.items())
    )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    try:
        main()
    except (ServerDidNotStart, RegistryDidNotStart) as e:
        raise SystemExit(str(e))
