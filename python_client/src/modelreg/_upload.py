"""Artifact upload: hash locally, attach by checksum when the server has the bytes, else send them.

The bytes go straight to the registry's bucket when it offers presigned part URLs (``POST
.../uploads``): parts in parallel, each retried on its own, an interrupted upload resumed by part
on the next call; otherwise they stream through the registry.
"""

import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple

import requests

from . import constants
from ._http import HttpClient, TransferStats
from ._progress import Progress
from ._refs import artifact_path
from .errors import NotFound, RegistryUnavailable

# Folders no one means to ship as part of a model.
_SKIPPED_DIRS = frozenset({".ipynb_checkpoints", "__pycache__", ".git"})


def sha256_file(path: Path) -> Tuple[str, int]:
    """sha256 hex digest and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(constants.CHUNK_SIZE)
            if not chunk:
                break
            size += len(chunk)
            digest.update(chunk)
    return digest.hexdigest(), size


def artifact_files(local_path: Path, path_in_candidate: str = "") -> List[Tuple[Path, str]]:
    """The files to upload for a file or a directory, with their artifact paths.

    A file is stored as ``path_in_candidate`` (default: its file name); a directory's files as
    ``<path_in_candidate or directory name>/<relative path>``.

    Raises:
        FileNotFoundError: ``local_path`` does not exist.
    """
    local_path = Path(local_path)
    if local_path.is_file():
        return [(local_path, path_in_candidate or local_path.name)]
    if not local_path.is_dir():
        raise FileNotFoundError(f"No such file or directory to log as an artifact: {local_path}")
    prefix = (path_in_candidate or local_path.resolve().name).strip("/")
    found: List[Tuple[Path, str]] = []
    for root, dirs, files in os.walk(local_path):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(files):
            file_path = Path(root) / name
            relative = file_path.relative_to(local_path).as_posix()
            found.append((file_path, f"{prefix}/{relative}" if prefix else relative))
    return found


def upload_file(
    http: HttpClient,
    candidate_path: str,
    local_file: Path,
    path: str,
    show_progress: bool = True,
    on_bytes: Optional[Callable[[int], None]] = None,
) -> Dict[str, Any]:
    """Upload one file as artifact ``path`` of a candidate; send no bytes if the server has them.

    Args:
        http: the registry connection.
        candidate_path: API path of the candidate (``/models/g/m/candidates/3``).
        local_file: the file to upload.
        path: its artifact path inside the candidate.
        show_progress: show a progress bar for the byte stream.
        on_bytes: called with each chunk's size as it is sent (a bucket part retried takes its
            bytes back with a negative count). What it raises stops the upload mid-stream: the
            registry then keeps nothing of this file.

    Returns:
        The server's ``{"path", "sha256", "size"}``.

    Raises:
        RegistryError: the server refused the upload (typed by its code).
    """
    digest, size = sha256_file(local_file)
    url_path = f"{candidate_path}/artifacts/{artifact_path(path)}"
    known = _attach_known(http, url_path, digest)
    if known is not None:
        return known
    plan = _upload_plan(http, candidate_path, path, digest, size)
    if plan.get("mode") == "presigned":
        return _upload_presigned(http, candidate_path, local_file, path, digest, size, plan, show_progress, on_bytes)
    with Progress(size, f"Uploading {path}", enabled=show_progress) as bar:

        def sent(count: int) -> None:
            bar.update(count)
            if on_bytes is not None:
                on_bytes(count)

        return _put_proxied(http, url_path, local_file, digest, size, sent)


def _attach_known(http: HttpClient, url_path: str, digest: str) -> Optional[Dict[str, Any]]:
    """Checksum deploy: attach the blob the store already holds, with an empty body; None if it lacks it."""
    try:
        return http.json(
            "PUT",
            url_path,
            body=lambda: (b"", 0),
            headers={"X-Checksum-Deploy": "true", "X-Checksum-Sha256": digest},
        )
    except NotFound:
        return None


class _AttachedMeanwhile(Exception):
    """A retry found the bytes in the registry already: the attempt before it finished unanswered."""

    def __init__(self, entry: Dict[str, Any]):
        super().__init__(entry["path"])
        self.entry = entry


def _put_proxied(
    http: HttpClient, url_path: str, local_file: Path, digest: str, size: int, on_sent: Callable[[int], None]
) -> Dict[str, Any]:
    """Stream the file through the registry; a retry first asks for the digest instead of sending it again.

    An attempt whose connection dropped after its last byte (a timeout while the registry published a large
    file) usually did store and attach it: the registry carries on without the client. Its retry then attaches
    by checksum, as a user's second ``log_artifact`` would, rather than send gigabytes twice.
    """
    attempts = 0

    def body() -> Tuple[IO[bytes], int]:
        nonlocal attempts
        attempts += 1
        if attempts > 1:
            try:
                known = _attach_known(http, url_path, digest)
            except RegistryUnavailable:
                known = None  # the retry that follows reports it
            if known is not None:
                raise _AttachedMeanwhile(known)
        return open(local_file, "rb"), size

    try:
        return http.json(
            "PUT",
            url_path,
            body=body,
            on_sent=on_sent,
            headers={"X-Checksum-Sha256": digest, "Content-Type": "application/octet-stream"},
            timeout=_publish_seconds(size),
        )
    except _AttachedMeanwhile as done:
        return done.entry


def _upload_plan(http: HttpClient, candidate_path: str, path: str, digest: str, size: int) -> Dict[str, Any]:
    """Ask how to send the bytes; a registry without the route takes them through itself."""
    try:
        return http.json(
            "POST", f"{candidate_path}/uploads", json_body={"path": path, "sha256": digest, "size": size}
        ) or {"mode": "proxy"}
    except NotFound:
        # An older registry without the route; a missing candidate is reported by the PUT that follows.
        return {"mode": "proxy"}


_local = threading.local()


def bucket_session() -> requests.Session:
    """A session for presigned URLs: never the registry's Authorization header, one per thread."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        _local.session = session
    return session


