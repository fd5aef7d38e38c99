"""``log_notebook``: one click logs the run — the kernel's trained models in their own formats,
their params and metrics, figures, the cells that ran and an environment file, as one candidate."""

import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .. import _flavors, _fluent, _provenance
from .._upload import artifact_files
from ..candidate import Candidate
from ..errors import RegistryError, RegistryUnavailable
from . import _background, _cells, _events, _inspect
from ._events import Expected, Report

Selection = Union[str, Sequence[str], None]


def _notebook_file(notebook_path: Optional[str], required: bool) -> Optional[Path]:
    if not notebook_path:
        if not required:
            return None
        raise Expected(
            "NOTEBOOK_NOT_FOUND",
            "The notebook path is unknown: pass notebook_path='dir/name.ipynb' or attach_notebook=False.",
        )
    # The kernel runs in the notebook's folder; notebook_path is relative to the Jupyter root.
    for candidate in (Path(Path(notebook_path).name), Path(notebook_path)):
        if candidate.is_file():
            return candidate
    if not required:
        return None
    raise Expected(
        "NOTEBOOK_NOT_FOUND",
        f"Cannot find the saved notebook {notebook_path} from the kernel's "
        f"working directory {Path.cwd()}. Save it, or pass attach_notebook=False.",
    )


def _file_uploads(files: Sequence[Union[str, Path]]) -> List[Tuple[Path, str]]:
    found: List[Tuple[Path, str]] = []
    for item in files:
        local = Path(item)
        # A relative path keeps its folders in the candidate (plots/roc.png, not roc.png), so two
        # files of the same name from different folders do not collide.
        inside = not local.is_absolute() and ".." not in local.parts and local.as_posix() != "."
        try:
            found.extend(artifact_files(local, local.as_posix() if inside else ""))
        except FileNotFoundError as error:
            raise Expected(
                "FILE_NOT_FOUND", f"{error}. Paths are relative to the kernel's working directory {Path.cwd()}."
            ) from error
    return found


def _select(kind: str, selection: Selection, found: List[Dict[str, Any]], key: str) -> List[Dict[str, Any]]:
    """``"auto"``: everything found; a list: those names, in that order; None or []: nothing."""
    if selection == "auto":
        return found
    if not selection:
        return []
    if isinstance(selection, str):
        selection = [selection]
    by_name = {entry[key]: entry for entry in found}
    missing = [name for name in selection if name not in by_name]
    if missing:
        known = ", ".join(sorted(by_name)) or "none"
        raise Expected(
            f"{kind.upper()}_NOT_FOUND",
            f"No {kind} named {', '.join(missing)} in the kernel (found: {known}). Run the cell that "
            f"defines it, or check the name.",
        )
    return [by_name[name] for name in selection]


def _save_models(
    chosen: List[Dict[str, Any]],
    namespace: Mapping[str, Any],
    datasets: Dict[str, Dict[str, Any]],
    data_values: Mapping[str, Any],
    root: Path,
) -> List[Dict[str, Any]]:
    saved = []
    for entry in chosen:
        variable = entry["variable"]
        value = namespace[variable]
        flavor = _flavors.by_name(entry["flavor"])
        extra: Dict[str, Any] = {"params": entry["params"]}
        trained_on = entry.get("trained_on") or []
        if trained_on:
            extra["trained_on"] = [datasets[name] for name in trained_on if name in datasets]
            kind = _inspect._data_kind(data_values[trained_on[0]])
            try:
                extra["input_example"] = _inspect.input_example(data_values[trained_on[0]], kind or "ndarray")
            except Exception:  # an example is a convenience; its absence must not stop the log
                pass
        try:
            descriptor = _flavors.save_model(value, root / "models" / variable, flavor, variable, extra)
        except Exception as error:
            raise Expected(
                "MODEL_NOT_SAVED",
                f"Could not save {variable} ({entry['class']}) as {flavor.NAME}: "
                f"{error.__class__.__name__}: {error}. Save it to a file yourself and "
                "attach that file instead.",
            ) from error
        saved.append(
            {
                "variable": variable,
                "flavor": flavor.NAME,
                "class": entry["class"],
                "library": entry["library"],
                "library_version": entry["library_version"],
                "path": f"models/{variable}",
                "files": descriptor["files"],
                "pickle": bool(descriptor.get("pickle")),
            }
        )
    return saved


