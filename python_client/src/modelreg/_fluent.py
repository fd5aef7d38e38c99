"""Module-level shortcuts for people used to MLflow's fluent API, and the process's active candidate.

``modelreg.start_candidate("acme/churn")`` opens a candidate; ``modelreg.log_metric(...)`` logs to it;
``modelreg.end_candidate()`` closes it. The kernel hook (:mod:`modelreg.jupyter`) completes the
candidate of the same model the code left running; otherwise it creates a new one.
"""

import atexit
import sys
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

if TYPE_CHECKING:  # pragma: no cover
    from .candidate import Candidate, ParamValue
    from .compare import Comparison
    from .registry import Registry

_lock = threading.RLock()
_active: List["Candidate"] = []
_tracked: "weakref.WeakSet[Candidate]" = weakref.WeakSet()
_default_registry: Optional["Registry"] = None
_state = {"crashed": False, "hooked": False}


def track(candidate: "Candidate") -> None:
    """Remember a candidate so its buffered metrics are flushed when the process exits."""
    _tracked.add(candidate)
    if not _state["hooked"]:
        track_hooks()


def track_hooks() -> None:
    """Install the exit and exception hooks once."""
    if not _state["hooked"]:
        _state["hooked"] = True
        previous = sys.excepthook

        def excepthook(*args: Any) -> None:
            _state["crashed"] = True  # an uncaught exception: active candidates end as failed
            previous(*args)

        sys.excepthook = excepthook
        atexit.register(_at_exit)


def activate(candidate: "Candidate") -> None:
    """Make ``candidate`` the active one (the target of the module-level shortcuts)."""
    with _lock:
        _active.append(candidate)


def ended(candidate: "Candidate") -> None:
    """Called by :meth:`Candidate.end`: no longer active."""
    with _lock:
        if candidate in _active:
            _active.remove(candidate)


def candidate_to_complete(model: str) -> Optional["Candidate"]:
    """What the kernel hook should complete for ``model``: a candidate of that model that this
    process's code opened and that is still running; None otherwise (then the hook creates one).
    A finished candidate is never returned: one click is one new candidate."""
    with _lock:
        running = [c for c in reversed(_active) if c.model == model and c.status == "running" and not c.locked]
    for candidate in running:
        # The panel may have promoted or ended it since the code opened it: ask the server.
        if candidate.still_running():
            return candidate
        ended(candidate)
    return None


_before_exit: List[Callable[[], None]] = []


def before_exit(hook: Callable[[], None]) -> None:
    """Run ``hook`` at exit before the tracked candidates are ended (a background upload ends its
    candidate failed first, so it is not ended finished with files missing)."""
    if not _state["hooked"]:
        track_hooks()
    if hook not in _before_exit:
        _before_exit.append(hook)


def _at_exit() -> None:
    for hook in _before_exit:
        try:
            hook()
        except Exception as error:  # exiting anyway: say so, do not raise
            sys.stderr.write(f"modelreg: exit hook failed: {error}\n")
    for candidate in list(_tracked):
        try:
            if candidate in _active:
                candidate.end("failed" if _state["crashed"] else "finished")
            elif candidate.has_pending_metrics:
                candidate.flush()
        except Exception as error:  # exiting anyway: say what was lost, do not raise
            sys.stderr.write(f"modelreg: could not save {candidate!r} at exit: {error}\n")


# -- public shortcuts ---------------------------------------------------------------------------
def set_registry(registry: Optional["Registry"]) -> None:
    """Use ``registry`` for the module-level shortcuts (default: ``Registry()`` from env/config)."""
    global _default_registry
    _default_registry = registry


def _registry() -> "Registry":
    global _default_registry
    if _default_registry is None:
        from .registry import Registry

        _default_registry = Registry()
    return _default_registry


def start_candidate(
    model: str, name: Optional[str] = None, experiment: Optional[str] = None, **kwargs: Any
) -> "Candidate":
    """Open a candidate and make it active. Same arguments as :meth:`Registry.candidate`.

    Example:
        >>> modelreg.start_candidate("acme/churn", name="xgb")
        >>> modelreg.log_metric("auc", 0.9)
        >>> modelreg.end_candidate()
    """
    return _registry().candidate(model, name=name, experiment=experiment, **kwargs)