class _PartReader:
    """``length`` bytes of a file from ``offset``, read in chunks, counted as they are sent."""

    def __init__(self, handle: IO[bytes], offset: int, length: int, on_read: Callable[[int], None]):
        handle.seek(offset)
        self._handle = handle
        self._left = length
        self._length = length
        self._on_read = on_read

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        want = constants.CHUNK_SIZE if size is None or size < 0 else max(size, constants.CHUNK_SIZE)
        chunk = self._handle.read(min(want, self._left))
        self._left -= len(chunk)
        if chunk:
            self._on_read(len(chunk))
        return chunk


class _SharedProgress:
    """Bytes of all parts toward one bar; a failed attempt takes its bytes back."""

    def __init__(self, bar: Progress, stats: TransferStats, on_bytes: Optional[Callable[[int], None]]):
        self._bar = bar
        self._stats = stats
        self._on_bytes = on_bytes
        self._lock = threading.Lock()

    def add(self, count: int) -> None:
        with self._lock:
            self._stats.bytes_sent += count
            self._bar.update(count)
            if self._on_bytes is not None:
                self._on_bytes(count)

    def take_back(self, count: int) -> None:
        with self._lock:
            self._bar.update(-count)
            if self._on_bytes is not None:
                self._on_bytes(-count)


def _put_part(local_file: Path, part: Dict[str, Any], offset: int, progress: _SharedProgress) -> None:
    """PUT one part to its presigned URL, retrying transient failures of this part only."""
    for attempt in range(constants.MAX_RETRIES + 1):
        sent = 0

        def on_read(count: int) -> None:
            nonlocal sent
            sent += count
            progress.add(count)

        try:
            with open(local_file, "rb") as handle:
                response = bucket_session().put(
                    part["url"],
                    data=_PartReader(handle, offset, part["size"], on_read),
                    headers={"Content-Length": str(part["size"])},
                    timeout=constants.REQUEST_TIMEOUT_SECONDS,
                )
            if response.status_code < 300:
                return
            retryable = response.status_code >= 500 or response.status_code in (408, 429)
            reason = f"HTTP {response.status_code}: {response.text[:200]}"
        except requests.RequestException as error:
            retryable, reason = True, f"{error.__class__.__name__}: {error}"
        progress.take_back(sent)
        if not retryable or attempt == constants.MAX_RETRIES:
            raise RegistryUnavailable(
                f"Part {part['number']} could not be stored in the registry's bucket ({reason}). The parts "
                "already uploaded are kept: log the artifact again to resume the upload."
            )
        time.sleep(constants.RETRY_BACKOFF_SECONDS * 2**attempt)


def _upload_presigned(
    http: HttpClient,
    candidate_path: str,
    local_file: Path,
    path: str,
    digest: str,
    size: int,
    plan: Dict[str, Any],
    show_progress: bool,
    on_bytes: Optional[Callable[[int], None]],
) -> Dict[str, Any]:
    parts: List[Dict[str, Any]] = plan["parts"]
    offsets: Dict[int, int] = {}
    offset = 0
    for part in parts:
        offsets[part["number"]] = offset
        offset += part["size"]
    todo = [part for part in parts if not part.get("uploaded")]
    with Progress(size, f"Uploading {path}", enabled=show_progress) as bar:
        resumed = size - sum(part["size"] for part in todo)  # those parts are in the bucket already
        bar.update(resumed)
        if on_bytes is not None and resumed:
            on_bytes(resumed)
        progress = _SharedProgress(bar, http.stats, on_bytes)
        workers = max(1, min(constants.upload_concurrency(), len(todo) or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="modelreg-upload") as pool:
            futures = [pool.submit(_put_part, local_file, part, offsets[part["number"]], progress) for part in todo]
            failure: Optional[BaseException] = None
            for future in futures:
                error = future.exception()
                failure = failure or error
            if failure is not None:
                raise failure
    # The registry reads the whole object back from the bucket to hash it.
    return http.json("POST", f"{candidate_path}/uploads/{plan['upload_id']}/complete", timeout=_publish_seconds(size))


def _publish_seconds(size: int) -> float:
    """How long to wait for the answer once the bytes are sent: 1 s per 8 MiB, at least the usual timeout.

    After a proxied PUT's last byte the registry still completes the bucket's multipart upload and copies it to
    its digest's key; after presigned parts it reads the object back to hash it. Against moto a 5 GiB object
    took over 100 s of that, so the usual 60 s read timeout dropped a finished upload (docs/benchmarks.md).
    """
    return max(constants.REQUEST_TIMEOUT_SECONDS, size / (8 * 1024 * 1024))
