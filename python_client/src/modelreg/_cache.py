"""The local, content-addressed cache of pulled versions (in the spirit of huggingface_hub).

Layout under the cache root (``MODELREG_CACHE`` or the user cache dir)::

    blobs/<sha256>                     verified bytes, read-only, shared by every model
    blobs/<sha256>.incomplete          a download in progress (resumed with Range)
    blobs/<sha256>.lock                held while one process fetches that blob
    models/<group>/<name>/versions/<version>/<path>   symlinks into blobs/ (the snapshot)
    models/<group>/<name>/versions/<version>.json     manifest, written last: the snapshot is complete
    models/<group>/<name>/versions/<version>.lock     held while one process fills that snapshot
    models/<group>/<name>/refs/<alias or latest>      the version an alias last resolved to (offline use)

A file appears in a snapshot only after its blob's sha256 was checked. A manifest records each
blob's marker at verification (size, mtime_ns, ctime_ns, inode: see docs/reliability.md), so a warm
pull only ``stat``s blobs; a blob whose marker changed since (a write, even one that put the mtime
back, or a copy put in its place) is hashed again and re-fetched if bad.
"""

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Dict, List, Optional

from . import constants
from ._lock import file_lock
from ._refs import ModelName
from .errors import DigestMismatch, ValidationError

FileEntry = Dict[str, Any]  # {"path", "sha256", "size"} as in the version JSON


# O_DIRECT wants offset, length and buffer address aligned to the device's block; 4096 covers them.
_DIRECT_ALIGN = 4096


