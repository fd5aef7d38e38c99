"""Presigned vs proxied artifact transfers over an S3 bucket, in one run. Prints a markdown table.

Two registries over one moto server (each its own bucket), started as deployed
(the V8 flags in ``server/v8-flags``):
``presigned`` (the default with a bucket: parts PUT straight to the bucket, downloads answered 307) and
``proxied`` (``MODELREG_DIRECT_UPLOADS=false``, ``MODELREG_DIRECT_DOWNLOADS=false``: every byte through the
registry). Rounds alternate the two, so machine load weighs on both alike. Each round uploads a fresh file of
``--size-mib`` (its first bytes changed, so nothing dedups) with ``Candidate.log_artifact`` and pulls it back
with ``Registry.pull`` into an empty cache, sampling the registry's RSS every 50 ms and reading its
``modelreg_artifact_bytes_proxied_total`` before and after.

Usage:
  python python_client/bench/bench_s3_transfers.py                 # 1 GiB, 3 rounds
  python python_client/bench/bench_s3_transfers.py --size-mib 256 --rounds 1
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))  # the shared launchers, tests/support
os.environ.setdefault("MODELREG_DISABLE_PROGRESS", "1")

import boto3  # noqa: E402
import modelreg  # noqa: E402
import requests  # noqa: E402
from support import PRODUCTION_NODE_ARGS, Registry, RegistryDidNotStart  # noqa: E402
from support.moto import CREDENTIALS, Moto, MotoDidNotStart, start_moto  # noqa: E402

MIB = 1024 * 1024
MODES = {
    "presigned": {},
    "proxied": {"MODELREG_DIRECT_UPLOADS": "false", "MODELREG_DIRECT_DOWNLOADS": "false"},
}


class PeakRss:
    """Samples a registry's VmRSS every 50 ms while the block runs."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, self._registry.rss_kb())
            self._stop.wait(0.05)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def proxied_bytes(registry: Registry) -> float:
    text = requests.get(f"{registry.url}/metrics", timeout=30).text
    return sum(float(v) for v in re.findall(r"^modelreg_artifact_bytes_proxied_total\{[^}]*\} (\S+)$", text, re.M))


def write_random(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        left = size
        while left:
            chunk = os.urandom(min(left, 16 * MIB))
            handle.write(chunk)
            left -= len(chunk)


def empty_bucket(moto: Moto, bucket: str) -> None:
    """Frees moto's disk between rounds; the next round's bytes are new anyway."""
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.endpoint,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_REGION"],
    )
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])


def measure(registry: Registry, action: Callable[[], object]) -> Dict[str, float]:
    before = proxied_bytes(registry)
    with PeakRss(registry) as rss:
        start = time.perf_counter()
        action()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "rss_mib": rss.peak_kb / 1024, "proxied_mib": (proxied_bytes(registry) - before) / MIB}


def one_round(registry: Registry, local: Path, size: int, work: Path) -> Dict[str, Dict[str, float]]:
    with open(local, "r+b") as handle:  # new bytes: a digest the bucket has not seen
        handle.write(os.urandom(64))
    os.environ["MODELREG_CACHE"] = str(work / f"cache-{uuid.uuid4().hex[:8]}")  # every pull is cold
    client = modelreg.Registry(registry.url, registry.token)
    group = f"b{uuid.uuid4().hex[:10]}"
    client.create_group(group)
    model = f"{group}/weights"
    candidate = client.candidate(model)
    upload = measure(registry, lambda: candidate.log_artifact(local))
    candidate.end()
    candidate.promote("1.0.0")
    pulled: List[Path] = []
    download = measure(registry, lambda: pulled.append(client.pull(f"{model}@1.0.0")))
    got = (pulled[0] / local.name).stat().st_size
    assert got == size, f"pulled {got} bytes, wanted {size}"
    return {"upload": upload, "download": download}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=300,
        help="seconds moto_server and each registry get to answer (generous: a loaded machine is slow to start them)",
    )
    args = parser.parse_args()
    size = args.size_mib * MIB
    results: Dict[str, Dict[str, List[Dict[str, float]]]] = {m: {"upload": [], "download": []} for m in MODES}
    loads: List[float] = []
    started = datetime.datetime.now(datetime.timezone.utc)
    with tempfile.TemporaryDirectory(prefix="modelreg-s3-bench-") as tmp:
        work = Path(tmp)
        local = work / "weights.bin"
        write_random(local, size)
        with start_moto(work / "moto", timeout=args.start_timeout) as moto:
            registries: Dict[str, Registry] = {}
            buckets: Dict[str, str] = {}
            try:
                for mode, extra in MODES.items():
                    buckets[mode] = moto.bucket()
                    registries[mode] = Registry(
                        data_dir=work / mode,
                        node_args=PRODUCTION_NODE_ARGS,
                        env_extra={**moto.env(buckets[mode]), **extra},
                    )
                    registries[mode].start(timeout=args.start_timeout)
                for n in range(args.rounds):
                    for mode in MODES:
                        loads.append(os.getloadavg()[0])
                        result = one_round(registries[mode], local, size, work)
                        for op, numbers in result.items():
                            results[mode][op].append(numbers)
                            print(
                                f"round {n + 1} {mode:9} {op:8} {numbers['seconds']:7.2f} s  "
                                f"{args.size_mib / numbers['seconds']:7.1f} MiB/s  peak RSS {numbers['rss_mib']:6.1f} MiB  "
                                f"proxied {numbers['proxied_mib']:7.1f} MiB",
                                flush=True,
                            )
                        empty_bucket(moto, buckets[mode])
                        loads.append(os.getloadavg()[0])
            finally:
                for registry in registries.values():
                    registry.stop()
                    registry.cleanup()

    print()
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {args.size_mib} MiB, {args.rounds} rounds, moto_server on loopback, "
        f"load average (1 min) median {statistics.median(loads):.1f} (min {min(loads):.1f}, max {max(loads):.1f}), "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print("| transfer | mode | median s | MiB/s | peak registry RSS MiB | bytes through the registry MiB |")
    print("|---|---|---|---|---|---|")
    for op in ("upload", "download"):
        for mode in MODES:
            runs = results[mode][op]
            seconds = statistics.median(r["seconds"] for r in runs)
            print(
                f"| {op} | {mode} | {seconds:.2f} | {args.size_mib / seconds:.1f} | "
                f"{max(r['rss_mib'] for r in runs):.1f} | {statistics.median(r['proxied_mib'] for r in runs):.0f} |"
            )


if __name__ == "__main__":
    try:
        main()
    except (MotoDidNotStart, RegistryDidNotStart) as e:
        raise SystemExit(f"{Path(__file__).name}: {e}") from e