def active_candidate() -> Optional["Candidate"]:
    """The candidate the shortcuts log to (the most recently opened, not yet ended), or None."""
    with _lock:
        return _active[-1] if _active else None


def _require_active() -> "Candidate":
    candidate = active_candidate()
    if candidate is None:
        raise RuntimeError("No active candidate: call modelreg.start_candidate('group/model') first")
    return candidate


def end_candidate(status: str = "finished") -> None:
    """End the active candidate (``finished`` or ``failed``). No-op without one."""
    candidate = active_candidate()
    if candidate is not None:
        candidate.end(status)


def log_param(key: str, value: "ParamValue") -> None:
    """Log a parameter to the active candidate."""
    _require_active().log_param(key, value)


def log_params(params: Mapping[str, "ParamValue"]) -> None:
    """Log parameters to the active candidate."""
    _require_active().log_params(params)


def log_metric(key: str, value: float, step: Optional[int] = None, timestamp: Optional[int] = None) -> None:
    """Log a metric point to the active candidate (buffered)."""
    _require_active().log_metric(key, value, step=step, timestamp=timestamp)


def log_metrics(metrics: Mapping[str, float], step: Optional[int] = None) -> None:
    """Log several metrics at one step to the active candidate (buffered)."""
    _require_active().log_metrics(metrics, step=step)


def log_artifact(local_path: Union[str, Path], path: Optional[str] = None) -> List[Dict[str, Any]]:
    """Upload a file or directory to the active candidate."""
    return _require_active().log_artifact(local_path, path)


def set_tag(key: str, value: Any) -> None:
    """Set a tag on the active candidate."""
    _require_active().set_tag(key, value)


def set_tags(tags: Mapping[str, Any]) -> None:
    """Set tags on the active candidate."""
    _require_active().set_tags(tags)


def pull(ref: str, local_dir: Optional[Union[str, Path]] = None, verify: bool = False) -> Path:
    """Download a version with the default registry; see :meth:`Registry.pull`.

    This is the call JupyterLab's "Pull into notebook" inserts.

    Example:
        >>> path = modelreg.pull("acme/churn@production")
    """
    return _registry().pull(ref, local_dir=local_dir, verify=verify)


def load(ref: str, variable: Optional[str] = None, trusted: Optional[List[str]] = None) -> Any:
    """The model object of a version, alias or candidate, as ``log_notebook`` saved it.

    Reads the ``models/<variable>/modelreg.json`` descriptor and loads the files in their
    library's own format (skops, XGBoost/LightGBM native, TorchScript, ``.keras`` ...). Loading a
    pickle-based model warns once per process that unpickling runs code.

    Args:
        ref: ``acme/churn@1.2.0``, ``acme/churn@production``, ``acme/churn@latest`` or ``acme/churn#3``.
        variable: which model, when the version holds several (their notebook variable names).
        trusted: extra types skops may load (it refuses types that could run code unless listed).

    Returns:
        The model object, ready to ``predict``.

    Raises:
        NotFound: no such version/candidate, or it holds no model saved by modelreg.
        ValueError: several models and no ``variable``.

    Example:
        >>> model = modelreg.load("acme/churn@production")
        >>> model.predict(X[:5])
    """
    from ._load import load as load_model

    return load_model(_registry(), ref, variable=variable, trusted=trusted)


def autolog(model: Optional[str] = None, disable: bool = False) -> None:
    """Log params and training metrics of every scikit-learn/XGBoost/LightGBM ``fit``; see
    :func:`modelreg._autolog.autolog`.

    Example:
        >>> modelreg.autolog(model="acme/churn")
    """
    from ._autolog import autolog as patch_fit

    patch_fit(model=model, disable=disable)


def compare(refs: Sequence[Any]) -> "Comparison":
    """Compare candidates and versions with the default registry; see :meth:`Registry.compare`."""
    return _registry().compare(refs)
