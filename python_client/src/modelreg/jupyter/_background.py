"""Uploads that run in a thread of the kernel, so it runs other cells while a large model is sent.

Each upload reports over its own ``modelreg.upload`` comm (the extension listens for that target):
byte progress, then a ``result`` or an ``error`` event, then the comm closes. A ``{"action":
"cancel"}`` message on the comm, or :func:`cancel_upload`, stops it: the file being sent is not
attached and the candidate this log created is marked failed.
"""

import shutil
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Optional

from .. import _fluent, _provenance
from ..errors import RegistryUnavailable
from . import _events

if TYPE_CHECKING:
    from ._log import _Ready

COMM_TARGET = "modelreg.upload"


class BackgroundUpload:
    """One upload running in its thread."""

    def __init__(self, ready: "_Ready", scratch: Path, created: bool) -> None:
        self.id = uuid.uuid4().hex
        self.ready = ready
        self.cancelled = threading.Event()
        self.outcome: Optional[Dict[str, Any]] = None
        self._scratch = scratch
        self._created = created
        self._comm = _open_comm(self)
        self._thread = threading.Thread(target=self._run, name=f"modelreg-upload-{self.id[:8]}", daemon=True)

    def cancel(self) -> None:
        self.cancelled.set()

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the upload to end; True when it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def report(self, event: Dict[str, Any]) -> None:
        event = {**event, "upload_id": self.id}
        if event["event"] in ("result", "error"):
            self.outcome = event
        if self._comm is not None:
            self._comm.send(data=event)
        else:
            _events.emit(event)

    def _run(self) -> None:
        from ._log import report_failure, send

        candidate = self.ready.candidate
        unrecorded: Optional[str] = None
        try:
            send(self.ready, self.report, self.cancelled)
            self.report({"event": "result", "candidate": candidate.to_dict(), "url": candidate.url})
        except BaseException as error:  # reported, never raised: no one would see it in a thread
            unrecorded = report_failure(error, candidate if self._created else None, self.report)
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)
            if self._comm is not None:
                self._comm.close()
            if unrecorded is not None:
                self._fail_once_reachable(unrecorded)
            _running.pop(self.id, None)

    def _fail_once_reachable(self, reason: str) -> None:
        """The registry went away mid-upload (killed, say) and could not be told: keep telling it, so the
        candidate ends failed once it is back rather than one lease after its restart. Still listed as
        running meanwhile, so a kernel that exits fails it with ``KERNEL_LOST_REASON`` (or, unreachable
        then too, leaves it to the registry's lease sweeper)."""
        delay = FAIL_RETRY_FIRST_SECONDS
        deadline = time.monotonic() + FAIL_RETRY_GIVE_UP_SECONDS
        while time.monotonic() < deadline and not self.cancelled.wait(delay):
            try:
                self.ready.candidate.fail(reason)
                return
            except RegistryUnavailable:
                delay = min(delay * 2, FAIL_RETRY_MAX_SECONDS)
            except Exception:  # the registry answered: ended, promoted or deleted meanwhile
                return


# Telling a registry that came back that an upload died: soon after its restart, then every 30 s; after
# a day its lease sweeper has long done it.
FAIL_RETRY_FIRST_SECONDS = 1.0
FAIL_RETRY_MAX_SECONDS = 30.0
FAIL_RETRY_GIVE_UP_SECONDS = 24 * 3600.0


_running: Dict[str, BackgroundUpload] = {}


def _open_comm(upload: BackgroundUpload) -> Any:
    """The upload's comm to the extension, opened in the cell that started it; None outside a kernel."""
    if _provenance._ipython() is None or not hasattr(_provenance._ipython(), "kernel"):
        return None
    from comm import create_comm

    comm = create_comm(target_name=COMM_TARGET, data={"upload_id": upload.id})

    def on_msg(message: Dict[str, Any]) -> None:
        if (message.get("content", {}).get("data") or {}).get("action") == "cancel":
            upload.cancel()

    comm.on_msg(on_msg)
    return comm


KERNEL_LOST_REASON = (
    "UPLOAD_KERNEL_LOST: the kernel stopped or restarted while it uploaded the files; "
    "the files it had not sent are missing. Log the notebook again."
)


def _fail_unfinished_at_exit() -> None:
    """A kernel that exits (shutdown, restart) takes its upload threads along: their candidates end
    failed, saying why, before the client's own exit hook would end them finished with files missing."""
    for running in list(_running.values()):
        running.cancel()
        try:
            running.ready.candidate.fail(KERNEL_LOST_REASON)
        except Exception as error:  # exiting anyway; the registry's lease sweeper ends it later
            sys.stderr.write(f"modelreg: could not mark {running.ready.candidate!r} failed at exit: {error}\n")


def start(ready: "_Ready", scratch: Path, created: bool) -> Dict[str, Any]:
    """Start sending `ready`'s files in a thread; report ``upload-started`` and return the candidate."""
    _fluent.before_exit(_fail_unfinished_at_exit)
    upload = BackgroundUpload(ready, scratch, created)
    _running[upload.id] = upload
    data = ready.candidate.to_dict()
    _events.emit(
        {
            "event": "upload-started",
            "upload_id": upload.id,
            "candidate": data,
            "url": ready.candidate.url,
            "total": ready.total_bytes,
        }
    )
    upload._thread.start()
    return {**data, "upload_id": upload.id}


def upload(upload_id: str) -> Optional[BackgroundUpload]:
    """The background upload `upload_id` while it runs."""
    return _running.get(upload_id)


def cancel_upload(upload_id: str) -> bool:
    """Stop background upload `upload_id`; False when it is not running (any more)."""
    running = _running.get(upload_id)
    if running is None:
        return False
    running.cancel()
    return True
