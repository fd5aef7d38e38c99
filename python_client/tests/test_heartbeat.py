"""Leases (issue 19, bug 5): a candidate whose process died ends failed; a live process keeps it open."""

import subprocess
import sys
import textwrap
import time

import modelreg
import pytest
from support import registry_fixture

LEASE_SECONDS = 6


@pytest.fixture(scope="module")
def short_lease():
    """A registry whose leases last 6 s: a dead process shows within seconds, a loaded machine is no false alarm."""
    yield from registry_fixture(env_extra={"MODELREG_CANDIDATE_LEASE_SECONDS": str(LEASE_SECONDS)})


def _wait_for_status(registry, model, iid, status, seconds=45.0):
    deadline = time.monotonic() + seconds
    while True:
        data = registry.get_candidate(model, iid).to_dict()
        if data["status"] == status or time.monotonic() > deadline:
            return data
        time.sleep(0.3)


def test_a_process_killed_mid_run_leaves_its_candidate_failed_with_the_reason(short_lease, tmp_path):
    registry = modelreg.Registry(short_lease.url, short_lease.token)
    group = "hb" + str(int(time.time() * 1000))[-8:]
    registry.create_group(group, visibility="private")
    model = f"{group}/churn"
    script = textwrap.dedent(
        f"""
        import os, modelreg
        c = modelreg.Registry({short_lease.url!r}, {short_lease.token!r}).candidate({model!r}, name="killed")
        print(c.iid, flush=True)
        os._exit(9)  # like a killed kernel: no atexit, no end()
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    iid = int(done.stdout.split()[0])
    data = _wait_for_status(registry, model, iid, "failed")
    assert data["status"] == "failed", data
    assert data["status_reason"].startswith("No heartbeat from the process that logged it since")


def test_a_live_process_keeps_its_candidate_running_past_the_lease(short_lease, registry: modelreg.Registry, model):
    # A candidate open on a registry with the default 300 s lease puts the heartbeat thread on a
    # 60 s round; the short-lease candidate opened next must not wait for that round to end.
    long_lease = registry.candidate(model, name="long-lease")
    short = modelreg.Registry(short_lease.url, short_lease.token)
    group = "hl" + str(int(time.time() * 1000))[-8:]
    short.create_group(group, visibility="private")
    short_model = f"{group}/churn"
    candidate = short.candidate(short_model, name="alive")
    time.sleep(LEASE_SECONDS * 3)
    assert short.get_candidate(short_model, candidate.iid).status == "running"
    candidate.finish()
    assert short.get_candidate(short_model, candidate.iid).status == "finished"
    long_lease.finish()
