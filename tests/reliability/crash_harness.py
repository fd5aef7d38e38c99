"""Crash safety: concurrent writers, SIGKILL at random moments, restart, check what was acknowledged.

Each round starts the server, runs several client threads (random-file uploads, candidate
logging, metric batches, promotions), kills the server with SIGKILL after a random delay, checks
the database file, restarts, and verifies over HTTP that:
  - every write answered 2xx before the kill is present and intact (digests match) -> else "lost";
  - no artifact anywhere downloads with content other than its manifest digest, and no blob file
    is partial -> else "half-visible";
  - every version's manifest equals its candidate's and all its files download intact;
  - candidate and version numbers are unique and candidate numbers follow creation order;
  - SQLite passes PRAGMA integrity_check and foreign_key_check (PostgreSQL: constraint queries).

    python tests/reliability/crash_harness.py --rounds 10 --clients 6            # the long run
    python tests/reliability/crash_harness.py --rounds 3 --backend postgres

Prints acknowledged / lost / half-visible and exits 1 when either of the last two is not 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the support package
from support import Registry, psql  # noqa: E402

GROUP, MODEL = "crash", "model"
BASE = f"/models/{GROUP}/{MODEL}"


@dataclass
class Ledger:
    """Everything the server acknowledged with a 2xx, shared by the client threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    candidates: dict[int, dict] = field(default_factory=dict)  # iid -> {name, params}
    metrics: list[tuple[int, str, int, float]] = field(default_factory=list)  # iid, key, step, value
    uploads: list[tuple[int, str, str, int]] = field(default_factory=list)  # iid, path, sha256, size
    versions: dict[str, int] = field(default_factory=dict)  # version -> iid

    def count(self) -> int:
        return len(self.candidates) + len(self.metrics) + len(self.uploads) + len(self.versions)


class Client(threading.Thread):
    """One writer: picks a random operation, records it in the ledger only after a 2xx."""

    def __init__(
        self, reg: Registry, ledger: Ledger, stop: threading.Event, rnd: int, index: int, seed: int, max_file: int
    ):
        super().__init__(daemon=True)
        self.round, self.index, name = rnd, index, f"c{rnd}x{index}"
        self.reg, self.ledger, self.stop, self.cname, self.max_file = reg, ledger, stop, name, max_file
        self.rng = random.Random(seed)
        self.s = reg.session()
        self.mine: list[int] = []  # own unpromoted candidates
        self.n = 0

    def call(self, method: str, path: str, **kw) -> requests.Response | None:
        try:
            return self.s.request(method, self.reg.api + BASE + path, timeout=15, **kw)
        except requests.RequestException:
            return None  # the server died under us: not acknowledged

    def run(self) -> None:
        while not self.stop.is_set():
            self.n += 1
            op = self.rng.choices(["candidate", "upload", "metrics", "promote"], [2, 5, 3, 1])[0]
            if op == "candidate" or not self.mine:
                self.new_candidate()
            elif op == "upload":
                self.upload(self.rng.choice(self.mine))
            elif op == "metrics":
                self.metric_batch(self.rng.choice(self.mine))
            else:
                self.promote(self.mine[0])

    def new_candidate(self) -> None:
        name = f"{self.cname}-{self.n}"
        params = {"seed": str(self.rng.randrange(10**6)), "client": self.cname}
        metrics = [{"key": "auc", "value": self.rng.random(), "step": 0}]
        r = self.call("POST", "/candidates", json={"name": name, "params": params, "metrics": metrics})
        if r is not None and r.status_code == 201:
            iid = r.json()["iid"]
            with self.ledger.lock:
                self.ledger.candidates[iid] = {"name": name, "params": params}
                self.ledger.metrics.append((iid, "auc", 0, metrics[0]["value"]))
            self.mine.append(iid)

    def upload(self, iid: int) -> None:
        data = self.rng.randbytes(self.rng.randint(1, self.max_file))
        sha = hashlib.sha256(data).hexdigest()
        path = f"{self.cname}/{self.n}.bin"
        r = self.call("PUT", f"/candidates/{iid}/artifacts/{path}", data=data, headers={"X-Checksum-Sha256": sha})
        if r is not None and r.status_code == 201:
            with self.ledger.lock:
                self.ledger.uploads.append((iid, path, sha, len(data)))

    def metric_batch(self, iid: int) -> None:
        batch = [{"key": "loss", "value": self.rng.random(), "step": self.n * 100 + i} for i in range(20)]
        r = self.call("POST", f"/candidates/{iid}/metrics", json=batch)
        if r is not None and r.status_code == 201:
            with self.ledger.lock:
                self.ledger.metrics.extend((iid, m["key"], m["step"], m["value"]) for m in batch)

    def promote(self, iid: int) -> None:
        version = f"{self.round}.{self.index}.{self.n}"  # unique per client and round
        r = self.call("POST", "/versions", json={"version": version, "candidate": iid})
        if r is not None and r.status_code == 201:
            with self.ledger.lock:
                self.ledger.versions[version] = iid
        if r is not None and r.status_code in (201, 409):
            self.mine.remove(iid)  # promoted (or taken): locked from now on


