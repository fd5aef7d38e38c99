"""A candidate: one training run's params, metrics, artifacts and provenance."""

import html
import json
import math
import threading
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Union
from urllib.parse import quote

from . import _fluent, _git, _heartbeat, constants
from ._refs import ModelName
from ._upload import artifact_files, upload_file
from .errors import NotFound, RegistryError, ValidationError, VersionLocked

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Registry

ParamValue = Union[str, int, float, bool, None, list, dict]


def _param_text(value: ParamValue) -> str:
    # The server stores params as text, like MLflow; structured values keep a readable JSON form.
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return str(value)


class Candidate:
    """A candidate of a model. Get one from :meth:`Registry.candidate` (a new, running one),
    :meth:`Registry.get_candidate` or :func:`modelreg.start_candidate`.

    Used as a context manager, leaving the block marks it ``finished``, and an exception marks it
    ``failed`` (the exception still propagates).

    Example:
        >>> with reg.candidate("acme/churn", name="xgb") as c:
        ...     c.log_params({"max_depth": 6})
        ...     c.log_metric("auc", 0.91, step=10)
        ...     c.log_artifact("model.pkl")
        >>> c.promote(bump="minor")
    """

    def __init__(self, registry: "Registry", data: Dict[str, Any]) -> None:
        self._registry = registry
        self._data = data
        self._buffer: List[Dict[str, Any]] = []
        self._oldest: Optional[float] = None
        self._lock = threading.Lock()  # guards the buffer and the fields below
        # Held for a whole send, so batches reach the server in the order they were logged.
        self._send_lock = threading.Lock()
        self._in_flight = 0  # points taken from the buffer and not yet acknowledged
        self._send_failed = False
        self._sender: Optional[threading.Thread] = None
        self._timer: Optional[threading.Timer] = None
        _fluent.track(self)

    # -- what it is ---------------------------------------------------------------------------
    @property
    def model(self) -> str:
        """Full name of the model, ``group/name``."""
        return self._data["model"]

    @property
    def iid(self) -> int:
        """The candidate's number within its model."""
        return int(self._data["iid"])

    @property
    def run_id(self) -> Optional[str]:
        """The MLflow run id the registry gives this candidate (for MLflow clients)."""
        return self._data.get("run_id")

    @property
    def name(self) -> Optional[str]:
        return self._data.get("name")

    @property
    def status(self) -> str:
        """``running``, ``finished`` or ``failed``."""
        return self._data.get("status", "running")

    @property
    def params(self) -> Dict[str, str]:
        return dict(self._data.get("params") or {})

    @property
    def metrics(self) -> Dict[str, Dict[str, Any]]:
        """Latest value of each metric as last read from the server (see :meth:`refresh`)."""
        return dict(self._data.get("metrics") or {})

    @property
    def provenance(self) -> Dict[str, Any]:
        return dict(self._data.get("provenance") or {})

    @property
    def version(self) -> Optional[str]:
        """The version this candidate was promoted to, or None."""
        return self._data.get("version")

    @property
    def locked(self) -> bool:
        """True once promoted: a version never changes."""
        return bool(self._data.get("locked"))

    @property
    def path(self) -> str:
        """API path below ``/api/v1``."""
        return f"{ModelName.parse(self.model).path}/candidates/{self.iid}"

    @property
    def url(self) -> str:
        """The candidate's API URL."""
        return self._registry._client.url(self.path)

    def to_dict(self) -> Dict[str, Any]:
        """The candidate JSON as the server last sent it."""
        return json.loads(json.dumps(self._data))

    def __repr__(self) -> str:
        return f"<Candidate {self.model}#{self.iid} name={self.name!r} status={self.status}>"

    def _repr_html_(self) -> str:
        """A small card in notebooks: status, version, params and latest metrics."""

        def rows(items: Mapping[str, Any]) -> str:
            return "".join(
                f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                for k, v in sorted(items.items())
            )

        metrics = {k: v.get("value") for k, v in self.metrics.items() if isinstance(v, dict)}
        head = {
            "candidate": f"{self.model}#{self.iid}",
            "name": self.name,
            "status": self.status,
            "version": self.version or "-",
        }
        return (
            f"<table>{rows(head)}<tr><th colspan=2>params</th></tr>{rows(self.params)}"
            f"<tr><th colspan=2>metrics</th></tr>{rows(metrics)}</table>"
        )

    def refresh(self) -> "Candidate":
        """Re-read the candidate from the server (flushing buffered metrics first)."""
        self.flush()
        self._data = self._registry._client.json("GET", self.path)
        return self

    def still_running(self) -> bool:
        """Re-read status and lock from the server (without flushing buffered metrics): False once
        someone ended, promoted or deleted it elsewhere, e.g. in the panel."""
        try:
            self._data = self._registry._client.json("GET", self.path)
        except NotFound:
            return False
        return self.status == "running" and not self.locked

    def _patch(self, body: Dict[str, Any]) -> None:
        updated = self._registry._client.json("PATCH", self.path, json_body=body)
        if isinstance(updated, dict) and "iid" in updated:
            self._data = updated
        else:  # a server that answers 204 still changed it
            self._data = self._registry._client.json("GET", self.path)

    # -- params, tags ---------------------------------------------------------------------------
    def log_param(self, key: str, value: ParamValue) -> None:
        """Record one parameter. See :meth:`log_params`."""
        self.log_params({key: value})

    def log_params(self, params: Mapping[str, ParamValue]) -> None:
        """Record parameters. A parameter keeps its first value; logging the same value again is a no-op.

        Args:
            params: name -> value; values are stored as text (``6`` becomes ``"6"``).

        Raises:
            ParamAlreadySet: a parameter already has a different value.
            VersionLocked: the candidate was promoted.
        """
        known = self._data.get("params") or {}
        new = {k: _param_text(v) for k, v in params.items()}
        new = {k: v for k, v in new.items() if known.get(k) != v}
        if new:
            self._patch({"params": new})

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        """Set free-form tags (``{"team": "growth"}``); existing tags with the same key are replaced."""
        self._patch({"tags": {k: str(v) for k, v in tags.items()}})

    def set_tag(self, key: str, value: Any) -> None:
        """Set one tag. See :meth:`set_tags`."""
        self.set_tags({key: value})

    # -- metrics ----------------------------------------------------------------------------
    def log_metric(self, key: str, value: float, step: Optional[int] = None, timestamp: Optional[int] = None) -> None:
        """Record a metric point. Points are buffered and sent in batches (on size, age, end, flush).

        Args:
            key: metric name, e.g. ``"auc"``.
            value: a finite number (NaN and infinity are skipped with a warning).
            step: training step or epoch.
            timestamp: milliseconds since epoch (default: now).

        Raises:
            VersionLocked: the candidate was promoted.
        """
        if self.locked:
            raise VersionLocked(
                f"Candidate {self.model}#{self.iid} became version {self.version}; "
                "versions never change. Start a new candidate to log more."
            )
        value = float(value)
        if not math.isfinite(value):
            warnings.warn(
                f"modelreg: metric {key!r} = {value} at step {step} skipped (not a finite number)", stacklevel=2
            )
            return
        point: Dict[str, Any] = {
            "key": key,
            "value": value,
            "timestamp": int(timestamp if timestamp is not None else time.time() * 1000),
        }
        if step is not None:
            point["step"] = int(step)
        with self._lock:
            self._buffer.append(point)
            if self._oldest is None:
                self._oldest = time.monotonic()
                self._schedule_flush()
            waiting = len(self._buffer)
            old = time.monotonic() - self._oldest >= constants.METRIC_FLUSH_SECONDS
            # After a failed send, retry when the points are old rather than at every call.
            due = old or (waiting >= constants.METRIC_BATCH_SIZE and not self._send_failed)
            if due and self._sender is None:
                # A notebook loop does not wait for the server: a second thread sends the batch.
                self._sender = threading.Thread(target=self._send_in_background, name="modelreg-metrics", daemon=True)
                self._sender.start()
        if waiting >= constants.METRIC_BUFFER_LIMIT:
            self.flush()  # the server falls behind: wait for it instead of filling memory

    def log_metrics(
        self, metrics: Mapping[str, float], step: Optional[int] = None, timestamp: Optional[int] = None
    ) -> None:
        """Record several metrics at one step. See :meth:`log_metric`."""
        stamp = int(timestamp if timestamp is not None else time.time() * 1000)
        for key, value in metrics.items():
            self.log_metric(key, value, step=step, timestamp=stamp)

    def _schedule_flush(self) -> None:
        # Points logged just before a long pause (an epoch, a cell that ends) still reach the
        # registry within seconds, so the UI shows live metrics without a flush() call.
        # One timer at a time (called with self._lock held); it re-arms itself for late points.
        if self._timer is not None:
            return
        self._timer = threading.Timer(constants.METRIC_FLUSH_SECONDS, self._on_timer)
        self._timer.daemon = True
        self._timer.start()

    def _on_timer(self) -> None:
        self._flush_in_background()
        with self._lock:
            self._timer = None
            if self._buffer:
                self._schedule_flush()

    def _flush_in_background(self) -> None:
        try:
            self.flush()
        except Exception as error:  # the points stay buffered; the next log, flush or end retries
            warnings.warn(f"modelreg: could not send metrics of {self!r} yet: {error}", stacklevel=1)

    def _send_in_background(self) -> None:
        try:
            while True:
                self._flush_in_background()
                with self._lock:
                    if self._send_failed or len(self._buffer) < constants.METRIC_BATCH_SIZE:
                        self._sender = None
                        return
        except BaseException:
            with self._lock:
                self._sender = None
            raise

    def flush(self) -> None:
        """Send buffered metric points now (and wait for a send already under way).

        Raises:
            RegistryError: the server refused them (they stay buffered for the next flush).
        """
        with self._send_lock:
            with self._lock:
                pending, self._buffer, self._oldest = self._buffer, [], None
                self._in_flight = len(pending)
            size = constants.METRIC_REQUEST_SIZE
            for start in range(0, len(pending), size):
                try:
                    self._registry._client.json("POST", f"{self.path}/metrics", json_body=pending[start : start + size])
                except Exception:
                    with self._lock:  # keep what was not sent, in order, for the next attempt
                        self._buffer[:0] = pending[start:]
                        self._oldest = self._oldest or time.monotonic()
                        self._in_flight = 0
                        self._send_failed = True
                    raise
                with self._lock:
                    self._in_flight -= min(size, len(pending) - start)
            with self._lock:
                self._send_failed = False

    def metric_history(self, key: str) -> List[Dict[str, Any]]:
        """All points of one metric: ``[{"value", "step", "timestamp"}, ...]``."""
        self.flush()
        return self._registry._client.json("GET", f"{self.path}/metrics/{key}").get("history", [])

    @property
    def has_pending_metrics(self) -> bool:
        return bool(self._buffer) or self._in_flight > 0

    # -- artifacts ----------------------------------------------------------------------------
    def log_artifact(
        self,
        local_path: Union[str, Path],
        path: Optional[str] = None,
        show_progress: bool = True,
        on_bytes: Optional[Callable[[int], None]] = None,
    ) -> List[Dict[str, Any]]:
        """Upload a file or a directory. Bytes the registry already holds are not sent again.

        Args:
            local_path: a file or a directory.
            path: artifact path in the candidate (default: the file or directory name).
            show_progress: show a progress bar while bytes are sent.
            on_bytes: called with the size of each chunk sent; what it raises stops the upload, and
                the file being sent is not attached.

        Returns:
            One ``{"path", "sha256", "size"}`` per uploaded file.

        Raises:
            FileNotFoundError: ``local_path`` does not exist.
            VersionLocked: the candidate was promoted.
        """
        return [
            upload_file(self._registry._client, self.path, file, artifact, show_progress, on_bytes)
            for file, artifact in artifact_files(Path(local_path), path or "")
        ]

    def artifacts(self) -> List[Dict[str, Any]]:
        """The candidate's files: ``[{"path", "sha256", "size"}]``."""
        return self._registry._client.paginate(f"{self.path}/artifacts")

    # -- lifecycle ----------------------------------------------------------------------------
    def end(self, status: str = "finished", reason: Optional[str] = None) -> None:
        """Flush metrics and set the final status (``finished`` or ``failed``), with ``reason`` saying why
        it failed (shown in the panel)."""
        if status not in ("finished", "failed"):
            raise ValidationError(f"status must be 'finished' or 'failed', got {status!r}")
        try:
            self.flush()
        finally:
            _heartbeat.release(self)
            if self.status != status and not self.locked:
                self._patch({"status": status, **({"status_reason": reason} if reason else {})})
            _fluent.ended(self)

    def finish(self) -> None:
        """Mark the candidate finished (what leaving a ``with`` block does)."""
        self.end("finished")

    def fail(self, reason: Optional[str] = None) -> None:
        """Mark the candidate failed, with ``reason`` saying why."""
        self.end("failed", reason)

    def promote(
        self,
        version: Optional[str] = None,
        *,
        bump: Optional[str] = None,
        notes: Optional[str] = None,
        git_tag: bool = False,
        push: bool = False,
        repo: Optional[Union[str, Path]] = None,
    ) -> Dict[str, Any]:
        """Promote this candidate to a locked version. A running candidate is finished first.

        Args:
            version: an explicit SemVer, e.g. ``"1.2.0"``.
            bump: instead of ``version``: ``"patch"``, ``"minor"`` or ``"major"``; the server numbers it
                from the highest version ever used (its ``next_versions``; ``2.0.0-rc.1`` bumps to ``2.0.0``).
                Before a first release there is no patch: that is ``"minor"`` (0.1.0) or ``"major"`` (1.0.0).
            notes: release notes (markdown).
            git_tag: also create the annotated git tag ``<model name>@v<version>`` (GTO's format) on the
                commit the candidate was trained on, and record it on the version.
            push: with ``git_tag``, push the tag to ``origin``.
            repo: the git repository (default: the one containing the working directory).

        Returns:
            The version JSON (with ``git_tag`` and ``git_commit`` when tagged).

        Raises:
            ValueError: neither or both of ``version`` and ``bump``.
            VersionExists: that version number is taken.
            PermissionDenied: promoting needs the maintainer role.
            ValidationError: ``git_tag`` and no commit in the provenance, a dirty working tree, or a
                candidate trained with uncommitted changes (nothing is promoted then).
            Conflict: ``git_tag`` and the tag exists already.

        Example:
            >>> candidate.promote(bump="minor", git_tag=True, push=True)
        """
        if (version is None) == (bump is None):
            raise ValidationError("Pass exactly one of version='1.2.0' or bump='patch'|'minor'|'major'")
        model = ModelName.parse(self.model)
        tagging = None
        if git_tag:
            root = _git.repository_root(Path(repo) if repo else None)
            # With bump, the tag checked is the one for the version the server suggests now.
            expected = version or self._registry._client.json("GET", f"{model.path}/versions")["next_versions"][bump]
            tagging = (root, _git.check_can_tag(root, self.provenance, model.name, expected))
        if self.status == "running":
            self.end("finished")
        else:
            self.flush()
        body: Dict[str, Any] = {"candidate": self.iid}
        body.update({"version": version} if version else {"bump": bump})
        if notes:
            body["notes"] = notes
        client = self._registry._client
        result = client.json("POST", f"{model.path}/versions", json_body=body)
        self.refresh()
        if tagging is None:
            return result
        root, commit = tagging
        number = result["version"]
        tag = _git.tag_name(model.name, number)
        version_path = f"{model.path}/versions/{quote(number, safe='')}"
        message = _git.tag_message(self.model, number, client.url(version_path), result["manifest_digest"])
        try:
            _git.create_tag(root, tag, commit, message)
        except RegistryError as error:
            raise type(error)(
                f"Version {number} was promoted, but not tagged: {error.message}", code=error.code
            ) from error
        recorded = client.json("PUT", f"{version_path}/git-tag", json_body={"tag": tag, "commit": commit})
        if push:
            _git.push_tag(root, tag)
        return recorded

    def __enter__(self) -> "Candidate":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.end("finished")
            return
        try:
            self.end("failed")
        except Exception:  # the user's exception matters more than a failed status update
            pass
