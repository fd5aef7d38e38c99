"""Keras models, in Keras' own ``.keras`` archive."""

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

NAME = "keras"
LIBRARY = "keras"
DISTRIBUTION = "keras"


def matches(obj: Any) -> bool:
    keras = sys.modules["keras"]
    model_class = getattr(keras, "Model", None)
    return (
        model_class is not None
        and not isinstance(obj, type)
        and isinstance(obj, model_class)
        and bool(getattr(obj, "built", False))
    )


def params(obj: Any) -> Dict[str, Any]:
    optimizer = getattr(obj, "optimizer", None)
    found: Dict[str, Any] = {
        "model_class": type(obj).__qualname__,
        "parameter_count": int(obj.count_params()),
        "layers": len(getattr(obj, "layers", [])),
    }
    if optimizer is not None:
        found["optimizer"] = type(optimizer).__name__
    return found


def save(obj: Any, folder: Path) -> Dict[str, Any]:
    obj.save(str(folder / "model.keras"))
    return {
        "serializer": "keras",
        "files": ["model.keras"],
        "pickle": False,
        "load": "keras.saving.load_model('model.keras')",
    }


def load(folder: Path, descriptor: Dict[str, Any], trusted: Optional[List[str]]) -> Any:
    import keras

    return keras.saving.load_model(str(folder / "model.keras"))