def _open_direct(path: Path) -> Optional[int]:
    """An O_DIRECT fd appending to ``path``, or None where the platform or file system has none."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return None
    try:
        return os.open(path, os.O_WRONLY | flag)
    except OSError as error:
        if error.errno == errno.EINVAL:
            return None
        raise


def _write_all(fd: int, chunk: Any, offset: Optional[int] = None) -> None:
    view = memoryview(chunk).cast("B")
    while view:
        done = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset)
        view = view[done:]
        if offset is not None:
            offset += done


class BlobWriter:
    """Appends downloaded bytes to ``<sha>.incomplete`` while hashing them.

    Whole blocks from page-aligned buffers (the pull reads into such buffers: _pull.py) are written
    with O_DIRECT, past the page cache, as the registry writes uploads: on VMs whose free memory the
    host takes back, fresh page-cache pages were a pull's most variable cost (docs/benchmarks.md).
    Anything else (the tail of a file, an unaligned resume, a file system that answers EINVAL) goes
    through the page cache, in order with the rest.

    Attributes:
        offset: bytes already on disk (where a Range request continues).
    """

    def __init__(self, incomplete: Path) -> None:
        self._hash = hashlib.sha256()
        self.offset = 0
        # Hash what an earlier, interrupted download left, so the download can continue it.
        if incomplete.exists():
            with open(incomplete, "rb") as handle:
                for chunk in iter(lambda: handle.read(constants.CHUNK_SIZE), b""):
                    self._hash.update(chunk)
                    self.offset += len(chunk)
        # Unbuffered: its writes reach the file in order with the O_DIRECT ones.
        self._handle = open(incomplete, "ab", buffering=0)
        self._direct = _open_direct(incomplete)

    @property
    def direct(self) -> bool:
        """Whether whole blocks still go past the page cache (False once the file system refused)."""
        return self._direct is not None

    def write(self, chunk: bytes) -> None:
        self.append(chunk)
        self.digest(chunk)

    def append(self, chunk: Any) -> None:
        """Write ``chunk`` to the file only; :meth:`digest` must then see it, in the same order."""
        size = memoryview(chunk).nbytes
        if self._direct is not None and self.offset % _DIRECT_ALIGN == 0 and size % _DIRECT_ALIGN == 0:
            try:
                _write_all(self._direct, chunk, self.offset)
                self.offset += size
                return
            except OSError as error:
                if error.errno != errno.EINVAL:
                    raise
                os.close(self._direct)  # unaligned memory, or a file system without O_DIRECT
                self._direct = None
        _write_all(self._handle.fileno(), chunk)
        self.offset += size

    def digest(self, chunk: bytes) -> None:
        self._hash.update(chunk)

    def restart(self) -> None:
        """Throw away what is on disk (the server ignored the Range request, or the bytes were bad)."""
        self._handle.seek(0)
        self._handle.truncate()
        self._hash = hashlib.sha256()
        self.offset = 0

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        self._handle.close()
        if self._direct is not None:
            os.close(self._direct)
            self._direct = None


# fetch(writer) streams the blob's bytes from writer.offset on into writer.write().
Fetch = Callable[[BlobWriter], None]


def _marker(stat: os.stat_result) -> Dict[str, int]:
    """What a verified blob keeps while nobody touches it; the kernel moves ctime on any write or utime."""
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns, "ino": stat.st_ino}


def _unchanged(stat: os.stat_result, record: Optional[Dict[str, Any]]) -> bool:
    return record is not None and all(record.get(field) == value for field, value in _marker(stat).items())


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(constants.CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValidationError(
            f"Refusing artifact path {path!r}: it would leave the snapshot directory", code="INVALID_PATH"
        )
    return relative


def _points_at(entry: Path, blob: Path, size: int) -> bool:
    """True when a snapshot entry is still the link to ``blob`` (or, without symlinks, a copy of that size)."""
    if entry.is_symlink():
        return os.path.normpath(os.path.join(entry.parent, os.readlink(entry))) == os.path.normpath(blob)
    try:
        return entry.stat().st_size == size
    except OSError:
        return False


class Cache:
    """Blobs and snapshots under ``root``.

    Args:
        root: the cache directory.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().absolute()
        self.blobs = self.root / "blobs"

    def _model_dir(self, model: ModelName) -> Path:
        return self.root / "models" / model.group / model.name

    def snapshot_dir(self, model: ModelName, version: str) -> Path:
        """Where the files of ``model@version`` appear."""
        return self._model_dir(model) / "versions" / version

    def _manifest(self, model: ModelName, version: str) -> Path:
        return self._model_dir(model) / "versions" / f"{version}.json"

    # -- aliases seen online, for offline resolution -------------------------------------------
    def record_ref(self, model: ModelName, ref: str, version: str) -> None:
        """Remember that ``ref`` (an alias or ``latest``) resolved to ``version``."""
        path = self._model_dir(model) / "refs" / ref
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{ref}.{os.getpid()}.tmp")
        tmp.write_text(version, encoding="utf-8")
        os.replace(tmp, path)

    def read_ref(self, model: ModelName, ref: str) -> Optional[str]:
        """The version ``ref`` last resolved to on this machine, or None."""
        try:
            return (self._model_dir(model) / "refs" / ref).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    # -- snapshots --------------------------------------------------------------------------
    def read_manifest(self, model: ModelName, version: str) -> Optional[Dict[str, Any]]:
        """The stored version JSON and verification records, or None when not (fully) cached."""
        try:
            return json.loads(self._manifest(model, version).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def cached_snapshot(self, model: ModelName, version: str, verify: bool = False) -> Optional[Path]:
        """The snapshot directory if it is complete and its blobs are unchanged, else None.

        Args:
            verify: hash every blob instead of trusting its marker.
        """
        manifest = self.read_manifest(model, version)
        if manifest is None:
            return None
        snapshot = self.snapshot_dir(model, version)
        for record in manifest.get("files", []):
            blob = self.blobs / record["sha256"]
            try:
                stat = blob.stat()
            except OSError:
                return None
            if not _unchanged(stat, record):
                return None
            if verify and _hash_file(blob) != record["sha256"]:
                return None
            if not _points_at(snapshot / _safe_relative(record["path"]), blob, record["size"]):
                return None
        return snapshot

    def fill_snapshot(
        self, model: ModelName, version: Dict[str, Any], fetch_for: Callable[[FileEntry], Fetch], verify: bool = False
    ) -> Path:
        """Make ``model@version`` complete in the cache, fetching only blobs that are missing or bad.

        Args:
            model: the model.
            version: the version JSON (``version`` and ``files``).
            fetch_for: returns the fetch function of one file entry.
            verify: hash blobs even when their marker matches the manifest.

        Returns:
            The snapshot directory.

        Raises:
            DigestMismatch: downloaded bytes did not match their sha256 twice in a row.
        """
        number = version["version"]
        with file_lock(self._model_dir(model) / "versions" / f"{number}.lock"):
            # Another process may have completed it while we waited for the lock.
            done = self.cached_snapshot(model, number, verify=verify)
            if done is not None:
                return done
            previous = {r["sha256"]: r for r in (self.read_manifest(model, number) or {}).get("files", [])}
            snapshot = self.snapshot_dir(model, number)
            records: List[Dict[str, Any]] = []
            for entry in version.get("files", []):
                trusted = None if verify else previous.get(entry["sha256"])
                blob = self.ensure_blob(entry["sha256"], entry["size"], fetch_for(entry), trusted)
                self._link(snapshot / _safe_relative(entry["path"]), blob)
                records.append({**entry, **_marker(blob.stat())})
            snapshot.mkdir(parents=True, exist_ok=True)
            manifest = self._manifest(model, number)
            tmp = manifest.with_name(f".{number}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"version": version, "files": records}), encoding="utf-8")
            os.replace(tmp, manifest)  # written last: from now on the snapshot counts as complete
            return snapshot

    # -- blobs ------------------------------------------------------------------------------
    def ensure_blob(self, sha256: str, size: int, fetch: Fetch, trusted: Optional[Dict[str, Any]] = None) -> Path:
        """Return the path of a verified blob, downloading (or resuming) it if needed.

        Args:
            sha256: the expected digest.
            size: the expected size.
            fetch: streams the bytes into a :class:`BlobWriter`.
            trusted: a verification record (its marker); a blob still matching it is not re-hashed.

        Raises:
            DigestMismatch: the bytes did not match twice in a row.
        """
        blob = self.blobs / sha256
        with file_lock(self.blobs / f"{sha256}.lock"):
            if blob.exists():
                stat = blob.stat()
                if _unchanged(stat, trusted):
                    return blob
                if stat.st_size == size and _hash_file(blob) == sha256:
                    return blob
                blob.unlink()  # corrupted: fetch it again
            incomplete = self.blobs / f"{sha256}.incomplete"
            for _attempt in range(2):
                writer = BlobWriter(incomplete)
                try:
                    if writer.offset > size:
                        writer.restart()
                    if writer.offset < size or size == 0:
                        fetch(writer)
                    if writer.hexdigest() == sha256:
                        break
                    writer.restart()  # a bad partial file: start over once, then give up
                finally:
                    writer.close()
            else:
                incomplete.unlink()
                raise DigestMismatch(
                    f"Downloaded bytes do not match sha256 {sha256} (twice). The registry's copy may be "
                    "damaged; tell its administrator."
                )
            os.chmod(incomplete, 0o444)  # read-only: a snapshot user cannot change it by accident
            os.replace(incomplete, blob)
            return blob

    def _link(self, target: Path, blob: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        if os.path.lexists(tmp):
            tmp.unlink()
        try:
            os.symlink(os.path.relpath(blob, target.parent), tmp)
        except OSError:  # no symlinks (Windows without developer mode): copy
            shutil.copyfile(blob, tmp)
        os.replace(tmp, target)
