"""LightGBM boosters (native text model) and scikit-learn wrappers (skops, plus the native model)."""

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

NAME = "lightgbm"
LIBRARY = "lightgbm"
DISTRIBUTION = "lightgbm"


def matches(obj: Any) -> bool:
    lgb = sys.modules["lightgbm"]
    if isinstance(obj, type):
        return False
    if isinstance(obj, lgb.Booster):
        return True
    return isinstance(obj, lgb.LGBMModel) and bool(
        getattr(obj, "fitted_", False) or getattr(obj, "_Booster", None) is not None
    )


def size_estimate(obj: Any) -> int:
    """The booster's text model size (what ``save_model`` writes)."""
    lgb = sys.modules["lightgbm"]
    booster = obj if isinstance(obj, lgb.Booster) else obj.booster_
    return len(booster.model_to_string())


def params(obj: Any) -> Dict[str, Any]:
    from . import scalar_params

    lgb = sys.modules["lightgbm"]
    if isinstance(obj, lgb.Booster):
        found = dict(obj.params or {})
        found["num_trees"] = obj.num_trees()
        return scalar_params(sorted(found.items()))
    return {k: v for k, v in scalar_params(sorted(obj.get_params().items())).items() if v is not None}


def save(obj: Any, folder: Path) -> Dict[str, Any]:
    lgb = sys.modules["lightgbm"]
    if isinstance(obj, lgb.Booster):
        obj.save_model(str(folder / "model.txt"))
        return {
            "serializer": "lightgbm",
            "kind": "booster",
            "files": ["model.txt"],
            "pickle": False,
            "load": "lightgbm.Booster(model_file='model.txt')",
        }
    # The wrapper (predict returns labels, classes_ ...) has no native format: skops keeps it,
    # and the booster's native text model is stored beside it for other tools.
    from . import sklearn as sklearn_flavor

    obj.booster_.save_model(str(folder / "booster.txt"))
    saved = sklearn_flavor.save(obj, folder)
    saved["files"] = saved["files"] + ["booster.txt"]
    saved["kind"] = "sklearn"
    return saved


def load(folder: Path, descriptor: Dict[str, Any], trusted: Optional[List[str]]) -> Any:
    import lightgbm

    if descriptor.get("kind") == "booster":
        return lightgbm.Booster(model_file=str(folder / "model.txt"))
    from . import sklearn as sklearn_flavor

    if descriptor.get("serializer") == "skops":
        return sklearn_flavor.load_skops(folder / "model.skops", trusted, ("lightgbm.",))
    return sklearn_flavor.load(folder, descriptor, trusted)