def _save_figures(names: List[str], figures: Mapping[str, Any], root: Path) -> None:
    folder = root / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        figures[name].savefig(folder / f"{name}.png", format="png", dpi=100, bbox_inches="tight")


def _params_of(chosen: List[Dict[str, Any]]) -> Dict[str, Any]:
    # One model: its params as they are; several: prefixed with the variable, so none collide.
    if len(chosen) == 1:
        return dict(chosen[0]["params"])
    return {f"{entry['variable']}.{key}": value for entry in chosen for key, value in entry["params"].items()}


def _open_candidate(
    model: str, name: Optional[str], notebook_path: Optional[str], experiment: Optional[str], attach_environment: bool
) -> Tuple[Candidate, bool]:
    running = _fluent.candidate_to_complete(model)
    if running is None:
        default_name = Path(notebook_path).stem if notebook_path else None
        return _fluent._registry().candidate(
            model, name=name or default_name, experiment=experiment, capture_environment=attach_environment
        ), True
    # The notebook's code opened this one and it is still running: an explicit name or experiment
    # (typed in the dialog) wins over what the code set.
    changes = {k: v for k, v in (("name", name), ("experiment", experiment)) if v and running.to_dict().get(k) != v}
    if changes:
        running._patch(changes)
    return running, False


def _fail_quietly(candidate: Optional[Candidate], reason: str) -> bool:
    """Mark a candidate this call created but could not complete failed, not left running.

    Returns:
        False when the registry could not be reached to say so (the candidate is still running there).
    """
    if candidate is not None:
        try:
            candidate.fail(reason)
        except RegistryUnavailable:
            return False
        except Exception:
            pass
    return True


def log_notebook(
    model: str,
    name: Optional[str] = None,
    notebook_path: Optional[str] = None,
    files: Sequence[Union[str, Path]] = (),
    attach_notebook: bool = True,
    attach_environment: bool = True,
    experiment: Optional[str] = None,
    models: Selection = "auto",
    metrics: Selection = "auto",
    figures: Selection = "auto",
    namespace: Optional[Dict[str, Any]] = None,
    background: bool = False,
) -> Optional[Dict[str, Any]]:
    """Log the run as it stands in the kernel: one call, one new candidate.

    The trained models are saved in their library's own format under ``models/<variable>/`` with a
    ``modelreg.json`` descriptor (what :func:`modelreg.load` reads), their hyperparameters become the
    candidate's params, the metrics its metrics, figures ``figures/<name>.png``; the provenance records
    the cells that ran, the notebook, the kernel and the environment (also as
    ``environment/requirements.txt``).

    A new candidate is created unless the notebook's own code opened one of ``model`` that is still
    running in this kernel: then that one is completed. A finished candidate is never reopened.

    Progress, the result and errors are reported as events (see docs/jupyter-hook.md).

    Args:
        model: ``group/name``; created if missing (developer+ of the group).
        name: candidate name (default: the notebook's file name without ``.ipynb``).
        notebook_path: the notebook's path relative to the Jupyter root (default: what the kernel knows).
        files: files or directories relative to the kernel's working directory.
        attach_notebook: upload the saved ``.ipynb`` as ``notebook/<file name>``.
        attach_environment: record python/platform/packages and ``environment/requirements.txt``.
        experiment: experiment name.
        models: ``"auto"`` (every model :func:`inspect` finds), variable names, or None.
            A named variable no flavor knows is pickled.
        metrics: ``"auto"``, metric names as :func:`inspect` reports them, or None.
        figures: ``"auto"``, figure names, or None.
        namespace: the variables to look at (default: the kernel's user namespace).
        background: return once the models are saved and the candidate is open, and upload the files
            in a thread, so the kernel runs other cells meanwhile. An ``upload-started`` event names
            the upload; its byte progress, result or error follow over the ``modelreg.upload`` comm
            (outside a kernel: as events). :func:`cancel_upload` stops it.

    Returns:
        The candidate JSON on success (still running when ``background``); None after an expected
        error (reported as an ``error`` event).

    Example:
        >>> import modelreg.jupyter
        >>> modelreg.jupyter.log_notebook("acme/churn", models=["clf"], metrics=["accuracy"])
    """
    notebook_path = notebook_path or _provenance.notebook_path()
    opened = _Opened()
    scratch = Path(tempfile.mkdtemp(prefix="modelreg-log-"))
    try:
        ready = _prepare(
            model,
            name,
            notebook_path,
            files,
            attach_notebook,
            attach_environment,
            experiment,
            models,
            metrics,
            figures,
            namespace,
            scratch,
            opened,
        )
        if background:
            return _background.start(ready, scratch, opened.is_new)
        try:
            send(ready, _events.emit)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException as error:
        shutil.rmtree(scratch, ignore_errors=True)
        report_failure(error, opened.created, _events.emit)
        if not isinstance(error, (Expected, RegistryError, OSError)):
            raise  # a bug: the extension was told, now let the traceback show
        return None
    data = ready.candidate.to_dict()
    _events.emit({"event": "result", "candidate": data, "url": ready.candidate.url})
    return data


