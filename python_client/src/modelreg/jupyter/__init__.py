"""The kernel side of JupyterLab's "Log as candidate": see what the kernel holds, log it in one call.

The browser cannot read the kernel's objects or files; the kernel can. The extension first runs
:func:`inspect` to show what it found (models, metrics, figures), then :func:`log_notebook` with the
user's choice, and reads the events both report on the iopub stream. The contract is
docs/jupyter-hook.md.

Example:
    >>> import modelreg.jupyter
    >>> modelreg.jupyter.inspect()["models"][0]["variable"]
    'clf'
    >>> modelreg.jupyter.log_notebook("acme/churn")   # every model and metric found
"""

from typing import Any, Dict

from .._fluent import autolog, load
from ._background import cancel_upload
from ._events import EVENT_MIME, emit
from ._inspect import inspect
from ._log import log_notebook

__all__ = ["inspect", "log_notebook", "cancel_upload", "load", "autolog", "report_inspection", "EVENT_MIME", "emit"]


def report_inspection() -> Dict[str, Any]:
    """Run :func:`inspect` and report it as an ``inspection`` event (what the extension's dialog reads).

    Dataset digests are left to :func:`log_notebook`, so the dialog opens at once even next to
    large arrays."""
    try:
        found = inspect(digests=False)
    except Exception as error:  # the dialog still opens; it says what went wrong
        emit({"event": "error", "code": "INSPECTION_FAILED", "message": f"{error.__class__.__name__}: {error}"})
        return {}
    emit({"event": "inspection", **found})
    return found
