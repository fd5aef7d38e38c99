"""``Registry.pull``: resolve a reference, then fill the cache snapshot from the registry."""

import hashlib
import http.client
import mmap
import queue
import shutil
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

import requests
import urllib3.exceptions

from . import constants
from ._cache import BlobWriter, Cache, Fetch, FileEntry
from ._http import HttpClient, unreachable
from ._progress import Progress
from ._refs import ModelName, Ref, artifact_path
from ._signing import check_version
from ._upload import bucket_session
from .errors import NotFound, OfflineCacheMiss, RegistryUnavailable


class _BodyCutShort(Exception):
    """The socket failed or closed before the response's Content-Length was read."""


# Failures in the middle of a response body: the download continues with Range.
_BROKEN_STREAM = (
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.ReadTimeoutError,
    _BodyCutShort,
)

# Reads land in a few reused buffers: no allocation per chunk, so reads can be large (a fresh
# 1 MiB bytes object per read is what made large chunks slow) and each byte is copied only from
# the socket into a buffer, then from the buffer to the file and through sha256. Anonymous maps,
# not bytearrays: they are page-aligned, so the file write can be O_DIRECT (BlobWriter).
_READ_SIZE = 1024 * 1024
_BUFFERS = 8


def _plain_body(response: requests.Response) -> Optional[http.client.HTTPResponse]:
    """The http.client response under ``response`` when its body is sent as is (no Content-Encoding)."""
    if response.headers.get("Content-Encoding", "identity").lower() != "identity":
        return None
    body = getattr(response.raw, "_fp", None)  # urllib3 keeps the http.client response here
    return body if isinstance(body, http.client.HTTPResponse) else None


def _read_into(body: http.client.HTTPResponse, buffer: mmap.mmap) -> int:
    try:
        size = body.readinto(buffer)
    except (OSError, http.client.HTTPException) as error:
        raise _BodyCutShort(str(error)) from error
    if not size and body.length:  # http.client reports an early close as the end of the body
        raise _BodyCutShort(f"connection closed with {body.length} bytes of the body unread")
    return size


def _copy_body(response: requests.Response, writer: BlobWriter, on_chunk: Callable[[int], None]) -> None:
    """Read the response body into ``writer``: this thread reads, a second writes, a third hashes.

    The three overlap (socket reads, file writes and hashlib release the GIL), which is what lets a
    cold pull keep up with curl: one thread writing and then hashing each buffer was the bound, 2.0 s
    per GiB against 1.1 s for the two apart (2026-12-03). Each buffer is hashed after it is written
    and only then reused. Whatever was read before an error is written and hashed before this returns
    or raises, so ``writer.offset`` is exact for a Range retry.
    """
    body = _plain_body(response)
    free: "queue.Queue[mmap.mmap]" = queue.Queue()
    for _ in range(_BUFFERS if body is not None else 0):
        free.put(mmap.mmap(-1, _READ_SIZE))
    filled: "queue.Queue[Optional[Tuple[Any, int]]]" = queue.Queue()
    written: "queue.Queue[Optional[Tuple[Any, Any]]]" = queue.Queue()
    failure: List[BaseException] = []

    def recycle(chunk: Any) -> None:
        if body is not None:
            free.put(chunk)

    def write() -> None:
        while True:
            item = filled.get()
            if item is None:
                written.put(None)
                return
            chunk, size = item
            view = memoryview(chunk)[:size] if body is not None else chunk
            if failure:
                recycle(chunk)
                continue
            try:
                writer.append(view)
            except BaseException as error:  # disk full: stop taking bytes, report below
                failure.append(error)
                recycle(chunk)
                continue
            written.put((chunk, view))

    def digest() -> None:
        while True:
            item = written.get()
            if item is None:
                return
            chunk, view = item
            writer.digest(view)
            recycle(chunk)

    workers = [
        threading.Thread(target=write, name="modelreg-download-writer", daemon=True),
        threading.Thread(target=digest, name="modelreg-download-hasher", daemon=True),
    ]
    for worker in workers:
        worker.start()
    try:
        while not failure:
            if body is not None:
                buffer = free.get()
                size = _read_into(body, buffer)
                chunk: Any = buffer
            else:
                chunk = response.raw.read(constants.CHUNK_SIZE, decode_content=True)
                size = len(chunk)
            if not size:
                recycle(chunk)
                break
            filled.put((chunk, size))
            on_chunk(size)
    finally:
        filled.put(None)
        for worker in workers:
            worker.join()
    if failure:
        raise failure[0]