def report_failure(error: BaseException, created: Optional[Candidate], report: Report) -> Optional[str]:
    """Mark the candidate this log created failed (never left running), saying why, and report it.

    Returns:
        The reason still to record when the registry could not be reached (e.g. it was killed
        mid-upload): the candidate is running there until someone tells it; else None.
    """
    if isinstance(error, Expected):
        code, message = error.code, error.message
    elif isinstance(error, (RegistryError, OSError)):
        code = error.code if isinstance(error, RegistryError) else "FILE_ERROR"
        message = str(error)
    else:
        code, message = "CLIENT_ERROR", f"{error.__class__.__name__}: {error}"
    event = _events.error_event(code, message)
    reason = f"{event['code']}: {message}"[:2000]
    if _fail_quietly(created, reason):
        report(event)
        return None
    assert created is not None
    report(
        {
            **event,
            "message": f"{message} Candidate #{created.iid} is marked failed as soon as the registry answers again.",
        }
    )
    return reason


class _Opened:
    """The candidate a log call is filling, and whether that call created it (then a failure marks it failed)."""

    def __init__(self) -> None:
        self.candidate: Optional[Candidate] = None
        self.is_new = False

    @property
    def created(self) -> Optional[Candidate]:
        return self.candidate if self.is_new else None


class _Ready:
    """A log whose candidate is open, params and metrics logged: what is left is sending the files."""

    def __init__(self, candidate: Candidate, uploads: List[Tuple[Path, str]], provenance: Dict[str, Any]) -> None:
        self.candidate = candidate
        self.uploads = uploads
        self.provenance = provenance
        self.total_bytes = sum(local.stat().st_size for local, _ in uploads)


