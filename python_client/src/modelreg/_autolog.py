"""``modelreg.autolog()``: patch ``fit`` of scikit-learn, XGBoost and LightGBM so that params and
training metrics go to the active candidate, the way MLflow's autologging works.

Libraries already imported are patched at once; one imported later is patched right after its
import (a ``sys.meta_path`` hook), so the order of ``import`` and ``autolog()`` does not matter. Nested fits (a pipeline fitting its steps, a search fitting its estimators) log once,
for the outermost estimator.
"""

import functools
import importlib.abc
import sys
import threading
import time
import warnings
import weakref
from typing import Any, Callable, Dict, List, Optional

from . import _flavors, _fluent

_state = threading.local()
_patched: List[Any] = []
_settings: Dict[str, Any] = {"model": None, "enabled": False}
# When each estimator object was last fitted (seconds), so inspect() can order models exactly.
fitted_at: "weakref.WeakKeyDictionary[Any, float]" = weakref.WeakKeyDictionary()


def _depth() -> int:
    return getattr(_state, "depth", 0)


def _target() -> Optional[Any]:
    candidate = _fluent.active_candidate()
    if candidate is None and _settings["model"]:
        candidate = _fluent.start_candidate(_settings["model"])
    return candidate


def _record(estimator: Any, args: tuple) -> None:
    try:
        fitted_at[estimator] = time.time()
    except TypeError:  # not weak-referenceable: order by cell instead
        pass
    candidate = _target()
    if candidate is None:
        return
    flavor = _flavors.flavor_of(estimator)
    params = flavor.params(estimator) if flavor is not None else {}
    known = candidate.params
    candidate.log_params({k: v for k, v in params.items() if k not in known})
    score = getattr(estimator, "score", None)
    if callable(score) and len(args) >= 2:
        try:
            candidate.log_metric("training_score", float(score(args[0], args[1])))
        except Exception:  # a custom scorer may need more than X, y: the params are logged anyway
            pass
    for name, value in _last_eval_results(estimator).items():
        candidate.log_metric(name, value)


def _last_eval_results(estimator: Any) -> Dict[str, float]:
    """Final values of XGBoost/LightGBM evaluation sets (``validation_0-logloss`` ...)."""
    results: Dict[str, float] = {}
    evals = getattr(estimator, "evals_result_", None)
    if callable(getattr(estimator, "evals_result", None)) and not evals:
        try:
            evals = estimator.evals_result()
        except Exception:
            evals = None
    for data_name, metrics in (evals or {}).items():
        for metric_name, history in (metrics or {}).items():
            if history:
                results[f"{data_name}-{metric_name}"] = float(history[-1])
    return results


def _wrap(cls: Any) -> None:
    """Patch the class in ``cls``'s MRO that defines ``fit`` (searches inherit theirs from a base)."""
    owner = next((klass for klass in cls.__mro__ if "fit" in klass.__dict__), None)
    if owner is None:
        return
    original = owner.__dict__["fit"]
    if getattr(original, "_modelreg_autolog", False):
        return

    @functools.wraps(original)
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        _state.depth = _depth() + 1
        try:
            result = original(self, *args, **kwargs)
        finally:
            _state.depth = _depth() - 1
        if _settings["enabled"] and _depth() == 0:
            try:
                _record(self, args)
            except Exception as error:  # logging must never break training
                warnings.warn(f"modelreg.autolog: could not log {type(self).__name__}.fit: {error}", stacklevel=2)
        return result

    fit._modelreg_autolog = True  # type: ignore[attr-defined]
    fit._modelreg_original = original  # type: ignore[attr-defined]
    setattr(owner, "fit", fit)
    _patched.append(owner)


def _subclasses(cls: Any) -> List[Any]:
    found, stack = [], [cls]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(current.__subclasses__())
    return found


def _sklearn_classes() -> List[Any]:
    from sklearn.utils import all_estimators

    classes = [cls for _, cls in all_estimators()]
    import sklearn.pipeline

    return classes + [sklearn.pipeline.Pipeline]


def autolog(model: Optional[str] = None, disable: bool = False) -> None:
    """Log params and training metrics of every ``fit`` to the active candidate.

    Patches ``fit`` of scikit-learn estimators (including pipelines and searches), XGBoost and
    LightGBM scikit-learn wrappers. Each outermost ``fit`` logs the estimator's params
    (``step__param`` for pipelines), ``training_score`` (``estimator.score(X, y)``) and, for boosted
    trees, the final value of each evaluation set's metric.

    Args:
        model: ``group/name``: when no candidate is active, the first ``fit`` starts one of this
            model (left running, so "Log as candidate" completes it). Without it, fits outside a
            candidate log nothing.
        disable: stop logging (the patches stay, doing nothing).

    Example:
        >>> modelreg.autolog(model="acme/churn")
        >>> clf = RandomForestClassifier().fit(X, y)   # params + training_score logged
    """
    _settings["enabled"] = not disable
    if model is not None:
        _settings["model"] = model
    if disable:
        return
    for library in _LIBRARIES:
        if library in sys.modules:
            _patch_library(library)
    if not any(isinstance(finder, _PatchAfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PatchAfterImport())


_LIBRARIES = ("sklearn", "xgboost", "lightgbm")


def _patch_library(library: str) -> None:
    if library == "sklearn":
        for cls in _sklearn_classes():
            _wrap(cls)
        return
    base = "XGBModel" if library == "xgboost" else "LGBMModel"
    for cls in _subclasses(getattr(sys.modules[library], base)):
        _wrap(cls)


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Patches a library imported after ``autolog()`` (what MLflow users expect: order does not matter).

    It only watches the three top-level packages, finds their real spec with the other finders and
    patches once the package has executed; it never imports anything itself.
    """

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in _LIBRARIES or fullname in sys.modules:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                break
        else:
            return None
        execute = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            if _settings["enabled"]:
                try:
                    _patch_library(fullname)
                except Exception as error:  # autologging must never break an import
                    warnings.warn(f"modelreg.autolog: could not patch {fullname}: {error}", stacklevel=2)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _unpatch_all() -> None:
    """Restore every patched ``fit`` (tests)."""
    while _patched:
        cls = _patched.pop()
        fit: Callable = cls.__dict__["fit"]
        setattr(cls, "fit", fit._modelreg_original)  # type: ignore[attr-defined]
    _settings.update({"model": None, "enabled": False})
