"""Bounded soak: many concurrent clients with a mixed workload against a loopback server.

Starts its own server (SQLite in a temp dir, or --backend postgres), seeds a few models, then
runs --clients threads for --duration seconds: browse cards and lists, log candidates with
metrics, metric batches, upload and pull artifacts (pulls are hash-checked), promote. Stops by
itself. Prints throughput, p50/p99 per operation, errors (must be 0) and the server's RSS at
start and end.

    python tests/reliability/soak.py                      # 50 clients, 120 s
    python tests/reliability/soak.py --clients 10 --duration 15
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the support package
from support import Registry  # noqa: E402

GROUP = "soak"
OPS = {"browse": 4, "card": 3, "search": 2, "log_candidate": 2, "metrics": 3, "upload": 2, "pull": 3, "promote": 1}


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def record(self, op: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latency[op].append(seconds)
            if error:
                self.errors.append(f"{op}: {error}")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000 if s else 0.0


class Worker(threading.Thread):
    def __init__(
        self,
        reg: Registry,
        stats: Stats,
        stop: threading.Event,
        index: int,
        models: list[str],
        pulls: list,
        file_size: int,
    ):
        super().__init__(daemon=True)
        self.reg, self.stats, self.stop, self.index, self.models, self.pulls, self.file_size = (
            reg,
            stats,
            stop,
            index,
            models,
            pulls,
            file_size,
        )
        self.rng = random.Random(index)
        self.s = reg.session()
        self.model = models[index % len(models)]
        self.mine: list[int] = []
        self.n = 0

    def url(self, path: str) -> str:
        return f"{self.reg.api}/models/{GROUP}/{self.model}{path}"

    def timed(self, op: str, method: str, url: str, expect: int, check=None, **kw) -> requests.Response | None:
        t = time.perf_counter()
        err = None
        r = None
        try:
            r = self.s.request(method, url, timeout=60, **kw)
            if r.status_code != expect:
                err = f"{method} {url} -> {r.status_code} {r.text[:200]}"
            elif check:
                err = check(r)
        except requests.RequestException as e:
            err = f"{method} {url}: {e}"
        self.stats.record(op, time.perf_counter() - t, err)
        return r if err is None else None

    def run(self) -> None:
        names, weights = list(OPS), list(OPS.values())
        while not self.stop.is_set():
            self.n += 1
            op = self.rng.choices(names, weights)[0]
            if op in ("metrics", "upload", "promote") and not self.mine:
                op = "log_candidate"
            getattr(self, op)()

    def browse(self) -> None:
        self.timed("browse", "GET", f"{self.reg.api}/models?group={GROUP}&limit=20", 200)

    def card(self) -> None:
        self.timed("card", "GET", f"{self.reg.api}/models/{GROUP}/{self.rng.choice(self.models)}", 200)

    def search(self) -> None:
        self.timed("search", "GET", self.url("/candidates?order_by=metrics.auc%20DESC&limit=20"), 200)

    def log_candidate(self) -> None:
        body = {
            "name": f"w{self.index}-{self.n}",
            "params": {"lr": str(self.rng.random())},
            "metrics": [
                {"key": k, "value": self.rng.random(), "step": 0} for k in ("auc", "loss", "acc", "f1", "recall")
            ],
        }
        r = self.timed("log_candidate", "POST", self.url("/candidates"), 201, json=body)
        if r is not None:
            self.mine.append(r.json()["iid"])

    def metrics(self) -> None:
        batch = [{"key": "loss", "value": self.rng.random(), "step": self.n * 100 + i} for i in range(20)]
        self.timed("metrics", "POST", self.url(f"/candidates/{self.rng.choice(self.mine)}/metrics"), 201, json=batch)

    def upload(self) -> None:
        data = self.rng.randbytes(self.file_size)
        iid, path = self.rng.choice(self.mine), f"f{self.n}.bin"
        sha = hashlib.sha256(data).hexdigest()
        if (
            self.timed(
                "upload",
                "PUT",
                self.url(f"/candidates/{iid}/artifacts/{path}"),
                201,
                data=data,
                headers={"X-Checksum-Sha256": sha},
            )
            is not None
        ):
            self.pulls.append((self.model, iid, path, sha))

    def pull(self) -> None:
        if not self.pulls:
            return
        model, iid, path, sha = self.rng.choice(self.pulls)
        url = f"{self.reg.api}/models/{GROUP}/{model}/candidates/{iid}/artifacts/{path}"
        self.timed(
            "pull",
            "GET",
            url,
            200,
            check=lambda r: None if hashlib.sha256(r.content).hexdigest() == sha else "digest mismatch",
        )

    def promote(self) -> None:
        iid = self.mine.pop(0)
        self.timed(
            "promote",
            "POST",
            self.url("/versions"),
            201,
            json={"version": f"{self.index}.{self.n}.0", "candidate": iid},
        )


def seed(reg: Registry, models: int) -> list[str]:
    s = reg.session()
    s.post(f"{reg.api}/groups", json={"name": GROUP, "visibility": "private"}, timeout=30).raise_for_status()
    names = [f"m{i}" for i in range(models)]
    for m in names:
        s.post(
            f"{reg.api}/models/{GROUP}", json={"name": m, "description": "soak model"}, timeout=30
        ).raise_for_status()
    return names


def run(
    clients: int = 50,
    duration: float = 120.0,
    models: int = 10,
    file_size: int = 64 * 1024,
    backend: str = "sqlite",
    log=print,
) -> dict:
    reg = Registry(backend=backend)
    try:
        reg.start()
        names = seed(reg, models)
        stats, stop, pulls = Stats(), threading.Event(), []
        rss_start = reg.rss_kb()
        workers = [Worker(reg, stats, stop, i, names, pulls, file_size) for i in range(clients)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        samples: list[int] = []  # RSS once a second: growth that levels off is warm-up, steady growth a leak
        while time.perf_counter() - t0 < duration:
            time.sleep(min(1.0, duration))
            samples.append(reg.rss_kb())
        rss_max = max([rss_start, *samples])
        quarters = (
            [round(samples[min(len(samples) - 1, len(samples) * q // 4)] / 1024, 1) for q in (1, 2, 3)]
            if samples
            else []
        )
        stop.set()
        for w in workers:
            w.join(timeout=120)
        elapsed = time.perf_counter() - t0
        rss_end = reg.rss_kb()
        total = sum(len(v) for v in stats.latency.values())
        result = {
            "clients": clients,
            "duration_s": round(elapsed, 1),
            "backend": backend,
            "requests": total,
            "throughput_rps": round(total / elapsed, 1),
            "errors": len(stats.errors),
            "rss_start_mb": round(rss_start / 1024, 1),
            "rss_quarters_mb": quarters,
            "rss_end_mb": round(rss_end / 1024, 1),
            "rss_max_mb": round(rss_max / 1024, 1),
            "ops": {
                op: {"count": len(v), "p50_ms": round(pct(v, 50), 1), "p99_ms": round(pct(v, 99), 1)}
                for op, v in sorted(stats.latency.items())
            },
        }
        log(
            f"{clients} clients, {elapsed:.0f} s, {backend}: {total} requests, {result['throughput_rps']} req/s, errors {len(stats.errors)}"
        )
        log(f"{'operation':<14}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
        for op, o in result["ops"].items():
            log(f"{op:<14}{o['count']:>8}{o['p50_ms']:>10}{o['p99_ms']:>10}")
        log(
            f"server RSS: start {result['rss_start_mb']} MB, at 1/4, 1/2, 3/4 of the run {quarters} MB, end {result['rss_end_mb']} MB, max {result['rss_max_mb']} MB"
        )
        for e in stats.errors[:10]:
            log(f"  error: {e}")
        return result
    finally:
        reg.cleanup()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=120.0, help="seconds")
    ap.add_argument("--models", type=int, default=10)
    ap.add_argument("--file-size", type=int, default=64 * 1024, help="bytes per uploaded artifact")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    a = ap.parse_args()
    res = run(a.clients, a.duration, a.models, a.file_size, a.backend)
    print(json.dumps(res))
    return 0 if res["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