def _prepare(
    model: str,
    name: Optional[str],
    notebook_path: Optional[str],
    files: Sequence[Union[str, Path]],
    attach_notebook: bool,
    attach_environment: bool,
    experiment: Optional[str],
    models: Selection,
    metrics: Selection,
    figures: Selection,
    namespace: Optional[Dict[str, Any]],
    scratch: Path,
    opened: _Opened,
) -> _Ready:
    notebook = _notebook_file(notebook_path, required=attach_notebook)
    if notebook is None:
        notebook = _notebook_file(notebook_path, required=False)  # still compared with what ran
    uploads = _file_uploads(files)
    if attach_notebook and notebook is not None:
        uploads.append((notebook, f"notebook/{notebook.name}"))
    user_ns = _inspect._user_namespace(namespace)
    include = [] if models == "auto" or not models else [models] if isinstance(models, str) else list(models)
    found = _inspect.inspect(user_ns, include=include)
    chosen_models = _select("model", models, found["models"], "variable")
    chosen_metrics = _select("metric", metrics, found["metrics"], "name")
    chosen_figures = _select("figure", figures, found["figures"], "name")
    _fluent._registry()  # not configured: say so before saving anything

    datasets = {d["name"]: d for d in found["datasets"]}
    data_values = {n: user_ns[n] for n in datasets}
    saved = _save_models(chosen_models, user_ns, datasets, data_values, scratch)
    if chosen_figures:
        _save_figures([f["name"] for f in chosen_figures], _inspect.figure_objects(user_ns), scratch)
    if attach_environment:
        (scratch / "environment").mkdir()
        (scratch / "environment" / "requirements.txt").write_text(_provenance.requirements_txt(), encoding="utf-8")
    for folder in ("models", "figures", "environment"):
        if (scratch / folder).is_dir():
            uploads.extend(artifact_files(scratch / folder, folder))
    total = len(uploads)

    _events.progress("create", f"Opening a candidate of {model}", 0, total)
    candidate, opened.is_new = _open_candidate(model, name, notebook_path, experiment, attach_environment)
    opened.candidate = candidate
    params = _params_of(chosen_models)
    known = candidate.params
    # Params the notebook's code logged itself keep their value.
    candidate.log_params({k: v for k, v in params.items() if k not in known})
    for metric in chosen_metrics:
        candidate.log_metric(metric["name"], metric["value"])
    provenance: Dict[str, Any] = {}
    if notebook_path:
        provenance["notebook"] = {"path": notebook_path}
        if attach_notebook and notebook is not None:
            provenance["notebook"]["snapshot"] = f"notebook/{notebook.name}"
    kernel = _provenance.kernel()
    if kernel:
        provenance["kernel"] = kernel
    cells = _cells.capture(notebook)
    if cells is not None:
        provenance["cells"] = cells
    if saved:
        provenance["models"] = saved
    used = {dataset for entry in chosen_models for dataset in entry.get("trained_on") or []}
    if used:
        provenance["datasets"] = [d for d in found["datasets"] if d["name"] in used]
    if attach_environment:
        provenance["environment"] = _provenance.environment()
    return _Ready(candidate, uploads, provenance)


def send(ready: _Ready, report: Report, cancelled: Optional[threading.Event] = None) -> None:
    """Upload the files with byte progress, record the provenance and finish the candidate.

    Raises:
        Expected: ``UPLOAD_CANCELLED`` once ``cancelled`` is set; the file being sent is not attached.
    """
    candidate, total = ready.candidate, ready.total_bytes
    progress = _ByteProgress(report, total, len(ready.uploads))
    for local, path in ready.uploads:
        if cancelled is not None and cancelled.is_set():
            raise _cancelled()
        progress.start(path, local.stat().st_size)

        def sent(count: int) -> None:
            if cancelled is not None and cancelled.is_set():
                raise _cancelled()
            progress.add(count)

        candidate.log_artifact(local, path, show_progress=False, on_bytes=sent)
        progress.file_done()
    candidate._patch({"provenance": ready.provenance})
    report(_events.progress_event("finish", f"Finishing candidate #{candidate.iid}", total, total))
    candidate.end("finished")
    candidate.refresh()


def _cancelled() -> Expected:
    return Expected("UPLOAD_CANCELLED", "The upload was cancelled; the candidate is marked failed.")


class _ByteProgress:
    """Upload progress in bytes, reported at most every few tenths of a second (a 400 MB model sends
    thousands of chunks)."""

    INTERVAL_SECONDS = 0.25

    def __init__(self, report: Report, total: int, files: int) -> None:
        self._report = report
        self._total = total
        self._files = files
        self._done = 0
        self._file = 0
        self._path = ""
        self._file_end = 0
        self._last = 0.0

    def start(self, path: str, size: int) -> None:
        self._path = path
        self._file_end = self._done + size
        self._emit()

    def add(self, count: int) -> None:
        self._done += count
        if time.monotonic() - self._last >= self.INTERVAL_SECONDS:
            self._emit()

    def file_done(self) -> None:
        # Bytes the registry already held were never sent: the file still counts whole.
        self._done = self._file_end
        self._file += 1
        if self._file == self._files:
            self._emit(f"Uploaded {self._files} file(s)")

    def _emit(self, message: Optional[str] = None) -> None:
        self._last = time.monotonic()
        event = _events.progress_event("upload", message or f"Uploading {self._path}", self._done, self._total)
        event.update(unit="bytes", files_done=self._file, files_total=self._files)
        self._report(event)
