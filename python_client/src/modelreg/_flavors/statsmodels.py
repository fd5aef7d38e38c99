"""statsmodels fitted results (``model.fit()``), saved with their own ``save`` (a pickle)."""

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

NAME = "statsmodels"
LIBRARY = "statsmodels"
DISTRIBUTION = "statsmodels"


def matches(obj: Any) -> bool:
    wrapper = sys.modules.get("statsmodels.base.wrapper")
    model = sys.modules.get("statsmodels.base.model")
    kinds = tuple(k for k in (getattr(wrapper, "ResultsWrapper", None), getattr(model, "Results", None)) if k)
    return bool(kinds) and not isinstance(obj, type) and isinstance(obj, kinds)


def params(obj: Any) -> Dict[str, Any]:
    model = getattr(obj, "model", None)
    found: Dict[str, Any] = {"model_class": type(model).__qualname__ if model is not None else None}
    for key in ("nobs", "df_model", "df_resid"):
        value = getattr(obj, key, None)
        if isinstance(value, (int, float)):
            found[key] = value
    formula = getattr(model, "formula", None)
    if isinstance(formula, str):
        found["formula"] = formula
    return found


def save(obj: Any, folder: Path) -> Dict[str, Any]:
    obj.save(str(folder / "results.pickle"))
    return {
        "serializer": "statsmodels",
        "files": ["results.pickle"],
        "pickle": True,
        "load": "statsmodels.iolib.smpickle.load_pickle('results.pickle')",
    }


def load(folder: Path, descriptor: Dict[str, Any], trusted: Optional[List[str]]) -> Any:
    from statsmodels.iolib.smpickle import load_pickle

    from . import warn_pickle

    warn_pickle(folder / "results.pickle")
    return load_pickle(str(folder / "results.pickle"))
