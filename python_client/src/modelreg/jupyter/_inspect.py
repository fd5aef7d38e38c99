"""``inspect()``: what a notebook's kernel holds that is worth registering — trained models, metrics,
figures and the data the models were most likely trained on.

It only reads: libraries are consulted only when the kernel imported them already (``sys.modules``),
arrays are never copied (digests read at most the first 64 MiB of a buffer in place), and the
namespace is walked once.
"""

import hashlib
import math
import re
import sys
from types import FunctionType, ModuleType
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .. import _flavors, _provenance

DIGEST_BYTES = 64 * 1024 * 1024
EXAMPLE_ROWS = 5

# Names IPython and the notebook put in the namespace that are never the user's models.
_IGNORED = frozenset({"In", "Out", "exit", "quit", "get_ipython", "open"})

# Words that make a variable name look like a metric (split on "_", ".", "-" and digits).
_METRIC_WORDS = frozenset(
    """
accuracy acc auc roc pr ap f1 fbeta precision recall loss logloss nll rmse mse mae mape smape medae r2
error err score kappa mcc brier ndcg map mrr iou dice bleu rouge perplexity ppl top1 top5 specificity
sensitivity tpr fpr explained variance deviance likelihood aic bic silhouette
""".split()
)
_WORD_SPLIT = re.compile(r"[_.\-\s]+")
_METRIC_DICT_NAMES = frozenset({"metrics", "scores", "results", "evaluation", "eval"})


def looks_like_metric(name: str) -> bool:
    """``accuracy``, ``val_auc``, ``test_f1``, ``r2_score``, ``rmse`` ... but not ``n_estimators``."""
    words = [w for w in _WORD_SPLIT.split(name.lower()) if w]
    return any(w in _METRIC_WORDS or w.rstrip("0123456789") in _METRIC_WORDS for w in words)


