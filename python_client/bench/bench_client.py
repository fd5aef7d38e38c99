"""Benchmark of the Python client against a real registry server. Prints a table.

Measures:
  - cold pull of a 1 GiB version vs. curl of the same bytes from the same server, rounds side by
    side (target: median ratio >= 0.9x curl)
  - warm pull of that version (target < 50 ms), by exact version and by @latest
  - logging 100,000 metric points the way a notebook does, flush included (target < 5 s)

Usage:
  python bench/bench_client.py                      # starts server/dist/cli.js on a temp data dir
  python bench/bench_client.py --url URL --token T  # against a running server
  python bench/bench_client.py --size-mib 256       # smaller version for a quick run
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))  # the shared launcher, tests/support
os.environ.setdefault("MODELREG_DISABLE_PROGRESS", "1")

import modelreg  # noqa: E402
from support import PRODUCTION_NODE_ARGS, start_registry  # noqa: E402

MIB = 1024 * 1024
METRIC_POINTS = 100_000
WARM_TARGET_SECONDS = 0.05


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _write_random(path: Path, size: int) -> None:
    block = os.urandom(64 * MIB)
    with open(path, "wb") as handle:
        written = 0
        while written < size:
            # Vary each block so no two blocks share bytes, without paying urandom for all of it.
            chunk = (written.to_bytes(8, "little") + block)[: min(len(block), size - written)]
            handle.write(chunk)
            written += len(chunk)


def _settle() -> None:
    """Write back what the previous transfer left dirty, so the next one does not pay for it.

    Without it, each round's pull paid the writeback and page reclaim of the 1 GiB curl had just written
    (0.59x in the paired rounds against 1.30x when the two ran as separate processes, 2026-12-03).
    """
    os.sync()


def run(url: str, token: str, workdir: Path, size_mib: int, rounds: int) -> Tuple[List[Tuple[str, str, str, str]], str]:
    os.environ["MODELREG_CACHE"] = str(workdir / "unused-cache")
    registry = modelreg.Registry(url, token)
    group = f"bench{uuid.uuid4().hex[:8]}"
    registry.create_group(group)
    model = f"{group}/big"
    source = workdir / "model.bin"
    size = size_mib * MIB
    _write_random(source, size)

    with registry.candidate(model, name="bench") as candidate:
        upload = _timed(lambda: candidate.log_artifact(source))
    candidate.promote("1.0.0")
    source.unlink()
    artifact_url = f"{url}/api/v1/models/{model}/versions/1.0.0/artifacts/model.bin"

    curl_times, pull_times = [], []
    curl_cpu = pull_cpu = 0.0
    for round_number in range(rounds):
        target = workdir / "curl.bin"
        cache = workdir / f"cache-{round_number}"

        def time_curl() -> None:
            nonlocal curl_cpu
            curl = ["curl", "-sSf", "-o", str(target), "-H", f"Authorization: Bearer {token}", artifact_url]
            _settle()
            before = _cpu_seconds(resource.RUSAGE_CHILDREN)
            curl_times.append(_timed(lambda: subprocess.run(curl, check=True)))
            curl_cpu += _cpu_seconds(resource.RUSAGE_CHILDREN) - before
            target.unlink()

        def time_pull() -> None:
            nonlocal pull_cpu
            cold = modelreg.Registry(url, token, cache_dir=cache)  # noqa: B023 - called in this round
            _settle()
            before = _cpu_seconds(resource.RUSAGE_SELF)
            pull_times.append(_timed(lambda: cold.pull(f"{model}@1.0.0")))
            pull_cpu += _cpu_seconds(resource.RUSAGE_SELF) - before

        # Alternate which goes first, so neither always meets the page cache the other left.
        for transfer in (time_curl, time_pull) if round_number % 2 == 0 else (time_pull, time_curl):
            transfer()
        if round_number < rounds - 1:
            shutil.rmtree(cache)
    warm = modelreg.Registry(url, token, cache_dir=workdir / f"cache-{rounds - 1}")
    warm_exact = statistics.median(_timed(lambda: warm.pull(f"{model}@1.0.0")) for _ in range(20))
    warm_latest = statistics.median(_timed(lambda: warm.pull(f"{model}@latest")) for _ in range(20))
    # A new process start pays imports; a fresh Registry is what a notebook cell pays.
    fresh_warm = statistics.median(
        _timed(lambda: modelreg.Registry(url, token, cache_dir=workdir / f"cache-{rounds - 1}").pull(f"{model}@1.0.0"))
        for _ in range(20)
    )

    metrics_candidate = registry.candidate(model, name="metrics")

    start = time.perf_counter()
    for step in range(METRIC_POINTS):
        metrics_candidate.log_metric("loss", 1.0 / (step + 1), step=step)
    logged = time.perf_counter() - start  # what the training loop waited for
    metrics_candidate.flush()
    metrics_time = time.perf_counter() - start
    metrics_candidate.end()

    curl, pull = statistics.median(curl_times), statistics.median(pull_times)
    # Each round's curl and pull run back to back, so their ratio is what the noise spares.
    ratio = statistics.median(c / p for c, p in zip(curl_times, pull_times))
    gib = size / 2**30
    rounds_text = (
        "rounds (curl s / pull s): "
        + ", ".join(f"{c:.2f}/{p:.2f}" for c, p in zip(curl_times, pull_times))
        + f"\nCPU seconds per transfer (user+sys): curl {curl_cpu / rounds:.2f}, "
        f"pull {pull_cpu / rounds:.2f} (the pull also checks sha256)"
    )
    return [
        (f"upload {size_mib} MiB (new bytes)", f"{upload:.2f} s ({size / MIB / upload:.0f} MiB/s)", "-", ""),
        (f"curl {size_mib} MiB (median of {rounds})", f"{curl:.2f} s ({gib / curl:.2f} GiB/s)", "-", ""),
        (
            f"cold pull {size_mib} MiB (median of {rounds})",
            f"{pull:.2f} s ({gib / pull:.2f} GiB/s)",
            ">= 0.9x curl (median ratio)",
            f"{ratio:.2f}x {'ok' if ratio >= 0.9 else 'MISSED'}",
        ),
        (
            "warm pull, exact version (median of 20)",
            f"{warm_exact * 1000:.1f} ms",
            "< 50 ms",
            "ok" if warm_exact < WARM_TARGET_SECONDS else "MISSED",
        ),
        (
            "warm pull, @latest (median of 20)",
            f"{warm_latest * 1000:.1f} ms",
            "< 50 ms",
            "ok" if warm_latest < WARM_TARGET_SECONDS else "MISSED",
        ),
        (
            "warm pull, new Registry() (median of 20)",
            f"{fresh_warm * 1000:.1f} ms",
            "< 50 ms",
            "ok" if fresh_warm < WARM_TARGET_SECONDS else "MISSED",
        ),
        (
            f"log {METRIC_POINTS:,} metric points + flush",
            f"{metrics_time:.2f} s (loop {logged:.2f} s)",
            "< 5 s",
            "ok" if metrics_time < 5 else "MISSED",
        ),
    ], rounds_text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("MODELREG_URL"))
    parser.add_argument("--token", default=os.environ.get("MODELREG_TOKEN"))
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modelreg-bench-") as tmp:
        workdir = Path(tmp)
        registry = None
        url, token = args.url, args.token
        if not url:
            registry = start_registry(data_dir=workdir / "server-data", node_args=PRODUCTION_NODE_ARGS)
            url, token = registry.url, registry.token
        try:
            rows, rounds_text = run(url, token, workdir, args.size_mib, args.rounds)
        finally:
            if registry is not None:
                registry.cleanup()
    header = ("measure", "result", "target", "verdict")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{rounds_text}\n{os.cpu_count()} CPUs, load average {load} (other processes share this machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
