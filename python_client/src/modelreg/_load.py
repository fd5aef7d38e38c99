"""``modelreg.load(ref)``: the model object of a version, alias or candidate, from its ``modelreg.json``."""

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from . import _flavors, constants
from ._refs import Ref, artifact_path
from .errors import DigestMismatch, NotFound

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Registry


def _descriptors(folder: Path) -> Dict[str, Path]:
    """Variable name -> folder holding its ``modelreg.json`` (``models/<variable>/``)."""
    found = {}
    for path in sorted(folder.glob(f"models/*/{_flavors.DESCRIPTOR}")):
        try:
            variable = json.loads(path.read_text(encoding="utf-8")).get("variable") or path.parent.name
        except ValueError:
            continue
        found[str(variable)] = path.parent
    return found


def _download_candidate(registry: "Registry", ref: Ref) -> Path:
    """A candidate's ``models/`` files in a fresh folder of the cache (candidates change, versions do not)."""
    candidate = registry.get_candidate(ref.model.full_name, int(ref.candidate or 0))
    entries = [a for a in candidate.artifacts() if str(a.get("path", "")).startswith("models/")]
    target = Path(registry.cache.root) / "candidates" / ref.model.group / ref.model.name / str(candidate.iid)
    client = registry._client
    for entry in entries:
        local = target / entry["path"]
        local.parent.mkdir(parents=True, exist_ok=True)
        if local.is_file() and hashlib.sha256(local.read_bytes()).hexdigest() == entry.get("sha256"):
            continue
        partial = local.with_name(local.name + ".incomplete")
        digest = hashlib.sha256()
        response = client.request("GET", f"{candidate.path}/artifacts/{artifact_path(entry['path'])}", stream=True)
        try:
            with open(partial, "wb") as handle:
                for chunk in response.iter_content(constants.CHUNK_SIZE):
                    digest.update(chunk)
                    handle.write(chunk)
        finally:
            response.close()
        if entry.get("sha256") and digest.hexdigest() != entry["sha256"]:
            partial.unlink(missing_ok=True)
            raise DigestMismatch(
                f"{entry['path']} of {ref} arrived with sha256 {digest.hexdigest()}, "
                f"expected {entry['sha256']}. Try again."
            )
        os.replace(partial, local)
    return target


def load(registry: "Registry", ref: str, variable: Optional[str] = None, trusted: Optional[List[str]] = None) -> Any:
    """See :func:`modelreg.load`."""
    parsed = Ref.parse(ref)
    folder = (
        _download_candidate(registry, parsed)
        if parsed.candidate is not None
        else registry.pull(ref, show_progress=not constants.progress_disabled())
    )
    models = _descriptors(folder)
    if not models:
        raise NotFound(
            f"{ref} has no model saved by modelreg (no models/<name>/{_flavors.DESCRIPTOR}). Use "
            f"modelreg.pull({ref!r}) and load its files yourself.",
            code="NO_MODEL_DESCRIPTOR",
        )
    if variable is None:
        if len(models) > 1:
            raise ValueError(
                f"{ref} holds several models ({', '.join(models)}): pass "
                f"modelreg.load({ref!r}, variable={next(iter(models))!r})."
            )
        variable = next(iter(models))
    if variable not in models:
        raise NotFound(f"{ref} has no model {variable!r}; it holds {', '.join(models)}.", code="NOT_FOUND")
    return _flavors.load_model(models[variable], trusted)