def _number(value: Any) -> Optional[float]:
    """``value`` as a finite float when it is a real number (Python, numpy or a one-element tensor)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        module = type(value).__module__.split(".")[0]
        if module not in ("numpy", "torch"):
            return None
        try:
            if getattr(value, "ndim", None) != 0 and getattr(value, "shape", None) not in ((), (1,)):
                return None
            if "bool" in str(getattr(value, "dtype", "")):
                return None
            number = float(value.item())
        except Exception:
            return None
    return number if math.isfinite(number) else None


def _user_namespace(namespace: Optional[Mapping[str, Any]]) -> Mapping[str, Any]:
    if namespace is not None:
        return namespace
    shell = _provenance._ipython()
    if shell is not None:
        return shell.user_ns
    main = sys.modules.get("__main__")
    return vars(main) if main is not None else {}


def _user_items(namespace: Mapping[str, Any]) -> Iterable[Tuple[str, Any]]:
    hidden = getattr(_provenance._ipython(), "user_ns_hidden", {}) or {}
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in _IGNORED or name in hidden:
            continue
        if isinstance(value, (ModuleType, type, FunctionType)):
            continue
        yield name, value


# -- data -------------------------------------------------------------------------------------
def _data_kind(value: Any) -> Optional[str]:
    module = type(value).__module__.split(".")[0]
    name = type(value).__name__
    if module == "numpy" and name == "ndarray":
        return "ndarray"
    if module == "pandas" and name in ("DataFrame", "Series"):
        return name
    if module == "torch" and name in ("Tensor", "Parameter"):
        return "tensor"
    return None


def _shape(value: Any) -> Tuple[int, ...]:
    try:
        return tuple(int(n) for n in value.shape)
    except Exception:
        return ()


def _dtypes(value: Any, kind: str) -> Any:
    if kind == "DataFrame":
        columns = list(value.columns[:200])
        return {str(c): str(value[c].dtype) if value.columns.is_unique else "" for c in columns}
    return str(getattr(value, "dtype", ""))


def digest(value: Any, kind: str, limit: int = DIGEST_BYTES) -> Dict[str, Any]:
    """sha256 of at most the first ``limit`` bytes of the data, read in place (no copy of the whole)."""
    hasher = hashlib.sha256()
    covered = 0
    total = 0
    if kind in ("DataFrame", "Series"):
        frame = value if kind == "DataFrame" else value.to_frame()
        row_bytes = max(1, int(frame.memory_usage(index=False, deep=False).sum()) // max(1, len(frame)))
        rows = max(1, limit // row_bytes)
        pandas = sys.modules["pandas"]
        hashes = pandas.util.hash_pandas_object(frame.iloc[:rows], index=True)
        hasher.update(hashes.to_numpy().tobytes())
        hasher.update(",".join(map(str, frame.columns)).encode())
        covered = min(len(frame), rows) * row_bytes
        total = len(frame) * row_bytes
    else:
        array = value.detach().cpu().numpy() if kind == "tensor" else value
        total = int(array.nbytes)
        if array.flags.c_contiguous:
            view = memoryview(array.reshape(-1).view("uint8") if array.size else b"")
            covered = min(total, limit)
            hasher.update(view[:covered])
        else:  # a strided view: hash whole rows from the start, copying at most `limit` bytes
            rows = max(1, limit // max(1, array.itemsize * int(array.size // max(1, len(array)))))
            head = array[:rows].copy()
            covered = int(head.nbytes)
            hasher.update(head.tobytes())
        hasher.update(repr((array.shape, str(array.dtype))).encode())
    return {
        "sha256": hasher.hexdigest(),
        "digest_bytes": int(covered),
        "total_bytes": int(total),
        "complete": covered >= total,
    }


def _n_features(model: Any, flavor: Any) -> Optional[int]:
    for attribute in ("n_features_in_", "n_features_"):
        value = getattr(model, attribute, None)
        if isinstance(value, int):
            return value
    for method in ("num_features", "num_feature"):  # XGBoost / LightGBM boosters
        function = getattr(model, method, None)
        if callable(function):
            try:
                return int(function())
            except Exception:
                pass
    if flavor is _flavors.by_name("torch"):
        for module in model.modules():
            in_features = getattr(module, "in_features", None)
            if isinstance(in_features, int):
                return in_features
    return None


def _training_name_rank(name: str) -> int:
    lowered = name.lower()
    return 0 if "train" in lowered else 1 if lowered in ("x", "y", "data", "features", "target") else 2


def _match_datasets(models: List[Dict[str, Any]], data: Dict[str, Tuple[Any, str]]) -> Dict[str, Dict[str, Any]]:
    """For each model, the 2-D data with its feature count (and the 1-D data with as many rows)."""
    matched: Dict[str, Dict[str, Any]] = {}
    for entry in models:
        n_features = entry.pop("_n_features", None)
        if not n_features:
            continue
        features = [
            (name, value, kind)
            for name, (value, kind) in data.items()
            if len(_shape(value)) == 2 and _shape(value)[1] == n_features
        ]
        if not features:
            continue
        features.sort(key=lambda item: (_training_name_rank(item[0]), -_shape(item[1])[0]))
        x_name, x_value, _ = features[0]
        rows = _shape(x_value)[0]
        chosen = [x_name]
        targets = [
            name
            for name, (value, kind) in data.items()
            if len(_shape(value)) == 1 and _shape(value)[0] == rows and name != x_name
        ]
        targets.sort(key=lambda name: (_training_name_rank(name), not name.lower().startswith("y")))
        chosen += targets[:1]
        entry["trained_on"] = chosen
        for name in chosen:
            matched.setdefault(name, {"used_by": []})["used_by"].append(entry["variable"])
    return matched


def input_example(value: Any, kind: str, rows: int = EXAMPLE_ROWS) -> Dict[str, Any]:
    """The first rows of the training data and their shape/types, for the model descriptor."""
    if kind == "DataFrame":
        head = value.iloc[:rows]
        return {
            "columns": [str(c) for c in head.columns],
            "data": head.to_numpy().tolist(),
            "dtypes": {str(c): str(t) for c, t in head.dtypes.items()},
        }
    array = value.detach().cpu().numpy() if kind == "tensor" else getattr(value, "to_numpy", lambda: value)()
    head = array[:rows]
    return {"data": head.tolist(), "dtype": str(head.dtype), "shape": [None, *list(array.shape[1:])]}


# -- figures ------------------------------------------------------------------------------------
def _figure_map(items: Sequence[Tuple[str, Any]]) -> Dict[str, Any]:
    """Name -> matplotlib Figure: figures held in variables, then pyplot's open ones as ``figure_N``."""
    figure_module = sys.modules.get("matplotlib.figure")
    if figure_module is None:
        return {}
    found = {name: value for name, value in items if isinstance(value, figure_module.Figure)}
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is not None:
        known = {id(figure) for figure in found.values()}
        for number, manager in sorted(helpers.Gcf.figs.items()):
            figure = manager.canvas.figure
            if id(figure) not in known:
                found[f"figure_{number}"] = figure
    return found


