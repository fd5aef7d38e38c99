"""The kernel hook the JupyterLab extension runs: log the current notebook as a candidate.

The browser cannot read the model files; the kernel can. "Log as candidate" in JupyterLab executes
:func:`log_notebook` in the notebook's kernel and reads the events it reports from the iopub stream.
The contract is docs/jupyter-hook.md.
"""

import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _fluent, _provenance
from ._upload import artifact_files, upload_file
from .candidate import Candidate
from .errors import RegistryError

EVENT_MIME = "application/vnd.modelreg.event+json"

# Server codes renamed for the extension, which speaks of permissions, not HTTP.
_EVENT_CODES = {"FORBIDDEN": "PERMISSION_DENIED"}


def emit(event: Dict[str, Any]) -> None:
    """Report one event: a raw display message in IPython, else a ``MODELREG_EVENT {json}`` line."""
    if _provenance._ipython() is not None:
        from IPython.display import display

        display({EVENT_MIME: event}, raw=True)
    else:
        sys.stdout.write("MODELREG_EVENT " + json.dumps(event) + "\n")
        sys.stdout.flush()


def _progress(stage: str, message: str, done: int, total: int) -> None:
    emit({"event": "progress", "stage": stage, "message": message, "done": done, "total": total})


def _error(code: str, message: str) -> None:
    emit({"event": "error", "code": _EVENT_CODES.get(code, code), "message": message})


class _Expected(Exception):
    """A problem the user can fix, reported as an error event."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _notebook_file(notebook_path: Optional[str]) -> Path:
    if not notebook_path:
        raise _Expected(
            "NOTEBOOK_NOT_FOUND",
            "The notebook path is unknown: pass notebook_path='dir/name.ipynb' or attach_notebook=False.",
        )
    # The kernel runs in the notebook's folder; notebook_path is relative to the Jupyter root.
    for candidate in (Path(Path(notebook_path).name), Path(notebook_path)):
        if candidate.is_file():
            return candidate
    raise _Expected(
        "NOTEBOOK_NOT_FOUND",
        f"Cannot find the saved notebook {notebook_path} from the kernel's "
        f"working directory {Path.cwd()}. Save it, or pass attach_notebook=False.",
    )


def _uploads(files: Sequence[Union[str, Path]], notebook: Optional[Path]) -> List[Tuple[Path, str]]:
    found: List[Tuple[Path, str]] = []
    for item in files:
        try:
            found.extend(artifact_files(Path(item)))
        except FileNotFoundError as error:
            raise _Expected(
                "FILE_NOT_FOUND", f"{error}. Paths are relative to the kernel's working directory {Path.cwd()}."
            ) from error
    if notebook is not None:
        found.append((notebook, f"notebook/{notebook.name}"))
    return found


def _open_candidate(
    model: str, name: Optional[str], notebook_path: Optional[str], experiment: Optional[str], attach_environment: bool
) -> Tuple[Candidate, bool]:
    existing = _fluent.candidate_to_complete(model)
    if existing is None:
        default_name = Path(notebook_path).stem if notebook_path else None
        return _fluent._registry().candidate(
            model, name=name or default_name, experiment=experiment, capture_environment=attach_environment
        ), True
    # An explicit name or experiment (typed in the extension's dialog) wins over what the code set.
    changes = {k: v for k, v in (("name", name), ("experiment", experiment)) if v and existing.to_dict().get(k) != v}
    if changes:
        existing._patch(changes)
    return existing, False


def _fail_quietly(candidate: Optional[Candidate]) -> None:
    # A candidate this call created but could not complete is marked failed, not left running.
    if candidate is not None:
        try:
            candidate.fail()
        except Exception:
            pass


def log_notebook(
    model: str,
    name: Optional[str] = None,
    notebook_path: Optional[str] = None,
    files: Sequence[Union[str, Path]] = (),
    attach_notebook: bool = True,
    attach_environment: bool = True,
    experiment: Optional[str] = None,
) -> Optional[Dict[str, Any]]:
    """Create (or complete) a candidate for the current notebook and attach files to it.

    If this kernel has an active candidate for ``model`` (or the last one ended here for it was not
    promoted), that candidate is completed instead of creating a new one: its metric buffer is
    flushed, the files are attached and it is marked finished.

    Progress, the result and errors are reported as events (see docs/jupyter-hook.md).

    Args:
        model: ``group/name``; created if missing (developer+ of the group).
        name: candidate name (default: the notebook's file name without ``.ipynb``).
        notebook_path: the notebook's path relative to the Jupyter root (default: what the kernel knows).
        files: files or directories relative to the kernel's working directory.
        attach_notebook: upload the saved ``.ipynb`` as ``notebook/<file name>``.
        attach_environment: record python/platform/packages in the provenance.
        experiment: experiment name.

    Returns:
        The candidate JSON on success; None after an expected error (reported as an ``error`` event).

    Example:
        >>> import modelreg.jupyter
        >>> modelreg.jupyter.log_notebook("acme/churn", files=["model.pkl"], notebook_path="work/train.ipynb")
    """
    notebook_path = notebook_path or _provenance.notebook_path()
    candidate: Optional[Candidate] = None
    created = False
    try:
        notebook = _notebook_file(notebook_path) if attach_notebook else None
        uploads = _uploads(files, notebook)
        total = len(uploads)
        _fluent._registry()  # not configured: say so before any progress event
        _progress("create", f"Opening a candidate of {model}", 0, total)
        candidate, created = _open_candidate(model, name, notebook_path, experiment, attach_environment)
        for done, (local, path) in enumerate(uploads):
            _progress("upload", f"Uploading {path}", done, total)
            upload_file(candidate._registry._client, candidate.path, local, path, show_progress=False)
        _progress("upload", f"Uploaded {total} file(s)", total, total)
        provenance: Dict[str, Any] = {}
        if notebook_path:
            provenance["notebook"] = {"path": notebook_path}
            if notebook is not None:
                provenance["notebook"]["snapshot"] = f"notebook/{notebook.name}"
        kernel = _provenance.kernel()
        if kernel:
            provenance["kernel"] = kernel
        if attach_environment and "environment" not in candidate.provenance:
            provenance["environment"] = _provenance.environment()
        if provenance:
            candidate._patch({"provenance": provenance})
        _progress("finish", f"Finishing candidate #{candidate.iid}", total, total)
        candidate.end("finished")
        candidate.refresh()
    except _Expected as error:
        _error(error.code, error.message)
        return None
    except (RegistryError, OSError) as error:
        _fail_quietly(candidate if created else None)
        code = error.code if isinstance(error, RegistryError) else "FILE_ERROR"
        _error(code, str(error))
        return None
    except BaseException as error:  # a bug: tell the extension, then let the traceback show
        _fail_quietly(candidate if created else None)
        _error("CLIENT_ERROR", f"{error.__class__.__name__}: {error}")
        raise
    result = candidate.to_dict()
    emit({"event": "result", "candidate": result, "url": candidate.url})
    return result
