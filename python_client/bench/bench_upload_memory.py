"""Peak RSS of a registry process while one large file is uploaded through it (proxied). Prints a table.

The issue's bound: registry memory stays flat (< 150 MB RSS) during a 5 GiB upload, to the bucket or to the
local store. Two registries, started as deployed
(the V8 flags in ``server/v8-flags``): one over a moto bucket with
``MODELREG_DIRECT_UPLOADS=false`` (every byte through the registry, multipart to the bucket) and one on its
local store. Each gets one streaming ``PUT .../artifacts/big.bin`` of ``--size-mib`` bytes read from a file
(with its X-Checksum-Sha256, as the Python client sends it); VmRSS and VmHWM are read from /proc every 50 ms.
"idle" is the RSS just before the upload, after one small warm-up upload (so the SDK and the hash worker are
loaded), "peak" the highest sample during it.

Usage:
  python python_client/bench/bench_upload_memory.py                  # 5 GiB
  python python_client/bench/bench_upload_memory.py --size-mib 2048 --stores local
"""

import argparse
import datetime
import hashlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))  # the shared launchers, tests/support
os.environ.setdefault("MODELREG_DISABLE_PROGRESS", "1")

import modelreg  # noqa: E402
import requests  # noqa: E402
from bench_s3_transfers import PeakRss  # noqa: E402  (this directory is on sys.path when run as a script)
from support import PRODUCTION_NODE_ARGS, Registry, RegistryDidNotStart  # noqa: E402
from support.moto import MotoDidNotStart, start_moto  # noqa: E402

MIB = 1024 * 1024
MB = 1000 * 1000


def write_random(path: Path, size: int) -> str:
    """A file of ``size`` bytes: 64 MiB of random bytes repeated (cheap to write), with its sha256."""
    block = os.urandom(64 * MIB)
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        left = size
        while left:
            chunk = block[: min(left, len(block))]
            handle.write(chunk)
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def put(registry: Registry, local: Path, digest: str, name: str) -> float:
    client = modelreg.Registry(registry.url, registry.token)
    group = f"m{uuid.uuid4().hex[:10]}"
    client.create_group(group)
    candidate = client.candidate(f"{group}/weights")
    start = time.perf_counter()
    with open(local, "rb") as body:
        answer = requests.put(
            f"{candidate.url}/artifacts/{name}",
            data=body,
            headers={
                "Authorization": f"Bearer {registry.token}",
                "X-Checksum-Sha256": digest,
                "Content-Length": str(local.stat().st_size),
            },
            timeout=3600,
        )
    seconds = time.perf_counter() - start
    if answer.status_code != 201:
        raise SystemExit(f"upload answered {answer.status_code}: {answer.text[:500]}")
    candidate.end()
    return seconds


def hwm_kb(registry: Registry) -> int:
    assert registry.proc
    for line in Path(f"/proc/{registry.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=5 * 1024)
    parser.add_argument("--stores", default="s3,local", help="which of s3,local to measure")
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=300,
        help="seconds moto_server and each registry get to answer (generous: a loaded machine is slow to start them)",
    )
    args = parser.parse_args()
    size = args.size_mib * MIB
    started = datetime.datetime.now(datetime.timezone.utc)
    rows: Dict[str, Dict[str, float]] = {}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="modelreg-mem-bench-") as tmp:
        work = Path(tmp)
        local = work / "big.bin"
        digest = write_random(local, size)
        small = work / "small.bin"
        small_digest = write_random(small, 9 * MIB)  # over one proxied part: the multipart path warms up too
        with start_moto(work / "moto", timeout=args.start_timeout) as moto:
            stores = {
                "s3 (proxied)": {**moto.env(moto.bucket()), "MODELREG_DIRECT_UPLOADS": "false"},
                "local": {},
            }
            wanted = args.stores.split(",")
            for store, env in stores.items():
                if store.split()[0] not in wanted:
                    continue
                registry = Registry(data_dir=work / store.split()[0], node_args=PRODUCTION_NODE_ARGS, env_extra=env)
                registry.start(timeout=args.start_timeout)
                try:
                    put(registry, small, small_digest, "warm.bin")
                    time.sleep(1)
                    idle_kb = registry.rss_kb()
                    with PeakRss(registry) as rss:
                        seconds = put(registry, local, digest, "big.bin")
                    loads.append(os.getloadavg()[0])
                    rows[store] = {
                        "idle": idle_kb / 1024,
                        "peak": rss.peak_kb / 1024,
                        "hwm": hwm_kb(registry) / 1024,
                        "seconds": seconds,
                    }
                    print(
                        f"{store:13} idle {idle_kb / 1024:6.1f} MiB  peak {rss.peak_kb / 1024:6.1f} MiB "
                        f"({rss.peak_kb * 1024 / MB:6.1f} MB)  VmHWM {rows[store]['hwm']:6.1f} MiB  "
                        f"{seconds:7.1f} s",
                        flush=True,
                    )
                finally:
                    registry.stop()
                    registry.cleanup()

    print()
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, one {args.size_mib} MiB proxied PUT per store, moto_server on loopback, "
        f"load average (1 min) {', '.join(f'{x:.1f}' for x in loads)}, {os.cpu_count()} CPUs"
    )
    print()
    print("| store | idle RSS MiB | peak RSS MiB | peak RSS MB | VmHWM MiB | upload s |")
    print("|---|---|---|---|---|---|")
    for store, r in rows.items():
        print(
            f"| {store} | {r['idle']:.1f} | {r['peak']:.1f} | {r['peak'] * MIB / MB:.1f} | {r['hwm']:.1f} | "
            f"{r['seconds']:.1f} |"
        )


if __name__ == "__main__":
    try:
        main()
    except (MotoDidNotStart, RegistryDidNotStart) as e:
        raise SystemExit(f"{Path(__file__).name}: {e}") from e
