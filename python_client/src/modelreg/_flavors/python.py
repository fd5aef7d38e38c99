"""Any other object the user names: pickled (with cloudpickle when installed, so classes and
functions defined in the notebook itself travel by value)."""

import pickle
from pathlib import Path
from typing import Any, Dict, List, Optional

NAME = "python"
LIBRARY = "builtins"
DISTRIBUTION = "python"


def matches(obj: Any) -> bool:
    return False  # only ever chosen by name


def params(obj: Any) -> Dict[str, Any]:
    return {"object_class": type(obj).__qualname__}


def save(obj: Any, folder: Path) -> Dict[str, Any]:
    try:
        import cloudpickle
    except ImportError:
        dumper, serializer = pickle, "pickle"
    else:
        dumper, serializer = cloudpickle, "cloudpickle"
    with open(folder / "object.pkl", "wb") as handle:
        dumper.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "serializer": serializer,
        "files": ["object.pkl"],
        "pickle": True,
        "load": "pickle.load(open('object.pkl', 'rb'))",
    }


def load(folder: Path, descriptor: Dict[str, Any], trusted: Optional[List[str]]) -> Any:
    from . import warn_pickle

    if descriptor.get("serializer") == "cloudpickle":
        import cloudpickle  # noqa: F401  (what the pickle refers to)
    warn_pickle(folder / "object.pkl")
    with open(folder / "object.pkl", "rb") as handle:
        return pickle.load(handle)