_REDIRECTS = (301, 302, 303, 307, 308)


def _open_download(http: HttpClient, url_path: str, headers: Dict[str, str]) -> requests.Response:
    """GET an artifact; a 307 to the registry's bucket is followed without the registry token.

    The bytes are verified against the manifest's sha256 by the cache writer either way.
    """
    response = http.request("GET", url_path, headers=headers, stream=True, allow_redirects=False)
    if response.status_code not in _REDIRECTS or "Location" not in response.headers:
        return response
    location = response.headers["Location"]
    response.close()
    try:
        direct = bucket_session().get(location, headers=headers, stream=True, timeout=constants.REQUEST_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise unreachable(location.split("?", 1)[0], error) from error
    if direct.status_code >= 400:
        status, text = direct.status_code, direct.text[:300]
        direct.close()
        raise RegistryUnavailable(
            f"The registry's bucket answered HTTP {status} to a presigned download of {url_path}: {text}"
        )
    return direct


def _fetcher(http: HttpClient, files_path: str, entry: FileEntry, show_progress: bool) -> Fetch:
    """Downloads one file from ``files_path`` (a version's or a candidate's ``.../artifacts``)."""
    url_path = f"{files_path}/{artifact_path(entry['path'])}"

    def fetch(writer: BlobWriter) -> None:
        with Progress(entry["size"], f"Downloading {entry['path']}", enabled=show_progress) as bar:
            bar.update(writer.offset)

            def on_chunk(size: int) -> None:
                http.stats.bytes_received += size
                bar.update(size)

            for attempt in range(constants.MAX_RETRIES + 1):
                headers = {"Range": f"bytes={writer.offset}-"} if writer.offset else {}
                response = _open_download(http, url_path, headers)
                try:
                    if writer.offset and response.status_code != 206:
                        bar.update(-writer.offset)
                        writer.restart()  # the server sent the whole file
                    _copy_body(response, writer, on_chunk)
                    return
                except _BROKEN_STREAM as error:
                    if attempt == constants.MAX_RETRIES:
                        raise unreachable(http.base_url, error) from error
                    time.sleep(constants.RETRY_BACKOFF_SECONDS * 2**attempt)
                finally:
                    response.close()

    return fetch


def _deliver(snapshot: Path, local_dir: Optional[Path]) -> Path:
    if local_dir is None:
        return snapshot
    local_dir = Path(local_dir)
    # Copies, not links: a local_dir is the caller's to edit without touching the cache.
    shutil.copytree(snapshot, local_dir, dirs_exist_ok=True)
    return local_dir


def _from_cache(cache: Cache, ref: Ref, verify: bool) -> Optional[Path]:
    version = ref.version if ref.is_exact_version else cache.read_ref(ref.model, ref.version or "latest")
    return cache.cached_snapshot(ref.model, version, verify=verify) if version else None


def pull_offline(cache: Cache, ref: Ref, local_dir: Optional[Path], verify: bool) -> Path:
    """Serve ``ref`` from the cache only.

    Raises:
        OfflineCacheMiss: it was never pulled here (or, for an alias, never resolved here).
    """
    snapshot = _from_cache(cache, ref, verify)
    if snapshot is not None:
        return _deliver(snapshot, local_dir)
    if not ref.is_exact_version and cache.read_ref(ref.model, ref.version or "latest") is None:
        raise OfflineCacheMiss(
            f"Offline (MODELREG_OFFLINE=1): '@{ref.version}' of {ref.model} was never resolved on this machine, "
            f"so its version is unknown. Pull {ref} once online, or pull an exact version like {ref.model}@1.2.0."
        )
    raise OfflineCacheMiss(
        f"Offline (MODELREG_OFFLINE=1): {ref} is not complete in the cache at {cache.root}. "
        "Pull it once online, or unset MODELREG_OFFLINE."
    )


def pull(
    http: HttpClient,
    cache: Cache,
    ref: Ref,
    local_dir: Optional[Path],
    verify: bool,
    show_progress: bool = True,
    verify_signature: bool = True,
) -> Path:
    """Make ``ref`` (a version, alias or ``latest``) complete in the cache and return its directory.

    With ``verify_signature`` the version must match what the registry signed at promotion
    (``_signing.check_version``) before anything is served; a snapshot already complete in the cache
    was checked when it was filled.
    """
    if ref.is_exact_version:
        # Versions never change once promoted, so a complete snapshot needs no network at all.
        snapshot = cache.cached_snapshot(ref.model, ref.version, verify=verify)  # type: ignore[arg-type]
        if snapshot is not None:
            return _deliver(snapshot, local_dir)
    try:
        version_path = f"{ref.model.path}/versions/{quote(ref.version or 'latest', safe='')}"
        version: Dict[str, Any] = http.json("GET", version_path)
    except RegistryUnavailable:
        snapshot = _from_cache(cache, ref, verify)
        if snapshot is None:
            raise
        warnings.warn(f"modelreg: registry unreachable; serving {ref} from the cache ({snapshot.name})", stacklevel=3)
        return _deliver(snapshot, local_dir)
    number = version["version"]
    if not ref.is_exact_version:
        cache.record_ref(ref.model, ref.version or "latest", number)
    if version.get("yanked"):
        reason = version.get("yank_reason") or "no reason given"
        warnings.warn(f"modelreg: {ref.model}@{number} was yanked: {reason}", stacklevel=3)
    if verify_signature:
        check_version(http, str(ref.model), ref.model.path, version)
    snapshot = cache.cached_snapshot(ref.model, number, verify=verify) or cache.fill_snapshot(
        ref.model,
        version,
        lambda entry: _fetcher(
            http, f"{ref.model.path}/versions/{quote(number, safe='')}/artifacts", entry, show_progress
        ),
        verify=verify,
    )
    return _deliver(snapshot, local_dir)


def ci_candidate(http: HttpClient, model: ModelName, filters: Dict[str, str]) -> Dict[str, Any]:
    """The newest finished candidate a pipeline, commit or merge request produced.

    Raises:
        NotFound: none finished; the message lists the candidates that were found.
    """
    what = " and ".join(f"{_FILTER_WORDS[key]} {value}" for key, value in filters.items())
    found = http.paginate(f"{model.path}/candidates", filters, 100)
    finished = [c for c in found if c.get("status") == "finished"]
    if not finished:
        if not found:
            raise NotFound(
                f"{model} has no candidates from {what}. Did that job log one (modelreg log-candidate), "
                "with this registry and model?"
            )
        listed = ", ".join(f"#{c['iid']} ({c.get('status')})" for c in found[:10])
        raise NotFound(
            f"{model} has no finished candidate from {what}; found {listed}. Wait for it to finish, "
            "or pull one of them by number."
        )
    chosen = finished[0]  # newest first
    if len(finished) > 1:
        others = ", ".join(f"#{c['iid']}" for c in finished[1:10])
        warnings.warn(
            f"modelreg: {what} produced {len(finished)} finished candidates of {model}; pulling the "
            f"newest, #{chosen['iid']} (also: {others})",
            stacklevel=3,
        )
    return chosen


_FILTER_WORDS = {"pipeline": "pipeline", "commit": "commit", "merge_request": "merge request"}


def pull_candidate(
    http: HttpClient,
    cache: Cache,
    model: ModelName,
    iid: int,
    local_dir: Optional[Path],
    verify: bool,
    show_progress: bool = True,
) -> Path:
    """Fill a cache snapshot with an (unpromoted) candidate's files and return its directory.

    A candidate may still change, so its snapshot is named after the digest of its file list:
    the same files reuse the same snapshot, any change makes a new one (blobs are shared either way).
    """
    files_path = f"{model.path}/candidates/{int(iid)}/artifacts"
    files = http.paginate(files_path)
    digest = hashlib.sha256(
        "".join(f"{f['sha256']}  {f['path']}\n" for f in sorted(files, key=lambda f: f["path"])).encode()
    ).hexdigest()
    snapshot_name = f"candidate-{int(iid)}-{digest[:16]}"
    entry = {"version": snapshot_name, "files": files}
    snapshot = cache.cached_snapshot(model, snapshot_name, verify=verify) or cache.fill_snapshot(
        model, entry, lambda f: _fetcher(http, files_path, f, show_progress), verify=verify
    )
    return _deliver(snapshot, local_dir)
