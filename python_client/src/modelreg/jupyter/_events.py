"""Events the kernel hook reports to the JupyterLab extension (docs/jupyter-hook.md)."""

import json
import sys
from typing import Any, Callable, Dict

from .. import _provenance

EVENT_MIME = "application/vnd.modelreg.event+json"

# Where a log sends its events: `emit` while a cell runs, the upload's comm once it runs in the background.
Report = Callable[[Dict[str, Any]], None]

# Server codes renamed for the extension, which speaks of permissions, not HTTP.
_EVENT_CODES = {"FORBIDDEN": "PERMISSION_DENIED"}


def emit(event: Dict[str, Any]) -> None:
    """Report one event: a raw display message in IPython, else a ``MODELREG_EVENT {json}`` line."""
    if _provenance._ipython() is not None:
        from IPython.display import display

        display({EVENT_MIME: event}, raw=True)
    else:
        sys.stdout.write("MODELREG_EVENT " + json.dumps(event) + "\n")
        sys.stdout.flush()


def progress_event(stage: str, message: str, done: int, total: int) -> Dict[str, Any]:
    return {"event": "progress", "stage": stage, "message": message, "done": done, "total": total}


def progress(stage: str, message: str, done: int, total: int) -> None:
    emit(progress_event(stage, message, done, total))


def error_event(code: str, message: str) -> Dict[str, Any]:
    return {"event": "error", "code": _EVENT_CODES.get(code, code), "message": message}


class Expected(Exception):
    """A problem the user can fix, reported as an error event."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
