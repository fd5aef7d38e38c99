"""Heartbeats for the candidates this process holds open.

The registry ends a running candidate as failed when its lease runs out (no heartbeat for
``lease_seconds``, 300 by default): a kernel killed mid-upload or a crashed job no longer leaves a
candidate "running" forever. One daemon thread renews the lease of every open candidate; it dies
with the process, which is the point.
"""

import threading
import weakref
from typing import TYPE_CHECKING, Optional

from .errors import NotFound, RegistryError

if TYPE_CHECKING:  # pragma: no cover
    from .candidate import Candidate

#: Renew this often until the registry says how long its lease is (then a third of it).
DEFAULT_INTERVAL_SECONDS = 60.0

_lock = threading.Lock()
_open: "weakref.WeakSet[Candidate]" = weakref.WeakSet()
_wake = threading.Event()  # a new candidate may need a shorter round than the one being slept
_state: dict = {"thread": None}
#: Seconds between renewals for each open candidate: registries differ in lease length.
_intervals: "weakref.WeakKeyDictionary[Candidate, float]" = weakref.WeakKeyDictionary()


def keep_open(candidate: "Candidate") -> None:
    """Take a lease now (so even a process killed at once leaves it failed) and renew it until
    :func:`release`."""
    _beat(candidate, first=True)
    with _lock:
        _open.add(candidate)
        thread: Optional[threading.Thread] = _state["thread"]  # type: ignore[assignment]
        if thread is None or not thread.is_alive():
            thread = threading.Thread(target=_run, name="modelreg-heartbeat", daemon=True)
            _state["thread"] = thread
            thread.start()
    _wake.set()


def release(candidate: "Candidate") -> None:
    """Stop renewing (the candidate ended, or the registry refuses to keep it open)."""
    with _lock:
        _open.discard(candidate)
        _intervals.pop(candidate, None)


def _beat(candidate: "Candidate", first: bool = False) -> None:
    try:
        lease = candidate._registry._client.json("POST", f"{candidate.path}/heartbeat")
    except NotFound:  # a registry without leases, or the candidate was deleted
        if not first:
            release(candidate)
        return
    except RegistryError as error:
        if error.code in ("CONFLICT", "VERSION_LOCKED"):
            release(candidate)  # ended or promoted elsewhere: nothing to keep open
        return  # registry unreachable: try again next round; a late heartbeat reopens it
    if isinstance(lease, dict) and lease.get("lease_seconds"):
        interval = max(0.2, min(DEFAULT_INTERVAL_SECONDS, float(lease["lease_seconds"]) / 3))
        with _lock:
            _intervals[candidate] = interval


def _run() -> None:
    while True:
        with _lock:
            candidates = list(_open)
        for candidate in candidates:
            _beat(candidate)
        with _lock:
            interval = min(
                (_intervals.get(c, DEFAULT_INTERVAL_SECONDS) for c in _open), default=DEFAULT_INTERVAL_SECONDS
            )
        # Woken early when a candidate joins, so a 6 s lease is not left to a 60 s round.
        _wake.wait(interval)
        _wake.clear()
