"""modelreg: log candidates, promote versions and pull models from a modelreg registry.

Example:
    >>> import modelreg
    >>> reg = modelreg.Registry()
    >>> with reg.candidate("acme/churn", name="xgb-depth6") as c:
    ...     c.log_params({"max_depth": 6})
    ...     c.log_metric("auc", 0.91, step=10)
    ...     c.log_artifact("model.pkl")
    >>> c.promote(bump="minor")
    >>> path = reg.pull("acme/churn@latest")
"""

from ._fluent import (
    active_candidate,
    autolog,
    end_candidate,
    load,
    log_artifact,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    pull,
    set_registry,
    set_tag,
    set_tags,
    start_candidate,
)
from ._http import __version__
from .candidate import Candidate
from .compare import Comparison
from .errors import (
    Conflict,
    DigestMismatch,
    NotConfigured,
    NotFound,
    OfflineCacheMiss,
    ParamAlreadySet,
    PermissionDenied,
    RegistryError,
    RegistryUnavailable,
    SignatureMismatch,
    Unauthenticated,
    ValidationError,
    VersionExists,
    VersionLocked,
)
from .registry import Registry

# isort: split
# Imported after the `compare` module above, so that `modelreg.compare` is the function.
from ._fluent import compare  # noqa: E402

__all__ = [
    "Registry",
    "Candidate",
    "Comparison",
    "__version__",
    "start_candidate",
    "active_candidate",
    "pull",
    "load",
    "autolog",
    "compare",
    "end_candidate",
    "set_registry",
    "log_param",
    "log_params",
    "log_metric",
    "log_metrics",
    "log_artifact",
    "set_tag",
    "set_tags",
    "RegistryError",
    "NotFound",
    "PermissionDenied",
    "Unauthenticated",
    "VersionLocked",
    "VersionExists",
    "Conflict",
    "ParamAlreadySet",
    "DigestMismatch",
    "ValidationError",
    "RegistryUnavailable",
    "SignatureMismatch",
    "NotConfigured",
    "OfflineCacheMiss",
]
