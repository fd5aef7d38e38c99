"""Short crash-safety runs (the long one is `python tests/reliability/crash_harness.py`)."""

import hashlib
import threading
import time

import crash_harness as ch
import pytest
from support import Registry, postgres_reachable


def _assert_clean(totals: dict) -> None:
    assert totals["acknowledged"] > 100, totals
    assert totals["lost"] == 0, totals
    assert totals["half_visible"] == 0, totals
    assert totals["integrity_problems"] == 0, totals


def test_sqlite_survives_sigkill_rounds():
    _assert_clean(ch.run(rounds=3, clients=4, min_run=1.0, max_run=3.0, backend="sqlite", seed=7))


@pytest.mark.skipif(not postgres_reachable(), reason="PostgreSQL at 127.0.0.1:5432 is not reachable")
def test_postgres_survives_sigkill_rounds():
    _assert_clean(ch.run(rounds=2, clients=4, min_run=1.0, max_run=3.0, backend="postgres", seed=11))


def test_checker_sees_lost_and_half_visible_writes():
    """The harness is only worth its zeros if it notices planted damage."""
    reg = Registry()
    try:
        reg.start()
        ch.setup(reg)
        ledger, stop = ch.Ledger(), threading.Event()
        client = ch.Client(reg, ledger, stop, 1, 0, 1234, 64 * 1024)
        client.start()
        while len(ledger.uploads) < 3:
            time.sleep(0.05)
        stop.set()
        client.join()
        assert ch.Checker(reg).check(ledger) == {"lost": [], "half_visible": [], "problems": []}

        iid, path, lost_sha, _ = ledger.uploads[0]
        (reg.data_dir / "blobs" / "sha256" / lost_sha[:2] / lost_sha).unlink()
        sha = ledger.uploads[1][2]
        blob = reg.data_dir / "blobs" / "sha256" / sha[:2] / sha
        data = bytearray(blob.read_bytes())
        data[0] ^= 0xFF
        blob.write_bytes(bytes(data))
        assert hashlib.sha256(data).hexdigest() != sha
        result = ch.Checker(reg).check(ledger)
        assert f"artifact {iid}/{path}" in result["lost"]
        assert any(sha in line for line in result["half_visible"])
    finally:
        reg.cleanup()
