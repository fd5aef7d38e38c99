"""Artifact upload: hash locally, attach by checksum when the server has the bytes, else stream."""

import hashlib
import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

from . import constants
from ._http import HttpClient
from ._progress import Progress
from ._refs import artifact_path
from .errors import NotFound

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
    http: HttpClient, candidate_path: str, local_file: Path, path: str, show_progress: bool = True
) -> Dict[str, Any]:
    """Upload one file as artifact ``path`` of a candidate; send no bytes if the server has them.

    Args:
        http: the registry connection.
        candidate_path: API path of the candidate (``/models/g/m/candidates/3``).
        local_file: the file to upload.
        path: its artifact path inside the candidate.
        show_progress: show a progress bar for the byte stream.

    Returns:
        The server's ``{"path", "sha256", "size"}``.

    Raises:
        RegistryError: the server refused the upload (typed by its code).
    """
    digest, size = sha256_file(local_file)
    url_path = f"{candidate_path}/artifacts/{artifact_path(path)}"
    try:
        # Checksum deploy: attach the blob the store already holds, with an empty body.
        return http.json(
            "PUT",
            url_path,
            body=lambda: (b"", 0),
            headers={"X-Checksum-Deploy": "true", "X-Checksum-Sha256": digest},
        )
    except NotFound:
        pass  # the store lacks these bytes: send them
    with Progress(size, f"Uploading {path}", enabled=show_progress) as bar:
        return http.json(
            "PUT",
            url_path,
            body=lambda: (open(local_file, "rb"), size),
            on_sent=bar.update,
            headers={"X-Checksum-Sha256": digest, "Content-Type": "application/octet-stream"},
        )
