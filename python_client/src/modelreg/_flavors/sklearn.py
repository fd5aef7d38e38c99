"""scikit-learn estimators and pipelines: skops (safe to load), joblib when skops cannot save it."""

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

NAME = "sklearn"
LIBRARY = "sklearn"
DISTRIBUTION = "scikit-learn"

# Types whose loading runs no user code; skops refuses anything else unless the caller trusts it.
SAFE_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


def is_fitted(obj: Any) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(obj)
    except NotFittedError:
        return False
    except TypeError:  # not an estimator after all
        return False
    return True


def matches(obj: Any) -> bool:
    base = sys.modules.get("sklearn.base")
    if base is None or isinstance(obj, type) or not isinstance(obj, base.BaseEstimator):
        return False
    return is_fitted(obj)


def params(obj: Any) -> Dict[str, Any]:
    from . import scalar_params

    # deep=True flattens pipelines and meta-estimators as step__param, as scikit-learn names them.
    return scalar_params(sorted(obj.get_params(deep=True).items()))


def save(obj: Any, folder: Path) -> Dict[str, Any]:
    try:
        import skops.io
    except ImportError:
        skops_io = None
    else:
        skops_io = skops.io
    if skops_io is not None:
        try:
            skops_io.dump(obj, folder / "model.skops")
            return {
                "serializer": "skops",
                "files": ["model.skops"],
                "pickle": False,
                "load": "skops.io.load('model.skops', trusted=skops.io.get_untrusted_types(file='model.skops'))",
            }
        except Exception:  # an estimator skops cannot represent: fall back to joblib below
            (folder / "model.skops").unlink(missing_ok=True)
    import joblib

    joblib.dump(obj, folder / "model.joblib")
    return {"serializer": "joblib", "files": ["model.joblib"], "pickle": True, "load": "joblib.load('model.joblib')"}


def load_skops(path: Path, trusted: Optional[List[str]], library_prefixes: tuple = ()) -> Any:
    import skops.io

    from ..errors import ValidationError

    untrusted = skops.io.get_untrusted_types(file=str(path))
    allowed = SAFE_PREFIXES + library_prefixes
    refused = [t for t in untrusted if not t.startswith(allowed) and t not in (trusted or [])]
    if refused:
        raise ValidationError(
            f"{path.name} contains types that could run code when loaded: {', '.join(refused)}. If you trust "
            f"them, pass modelreg.load(..., trusted={refused!r}).",
            code="UNTRUSTED_TYPES",
        )
    return skops.io.load(str(path), trusted=list(untrusted))


def load(folder: Path, descriptor: Dict[str, Any], trusted: Optional[List[str]]) -> Any:
    if descriptor.get("serializer") == "skops":
        return load_skops(folder / "model.skops", trusted)
    import joblib

    from . import warn_pickle

    warn_pickle(folder / "model.joblib")
    return joblib.load(folder / "model.joblib")
