"""Model flavors: how each library's model objects are recognised, described, saved and loaded.

Every flavor module answers the same five questions for one library:

- ``LIBRARY``: the top-level module it needs. A flavor is consulted only when that module is
  already in ``sys.modules``, so inspecting a kernel never imports a library the user did not.
- ``matches(obj)``: is ``obj`` a *trained* model of this library?
- ``params(obj)``: its hyperparameters as a flat ``{name: scalar}`` dict.
- ``save(obj, folder)``: write it in the library's own format; returns the descriptor fields.
- ``load(folder, descriptor, trusted)``: the object back, from what ``save`` wrote.

``save_model`` writes the files plus ``modelreg.json``, the descriptor ``modelreg.load`` reads.
"""

import json
import platform
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, Iterable, List, Optional

from . import keras as _keras
from . import lightgbm as _lightgbm
from . import python as _python
from . import sklearn as _sklearn
from . import statsmodels as _statsmodels
from . import torch as _torch
from . import xgboost as _xgboost

DESCRIPTOR = "modelreg.json"
DESCRIPTOR_FORMAT = 1

# Most specific first: XGBoost's and LightGBM's scikit-learn wrappers are scikit-learn estimators too.
FLAVORS: List[ModuleType] = [_xgboost, _lightgbm, _sklearn, _torch, _keras, _statsmodels]
_BY_NAME = {flavor.NAME: flavor for flavor in FLAVORS + [_python]}

_warned_pickle = {"done": False}


def flavor_of(obj: Any) -> Optional[ModuleType]:
    """The flavor of a trained model object, or None. Never imports a library."""
    for flavor in FLAVORS:
        if flavor.LIBRARY in sys.modules:
            try:
                if flavor.matches(obj):
                    return flavor
            except Exception:  # a half-built object must not break inspection
                continue
    return None


def by_name(name: str) -> ModuleType:
    """The flavor module called ``name`` (``sklearn``, ``xgboost`` ... ``python``)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ValueError(
            f"Unknown model flavor {name!r} in {DESCRIPTOR}; this client knows {known}. "
            "Upgrade modelreg (pip install -U modelreg)."
        ) from None


def class_name(obj: Any) -> str:
    """``module.Class`` of an object."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def library_version(flavor: ModuleType) -> str:
    module = sys.modules.get(flavor.LIBRARY)
    return str(getattr(module, "__version__", "")) if module is not None else ""


def scalar_params(items: Iterable[Any], prefix: str = "") -> Dict[str, Any]:
    """Keep the JSON scalars of ``(name, value)`` pairs (objects such as pipeline steps are dropped);
    short lists of scalars are kept as lists."""
    kept: Dict[str, Any] = {}
    for key, value in items:
        if isinstance(value, (str, int, float, bool)) or value is None:
            kept[f"{prefix}{key}"] = value
        elif (
            isinstance(value, (list, tuple))
            and len(value) <= 20
            and all(isinstance(v, (str, int, float, bool)) or v is None for v in value)
        ):
            kept[f"{prefix}{key}"] = list(value)
        elif type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
            kept[f"{prefix}{key}"] = value.item()
    return kept


def warn_pickle(path: Path) -> None:
    """Once per process: loading this file runs whatever code the pickle names."""
    if _warned_pickle["done"]:
        return
    _warned_pickle["done"] = True
    warnings.warn(
        f"modelreg: {path.name} is a pickle; unpickling runs code, so load only models from "
        "people you trust. (This warning is shown once per process.)",
        UserWarning,
        stacklevel=4,
    )


def save_model(
    obj: Any, folder: Path, flavor: ModuleType, variable: str, extra: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """Write ``obj`` in its flavor's format into ``folder`` and the ``modelreg.json`` descriptor.

    Returns:
        The descriptor.
    """
    folder.mkdir(parents=True, exist_ok=True)
    saved = flavor.save(obj, folder)
    descriptor: Dict[str, Any] = {
        "format": DESCRIPTOR_FORMAT,
        "variable": variable,
        "flavor": flavor.NAME,
        "class": class_name(obj),
        "library": flavor.DISTRIBUTION,
        "library_version": library_version(flavor),
        "python": platform.python_version(),
        **saved,
    }
    descriptor.update(extra or {})
    (folder / DESCRIPTOR).write_text(
        json.dumps(descriptor, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    return descriptor


def load_model(folder: Path, trusted: Optional[List[str]] = None) -> Any:
    """The model object saved in ``folder`` (which holds ``modelreg.json``)."""
    descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    flavor = by_name(str(descriptor.get("flavor")))
    return flavor.load(folder, descriptor, trusted)
