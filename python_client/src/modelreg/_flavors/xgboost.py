"""XGBoost boosters and scikit-learn wrappers, in XGBoost's own JSON model format."""

import importlib
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

NAME = "xgboost"
LIBRARY = "xgboost"
DISTRIBUTION = "xgboost"


def matches(obj: Any) -> bool:
    xgb = sys.modules["xgboost"]
    if isinstance(obj, type):
        return False
    if isinstance(obj, xgb.Booster):
        return True
    if isinstance(obj, xgb.XGBModel):
        try:
            obj.get_booster()
        except Exception:  # NotFittedError: an unfitted wrapper is no model yet
            return False
        return True
    return False


def size_estimate(obj: Any) -> int:
    """The booster's serialized size (UBJSON, written by XGBoost's C++ core: fast, no Python copy of the data)."""
    xgb = sys.modules["xgboost"]
    booster = obj if isinstance(obj, xgb.Booster) else obj.get_booster()
    return len(booster.save_raw(raw_format="ubj"))


def _booster_params(booster: Any) -> Dict[str, Any]:
    from . import scalar_params

    config = json.loads(booster.save_config())
    learner = config.get("learner", {})
    found: Dict[str, Any] = {"objective": learner.get("objective", {}).get("name")}
    found.update(learner.get("learner_train_param", {}))
    found.update(learner.get("gradient_booster", {}).get("tree_train_param", {}))
    found["num_boost_round"] = booster.num_boosted_rounds()
    return scalar_params(sorted(found.items()))


def params(obj: Any) -> Dict[str, Any]:
    from . import scalar_params

    xgb = sys.modules["xgboost"]
    if isinstance(obj, xgb.Booster):
        return _booster_params(obj)
    # The wrapper leaves unset params as None: the booster's config has the values it trained with.
    found = _booster_params(obj.get_booster())
    found.update({k: v for k, v in scalar_params(sorted(obj.get_params().items())).items() if v is not None})
    return found


def save(obj: Any, folder: Path) -> Dict[str, Any]:
    obj.save_model(str(folder / "model.json"))
    xgb = sys.modules["xgboost"]
    kind = "booster" if isinstance(obj, xgb.Booster) else "sklearn"
    cls = f"{type(obj).__module__}.{type(obj).__qualname__}"
    load_call = (
        "xgboost.Booster(model_file='model.json')"
        if kind == "booster"
        else f"{type(obj).__qualname__}(); model.load_model('model.json')"
    )
    return {
        "serializer": "xgboost",
        "files": ["model.json"],
        "pickle": False,
        "kind": kind,
        "load": load_call,
        "load_class": cls,
    }


def load(folder: Path, descriptor: Dict[str, Any], trusted: Optional[List[str]]) -> Any:
    import xgboost

    path = str(folder / "model.json")
    if descriptor.get("kind") == "booster":
        return xgboost.Booster(model_file=path)
    module, _, name = str(descriptor.get("load_class", "xgboost.XGBModel")).rpartition(".")
    if not module.startswith("xgboost"):
        raise ValueError(f"{descriptor.get('load_class')} is not an XGBoost class")
    model = getattr(importlib.import_module(module), name)()
    model.load_model(path)
    return model