def _figures(items: Sequence[Tuple[str, Any]]) -> List[Dict[str, Any]]:
    result = []
    for name, figure in _figure_map(items).items():
        titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
        result.append(
            {"name": name, "axes": len(figure.axes), "title": titles[0] if titles else (figure.get_label() or "")}
        )
    return result


def figure_objects(namespace: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Name -> matplotlib Figure, with the names :func:`inspect` gives them."""
    return _figure_map(list(_user_items(_user_namespace(namespace))))


# -- recency ------------------------------------------------------------------------------------
def _last_cells(names: Sequence[str]) -> Dict[str, int]:
    """The last execution count whose code mentions each name (how "most recently fitted" is told
    without patching anything: the cell that last trained or assigned the model)."""
    shell = _provenance._ipython()
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None) or []
    last: Dict[str, int] = {}
    patterns = {name: re.compile(rf"(?<![\w.]){re.escape(name)}\b") for name in names}
    for count in range(len(history) - 1, 0, -1):
        source = history[count]
        for name in names:
            if name not in last and name in source and patterns[name].search(source):
                last[name] = count
        if len(last) == len(names):
            break
    return last


def _size_estimate(value: Any, flavor: Any, depth: int = 6) -> Optional[int]:
    special = getattr(flavor, "size_estimate", None)
    if special is not None:
        try:
            return int(special(value))
        except Exception:
            return None
    seen: set = set()

    def walk(obj: Any, level: int) -> int:
        if id(obj) in seen or level < 0:
            return 0
        seen.add(id(obj))
        nbytes = getattr(obj, "nbytes", None)
        if isinstance(nbytes, int) and type(obj).__module__.split(".")[0] == "numpy":
            return nbytes
        if isinstance(obj, (bytes, bytearray, str)):
            return len(obj)
        node_count = getattr(obj, "node_count", None)
        if isinstance(node_count, int) and type(obj).__module__.startswith("sklearn.tree"):
            return node_count * 64 + int(obj.value.nbytes)  # a fitted tree: nodes + values (views, no copy)
        if isinstance(obj, (list, tuple)):
            return sum(walk(item, level - 1) for item in obj[:10_000])
        if isinstance(obj, dict):
            return sum(walk(item, level - 1) for item in list(obj.values())[:10_000])
        attributes = getattr(obj, "__dict__", None)
        return sum(walk(item, level - 1) for item in attributes.values()) if isinstance(attributes, dict) else 0

    try:
        return walk(value, depth)
    except Exception:
        return None


def describe_model(name: str, value: Any, flavor: Any) -> Dict[str, Any]:
    """One model entry of :func:`inspect`."""
    try:
        params = flavor.params(value)
    except Exception as error:  # report what we could not read rather than hiding the model
        params = {"_error": f"{error.__class__.__name__}: {error}"}
    return {
        "variable": name,
        "flavor": flavor.NAME,
        "class": _flavors.class_name(value),
        "library": flavor.DISTRIBUTION,
        "library_version": _flavors.library_version(flavor),
        "params": params,
        "size_estimate": _size_estimate(value, flavor),
    }


def inspect(
    namespace: Optional[Mapping[str, Any]] = None, include: Sequence[str] = (), digests: bool = True
) -> Dict[str, Any]:
    """What the kernel holds that is worth registering. Read-only; imports nothing new.

    Args:
        namespace: the variables to look at (default: the IPython user namespace, else ``__main__``).
        include: variable names to report as models even when no flavor recognises them
            (they are saved with pickle, flavor ``python``).
        digests: compute the datasets' content digests (sha256 of at most the first 64 MiB).

    Returns:
        ``{"models": [...], "metrics": [...], "figures": [...], "datasets": [...]}``, JSON-able.
        Models come most recently fitted first; each is ``{variable, flavor, class, library,
        library_version, params, size_estimate, trained_on, cell}``.

    Example:
        >>> import modelreg.jupyter
        >>> [m["variable"] for m in modelreg.jupyter.inspect()["models"]]
        ['clf']
    """
    items = list(_user_items(_user_namespace(namespace)))
    wanted = set(include)
    models: List[Dict[str, Any]] = []
    metrics: List[Dict[str, Any]] = []
    data: Dict[str, Tuple[Any, str]] = {}
    seen_models: set = set()
    for name, value in items:
        number = _number(value)
        if number is not None:
            if looks_like_metric(name):
                metrics.append({"name": name, "value": number, "variable": name})
            continue
        if isinstance(value, (str, bytes, bool)) or value is None:
            continue
        if isinstance(value, dict):
            _dict_metrics(name, value, metrics)
            continue
        kind = _data_kind(value)
        if kind is not None:
            data[name] = (value, kind)
            continue
        flavor = _flavors.flavor_of(value) or (_flavors.by_name("python") if name in wanted else None)
        if flavor is None or id(value) in seen_models:
            continue
        seen_models.add(id(value))
        entry = describe_model(name, value, flavor)
        entry["_n_features"] = _n_features(value, flavor)
        models.append(entry)
    for name in wanted - {m["variable"] for m in models}:
        if name in _user_namespace(namespace):
            value = _user_namespace(namespace)[name]
            flavor = _flavors.flavor_of(value) or _flavors.by_name("python")
            models.append({**describe_model(name, value, flavor), "_n_features": None})
    last = _last_cells([m["variable"] for m in models])
    for entry in models:
        entry["cell"] = last.get(entry["variable"])
    models.sort(key=lambda m: -(m["cell"] or 0))
    matched = _match_datasets(models, data)
    datasets = []
    for name, info in matched.items():
        value, kind = data[name]
        dataset = {
            "name": name,
            "kind": kind,
            "shape": list(_shape(value)),
            "dtypes": _dtypes(value, kind),
            "used_by": info["used_by"],
        }
        if digests:
            try:
                dataset.update(digest(value, kind))
            except Exception as error:
                dataset["digest_error"] = f"{error.__class__.__name__}: {error}"
        datasets.append(dataset)
    return {"models": models, "metrics": metrics, "figures": _figures(items), "datasets": datasets}


def _dict_metrics(name: str, value: Dict[Any, Any], metrics: List[Dict[str, Any]]) -> None:
    """A flat dict of numbers counts when its name or its keys look like metrics."""
    if not value or len(value) > 200:
        return
    numbers = {str(k): _number(v) for k, v in value.items()}
    if any(v is None for v in numbers.values()):
        return
    named = name.lower() in _METRIC_DICT_NAMES or looks_like_metric(name)
    if not named and not all(looks_like_metric(k) for k in numbers):
        return
    for key, number in numbers.items():
        label = key if looks_like_metric(key) else f"{name}.{key}"
        metrics.append({"name": label, "value": number, "variable": name, "key": key})
