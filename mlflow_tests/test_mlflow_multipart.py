"""MLflow's multipart artifact protocol (``mlflow-artifacts/mpu/...``) against a registry whose blobs are in a bucket.

The unmodified ``mlflow`` client is told to upload in parts (``MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD`` and the
chunk-size settings force it on a file of a few MiB); the bucket is moto's server mode. The registry's own
``/metrics`` shows the parts bypassed it. A registry on the local store answers MLflow's "not supported", and the
client falls back to one PUT.
"""

import contextlib
import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Iterator

import boto3
import mlflow
import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _tracking import client_settings, pointed_at  # noqa: E402
from support import Registry  # noqa: E402
from support.moto import CREDENTIALS, MOTO_SERVER, Moto, moto_available, start_moto  # noqa: E402

MIB = 1024 * 1024

if not moto_available():
    print(f"SKIPPED: {MOTO_SERVER} is missing (pip install -r requirements-dev.txt); MLflow multipart tests do not run")
pytestmark = pytest.mark.skipif(not moto_available(), reason=f"{MOTO_SERVER} is missing")


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    with start_moto(tmp_path_factory.mktemp("moto")) as server:
        yield server


@contextlib.contextmanager
def _registry(root: Path, env: dict) -> Iterator[Registry]:
    registry = Registry(data_dir=root, env_extra=env)
    registry.start()
    try:
        yield registry
    finally:
        registry.stop()
        registry.cleanup()


@pytest.fixture(scope="module")
def bucket(moto: Moto) -> str:
    return moto.bucket()


@pytest.fixture(scope="module")
def s3_registry(moto: Moto, bucket: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with _registry(tmp_path_factory.mktemp("s3-registry"), moto.env(bucket)) as registry:
        yield registry


@pytest.fixture(scope="module")
def local_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with _registry(tmp_path_factory.mktemp("local-registry"), {}) as registry:
        yield registry


@contextlib.contextmanager
def _tracking(registry: Registry, chunk_size: int) -> Iterator[str]:
    """``mlflow`` pointed at a fresh group of ``registry``, uploading every file in ``chunk_size`` parts."""
    group = f"mp{os.urandom(5).hex()}"
    registry.call("POST", "/groups", {"name": group, "visibility": "private"})
    uri = f"{registry.url}/mlflow/{group}"
    settings = {
        **client_settings(uri, registry.token),
        "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD": "true",
        "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE": "1",
        "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE": str(chunk_size),
    }
    with pointed_at(uri, settings):
        yield group


def _proxied_in(registry: Registry) -> float:
    text = requests.get(f"{registry.url}/metrics", timeout=10).text
    return float(re.search(r'^modelreg_artifact_bytes_proxied_total\{direction="in"\} (\S+)$', text, re.M).group(1))


def _files(run_id: str, directory: str = "") -> dict:
    """The run's files under ``directory`` and their sizes, as the mlflow client lists them."""
    return {f.path: f.file_size for f in mlflow.MlflowClient().list_artifacts(run_id, directory or None)}


def _digest_of(run_id: str, path: str, into: Path) -> str:
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path, dst_path=str(into))
    return hashlib.sha256(Path(local).read_bytes()).hexdigest()


def _bucket_keys(moto: Moto, bucket: str, prefix: str) -> dict:
    s3 = boto3.client("s3", endpoint_url=moto.endpoint, **_boto_credentials())
    objects = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])
    return {"objects": [o["Key"] for o in objects], "multipart_uploads": [u["Key"] for u in uploads]}


def _boto_credentials() -> dict:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_REGION"],
    }


def _random_file(path: Path, size: int) -> str:
    data = os.urandom(size)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_mlflow_logs_a_large_file_in_parts_straight_to_the_bucket(s3_registry, moto, bucket, tmp_path):
    local = tmp_path / "weights.bin"
    digest = _random_file(local, 12 * MIB + 5)  # three 5 MiB parts, the last one short
    with _tracking(s3_registry, chunk_size=5 * MIB):
        mlflow.set_experiment("default")
        before = _proxied_in(s3_registry)
        with mlflow.start_run(run_name="parts") as run:
            mlflow.log_artifact(str(local), artifact_path="model")
            run_id = run.info.run_id
        assert _proxied_in(s3_registry) == before, "the parts went through the registry"
        assert _files(run_id, "model") == {"model/weights.bin": 12 * MIB + 5}
        assert _digest_of(run_id, "model/weights.bin", tmp_path / "back") == digest
    keys = _bucket_keys(moto, bucket, "registry/")
    assert keys["multipart_uploads"] == []
    assert [k for k in keys["objects"] if "/uploads/" in k] == [], keys
    assert f"registry/sha256/{digest[:2]}/{digest}" in keys["objects"]


def test_a_file_smaller_than_one_chunk_is_a_single_part_upload(s3_registry, tmp_path):
    local = tmp_path / "config.json"
    digest = _random_file(local, 3000)
    with _tracking(s3_registry, chunk_size=5 * MIB):
        mlflow.set_experiment("default")
        before = _proxied_in(s3_registry)
        with mlflow.start_run(run_name="one-part") as run:
            mlflow.log_artifact(str(local))
        assert _proxied_in(s3_registry) == before
        assert _digest_of(run.info.run_id, "config.json", tmp_path / "back") == digest


def test_parts_the_bucket_refuses_abort_the_upload_and_attach_nothing(s3_registry, moto, bucket, tmp_path):
    local = tmp_path / "tiny-parts.bin"
    _random_file(local, 3 * MIB)
    # 1 MiB chunks: S3 wants every part but the last to be at least 5 MiB, so complete fails.
    with _tracking(s3_registry, chunk_size=1 * MIB):
        mlflow.set_experiment("default")
        with mlflow.start_run(run_name="refused") as run:
            with pytest.raises(requests.HTTPError, match="at least 5242880 bytes"):
                mlflow.log_artifact(str(local))
        assert _files(run.info.run_id) == {}
    # The client aborted: its staged parts are gone from the bucket.
    assert _bucket_keys(moto, bucket, "registry/uploads/") == {"objects": [], "multipart_uploads": []}


def test_a_registry_without_a_bucket_says_not_supported_and_the_client_falls_back_to_one_put(local_registry, tmp_path):
    local = tmp_path / "weights.bin"
    digest = _random_file(local, 6 * MIB)
    with _tracking(local_registry, chunk_size=5 * MIB) as group:
        create = requests.post(
            f"{local_registry.url}/mlflow/{group}/api/2.0/mlflow-artifacts/mpu/create/0/1/artifacts/x.bin",
            json={"path": "x.bin", "num_parts": 2},
            headers={"Authorization": f"Bearer {local_registry.token}"},
            timeout=30,
        )
        assert create.status_code == 501
        assert create.json() == {
            "error_code": "NOT_IMPLEMENTED",
            "message": "Multipart upload is not supported for the current artifact repository",
        }
        mlflow.set_experiment("default")
        before = _proxied_in(local_registry)
        with mlflow.start_run(run_name="fallback") as run:
            mlflow.log_artifact(str(local))
        assert _proxied_in(local_registry) == before + 6 * MIB
        assert _digest_of(run.info.run_id, "weights.bin", tmp_path / "back") == digest