def sqlite_integrity(data_dir: Path) -> list[str]:
    db = sqlite3.connect(data_dir / "registry.sqlite")
    try:
        problems = [r[0] for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in db.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        db.close()


def postgres_integrity(schema: str) -> list[str]:
    """Constraints are enforced by PostgreSQL; these queries prove the invariants the registry relies on."""
    checks = {
        "duplicate candidate numbers": "select count(*) from (select model_id, iid from candidates group by 1, 2 having count(*) > 1) d",
        "artifacts without blob rows": "select count(*) from artifacts a left join blobs b on b.sha256 = a.sha256 where b.sha256 is null",
        "versions of missing candidates": "select count(*) from versions v left join candidates c on c.id = v.candidate_id where c.id is null",
        "unlocked promoted candidates": "select count(*) from versions v join candidates c on c.id = v.candidate_id where c.locked = 0",
        "candidate counter behind": "select count(*) from models m where m.last_candidate_iid < (select coalesce(max(iid), 0) from candidates c where c.model_id = m.id)",
        "invalid constraints": "select count(*) from pg_constraint where connamespace = current_schema()::regnamespace and not convalidated",
    }
    return [f"{what}: {n}" for what, q in checks.items() if (n := psql(q, schema).strip()) != "0"]


def blob_files_intact(data_dir: Path) -> list[str]:
    bad = []
    for f in (data_dir / "blobs" / "sha256").glob("*/*"):
        if len(f.name) == 64 and hashlib.sha256(f.read_bytes()).hexdigest() != f.name:
            bad.append(f"blob file {f.name} does not hash to its name")
    return bad


class Checker:
    def __init__(self, reg: Registry):
        self.reg = reg
        self.s = reg.session()
        self.digests: dict[tuple[int, str], str | None] = {}

    def get(self, path: str):
        r = self.s.get(self.reg.api + BASE + path, timeout=60)
        return r

    def served_digest(self, iid: int, path: str) -> str | None:
        """sha256 of what a full download delivers, or None when the transfer fails."""
        key = (iid, path)
        if key not in self.digests:
            try:
                r = self.s.get(f"{self.reg.api}{BASE}/candidates/{iid}/artifacts/{path}", timeout=60)
                self.digests[key] = hashlib.sha256(r.content).hexdigest() if r.status_code == 200 else None
            except requests.RequestException:
                self.digests[key] = None
        return self.digests[key]

    def all_candidates(self) -> list[dict]:
        items, cursor = [], None
        while True:
            r = self.get("/candidates?limit=500&order_by=iid%20ASC" + (f"&cursor={cursor}" if cursor else "")).json()
            items += r["items"]
            cursor = r["next_cursor"]
            if not cursor:
                return items

    def check(self, ledger: Ledger) -> dict:
        lost: list[str] = []
        half: list[str] = []
        problems: list[str] = []
        candidates = self.all_candidates()
        by_iid = {c["iid"]: c for c in candidates}
        iids = [c["iid"] for c in candidates]
        if len(iids) != len(set(iids)):
            problems.append("duplicate candidate numbers")
        ordered = sorted(candidates, key=lambda c: c["iid"])
        if any(a["created_at"] > b["created_at"] for a, b in zip(ordered, ordered[1:])):
            problems.append("candidate numbers do not follow creation order")

        for iid, want in ledger.candidates.items():
            got = by_iid.get(iid)
            if (
                not got
                or got["name"] != want["name"]
                or any(got["params"].get(k) != v for k, v in want["params"].items())
            ):
                lost.append(f"candidate {iid}")
        history: dict[tuple[int, str], set] = {}
        for iid, key, step, value in ledger.metrics:
            if (iid, key) not in history:
                r = self.get(f"/candidates/{iid}/metrics/{key}")
                history[(iid, key)] = (
                    {(h["step"], h["value"]) for h in r.json().get("history", [])} if r.status_code == 200 else set()
                )
            if (step, value) not in history[(iid, key)]:
                lost.append(f"metric {iid}/{key}@{step}")
        manifests: dict[int, dict[str, dict]] = {}
        for c in candidates:
            r = self.get(f"/candidates/{c['iid']}/artifacts")
            manifests[c["iid"]] = {f["path"]: f for f in r.json()["items"]} if r.status_code == 200 else {}
        for iid, path, sha, size in ledger.uploads:
            f = manifests.get(iid, {}).get(path)
            if not f or f["sha256"] != sha or f["size"] != size or self.served_digest(iid, path) != sha:
                lost.append(f"artifact {iid}/{path}")
        # Every visible artifact, acknowledged or not, must be whole.
        for iid, files in manifests.items():
            for path, f in files.items():
                if self.served_digest(iid, path) != f["sha256"]:
                    half.append(f"artifact {iid}/{path} served with other content")
        versions = self.get("/versions?limit=500").json()["items"]
        names = [v["version"] for v in versions]
        if len(names) != len(set(names)):
            problems.append("duplicate version numbers")
        for v in versions:
            files = {f["path"]: f["sha256"] for f in v["files"]}
            cand = {p: f["sha256"] for p, f in manifests.get(v["candidate"], {}).items()}
            if files != cand:
                half.append(f"version {v['version']} manifest differs from candidate {v['candidate']}")
        for version, iid in ledger.versions.items():
            got = next((v for v in versions if v["version"] == version), None)
            if not got or got["candidate"] != iid:
                lost.append(f"version {version}")
        half += blob_files_intact(self.reg.data_dir)
        return {"lost": lost, "half_visible": half, "problems": problems}


def setup(reg: Registry) -> None:
    s = reg.session()
    s.post(reg.api + "/groups", json={"name": GROUP, "visibility": "private"}, timeout=30).raise_for_status()
    s.post(reg.api + f"/models/{GROUP}", json={"name": MODEL}, timeout=30).raise_for_status()


def run(
    rounds: int = 5,
    clients: int = 4,
    min_run: float = 1.0,
    max_run: float = 4.0,
    backend: str = "sqlite",
    seed: int | None = None,
    max_file: int = 256 * 1024,
    log=print,
) -> dict:
    rng = random.Random(seed)
    reg = Registry(backend=backend)
    ledger = Ledger()
    totals = {
        "rounds": rounds,
        "backend": backend,
        "acknowledged": 0,
        "lost": 0,
        "half_visible": 0,
        "integrity_problems": 0,
    }
    try:
        reg.start()
        setup(reg)
        for rnd in range(1, rounds + 1):
            stop = threading.Event()
            threads = [Client(reg, ledger, stop, rnd, i, rng.randrange(2**32), max_file) for i in range(clients)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(min_run, max_run))
            reg.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            integrity = sqlite_integrity(reg.data_dir) if backend == "sqlite" else postgres_integrity(reg.schema)
            reg.start()
            result = Checker(reg).check(ledger)
            result["problems"] += integrity
            totals.update(
                acknowledged=ledger.count(), lost=len(result["lost"]), half_visible=len(result["half_visible"])
            )
            totals["integrity_problems"] += len(result["problems"])
            log(
                f"round {rnd}: acknowledged {ledger.count()} (candidates {len(ledger.candidates)}, metrics {len(ledger.metrics)}, "
                f"uploads {len(ledger.uploads)}, versions {len(ledger.versions)}); lost {len(result['lost'])}; "
                f"half-visible {len(result['half_visible'])}; integrity {'ok' if not result['problems'] else result['problems']}"
            )
            for line in (result["lost"] + result["half_visible"])[:20]:
                log(f"  {line}")
        return totals
    finally:
        reg.cleanup()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--min-run", type=float, default=1.0, help="seconds of load before a kill, at least")
    ap.add_argument("--max-run", type=float, default=5.0, help="seconds of load before a kill, at most")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--max-file", type=int, default=512 * 1024, help="largest random upload, bytes")
    ap.add_argument("--seed", type=int)
    a = ap.parse_args()
    totals = run(a.rounds, a.clients, a.min_run, a.max_run, a.backend, a.seed, a.max_file)
    print(
        f"acknowledged {totals['acknowledged']}  lost {totals['lost']}  half-visible {totals['half_visible']}  "
        f"integrity problems {totals['integrity_problems']}"
    )
    print(json.dumps(totals))
    return 0 if totals["lost"] == totals["half_visible"] == totals["integrity_problems"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
