"""Presigned transfers against a real S3-protocol server (moto's server mode) and a real registry.

The registry stores its blobs in a moto bucket; the client's part uploads go through a loopback
TCP relay in front of moto that can cut one connection midway, a real network failure.
"""

import hashlib
import os
import re
import select
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import modelreg
import pytest
import requests
from modelreg import _upload
from modelreg.errors import DigestMismatch, RegistryUnavailable
from support import Registry, RegistryDidNotStart
from support.moto import MOTO_SERVER, moto_available, start_moto

MIB = 1024 * 1024
if not moto_available():
    print(
        f"SKIPPED: {MOTO_SERVER} is missing (pip install -r requirements-dev.txt); presigned transfer tests do not run"
    )
pytestmark = pytest.mark.skipif(not moto_available(), reason=f"{MOTO_SERVER} is missing")


class Relay:
    """Forwards loopback connections to moto; ``cut_next(marker)`` breaks the next request containing it,
    ``hold_next(pattern, seconds)`` makes the next request matching it wait before moto sees it (a slow bucket).
    """

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._cut: Optional[bytes] = None
        self.cuts = 0
        self._hold: Optional[Tuple["re.Pattern[bytes]", float]] = None
        self.holds = 0
        self.requests: List[bytes] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_next(self, marker: bytes) -> None:
        with self._lock:
            self._cut = marker

    def hold_next(self, pattern: bytes, seconds: float) -> None:
        with self._lock:
            self._hold = (re.compile(pattern), seconds)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self._target))
        cut_after: Optional[int] = None
        forwarded = 0
        try:
            while True:
                readable, _, _ = select.select([client, upstream], [], [], 60)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(256 * 1024)
                    if not data:
                        return
                    if sock is client:
                        first_line = data.split(b"\r\n", 1)[0]
                        if first_line.startswith((b"PUT ", b"GET ", b"POST ")):
                            self.requests.append(first_line)
                            with self._lock:
                                if self._cut is not None and self._cut in first_line:
                                    self._cut = None
                                    self.cuts += 1
                                    cut_after = forwarded + 4 * MIB  # let part of the body through
                                hold = self._hold
                                if hold is not None and hold[0].search(first_line):
                                    self._hold = None
                                    self.holds += 1
                                else:
                                    hold = None
                            if hold is not None:
                                time.sleep(hold[1])  # only this connection waits, as behind a busy bucket
                        if cut_after is not None and forwarded + len(data) >= cut_after:
                            return  # both sockets close: the client sees a reset mid-body
                        forwarded += len(data)
                        upstream.sendall(data)
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()

    def close(self) -> None:
        self._listener.close()


@dataclass
class S3Registry:
    url: str
    token: str
    moto: str
    bucket: str
    relay: Relay


def _registry_behind_relay(root: Path, relay_settings: Callable[[int], Dict[str, str]]) -> Iterator[S3Registry]:
    """A registry over a fresh moto bucket, with the relay in front of moto; the caller says where it is used."""
    with start_moto(root) as moto:
        bucket = moto.bucket()
        relay = Relay(moto.port)
        registry = Registry(data_dir=root / "data", env_extra={**moto.env(bucket), **relay_settings(relay.port)})
        try:
            registry.start()
        except RegistryDidNotStart as error:
            pytest.fail(str(error), pytrace=False)
        try:
            yield S3Registry(registry.url, registry.token, moto.endpoint, bucket, relay)
        finally:
            registry.stop()
            registry.cleanup()
            relay.close()


@pytest.fixture(scope="module")
def s3_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Registry]:
    # Part URLs point at the relay, which can break a connection on purpose.
    yield from _registry_behind_relay(
        tmp_path_factory.mktemp("s3-registry"),
        lambda port: {"MODELREG_S3_PRESIGN_ENDPOINT": f"http://127.0.0.1:{port}"},
    )


def _proxied_bytes(server: S3Registry) -> float:
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    return sum(
        float(v) for v in re.findall(r'^modelreg_artifact_bytes_proxied_total\{direction="in"\} (\S+)$', text, re.M)
    )


def _write_random(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        left = size
        while left:
            chunk = os.urandom(min(left, 8 * MIB))
            digest.update(chunk)
            handle.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _new_model(registry: modelreg.Registry) -> str:
    group = f"g{uuid.uuid4().hex[:10]}"
    registry.create_group(group)
    return f"{group}/weights"


def test_a_200_mib_file_goes_to_the_bucket_in_parallel_parts_and_a_cut_part_is_retried(s3_registry, tmp_path):
    registry = modelreg.Registry(s3_registry.url, s3_registry.token)
    model = _new_model(registry)
    local = tmp_path / "weights.bin"
    digest = _write_random(local, 200 * MIB)
    proxied_before = _proxied_bytes(s3_registry)
    s3_registry.relay.cut_next(b"partNumber=3&")

    with registry.candidate(model) as candidate:
        [stored] = candidate.log_artifact(local)
    assert stored == {"path": "weights.bin", "sha256": digest, "size": 200 * MIB}
    assert s3_registry.relay.cuts == 1, "the relay should have broken part 3 once"
    part_puts = [r for r in s3_registry.relay.requests if b"partNumber=3&" in r]
    assert len(part_puts) == 2, part_puts  # the cut attempt and its retry; no other part was sent twice
    assert _proxied_bytes(s3_registry) == proxied_before, "no artifact byte may pass through the registry"

    candidate.promote("1.0.0")
    pulled = registry.pull(f"{model}@1.0.0")
    assert hashlib.sha256((pulled / "weights.bin").read_bytes()).hexdigest() == digest


def test_an_interrupted_upload_resumes_with_the_parts_it_already_sent(s3_registry, tmp_path, monkeypatch):
    registry = modelreg.Registry(s3_registry.url, s3_registry.token)
    model = _new_model(registry)
    local = tmp_path / "big.bin"
    digest = _write_random(local, 100 * MIB)
    monkeypatch.setattr(modelreg.constants, "MAX_RETRIES", 0)
    monkeypatch.setattr(modelreg.constants, "RETRY_BACKOFF_SECONDS", 0.01)
    candidate = registry.candidate(model)
    s3_registry.relay.cut_next(b"partNumber=2&")
    with pytest.raises(RegistryUnavailable, match="resume"):
        candidate.log_artifact(local)
    assert candidate.artifacts() == []

    sent_before = registry.stats.bytes_sent
    [stored] = candidate.log_artifact(local)
    assert stored["sha256"] == digest
    # Only part 2 (32 MiB) had to go again.
    assert registry.stats.bytes_sent - sent_before == 32 * MIB
    candidate.end()


def test_parts_that_are_not_the_declared_file_are_refused_and_nothing_is_attached(s3_registry, tmp_path):
    registry = modelreg.Registry(s3_registry.url, s3_registry.token)
    model = _new_model(registry)
    candidate = registry.candidate(model)
    local = tmp_path / "claimed.bin"
    real = _write_random(local, 40 * MIB)
    other = hashlib.sha256(b"not these bytes").hexdigest()
    http = registry._client
    plan = _upload._upload_plan(http, candidate.path, "claimed.bin", other, 40 * MIB)
    assert plan["mode"] == "presigned" and len(plan["parts"]) == 2
    with pytest.raises(DigestMismatch, match=real):
        _upload._upload_presigned(http, candidate.path, local, "claimed.bin", other, 40 * MIB, plan, False, None)
    assert candidate.artifacts() == []
    head = requests.head(
        f"{s3_registry.url}/api/v1/blobs/{other}", headers={"Authorization": f"Bearer {s3_registry.token}"}
    )
    assert head.status_code == 404
    candidate.end()


def test_downloads_are_redirected_to_the_bucket_and_verified(s3_registry, tmp_path):
    registry = modelreg.Registry(s3_registry.url, s3_registry.token)
    model = _new_model(registry)
    local = tmp_path / "m.bin"
    digest = _write_random(local, 3 * MIB)
    with registry.candidate(model) as candidate:
        candidate.log_artifact(local)
    candidate.promote("1.0.0")
    answer = requests.get(
        f"{s3_registry.url}/api/v1/models/{model}/versions/1.0.0/artifacts/m.bin",
        headers={"Authorization": f"Bearer {s3_registry.token}"},
        allow_redirects=False,
    )
    assert answer.status_code == 307 and answer.headers["Location"].startswith("http://127.0.0.1:")
    assert answer.headers["X-Checksum-Sha256"] == digest
    pulled = registry.pull(f"{model}@1.0.0")
    assert hashlib.sha256((pulled / "m.bin").read_bytes()).hexdigest() == digest


@pytest.fixture(scope="module")
def proxied_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Registry]:
    """A registry that takes every byte through itself to a moto bucket it reaches through the relay."""
    yield from _registry_behind_relay(
        tmp_path_factory.mktemp("s3-proxied-registry"),
        lambda port: {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "MODELREG_DIRECT_UPLOADS": "false"},
    )


# The registry's CompleteMultipartUpload of a proxied body: POST <staging key>?uploadId=...
COMPLETE = rb"^POST \S+\?uploadId="


def _completes(server: S3Registry) -> int:
    return sum(1 for r in server.relay.requests if re.search(COMPLETE, r))


def test_a_proxied_put_waits_while_the_bucket_publishes_a_large_file(proxied_registry, tmp_path, monkeypatch):
    """After the last byte the registry completes the multipart upload and copies it to its digest's key; a
    slow bucket (moto joining 5 GiB took over 100 s) must not make the client drop and resend the file."""
    registry = modelreg.Registry(proxied_registry.url, proxied_registry.token)
    model = _new_model(registry)
    local = tmp_path / "big.bin"
    digest = _write_random(local, 96 * MIB)
    # The usual timeout scaled down from 60 s; the answer to 96 MiB may take 12 s (1 s per 8 MiB).
    monkeypatch.setattr(modelreg.constants, "REQUEST_TIMEOUT_SECONDS", 3.0)
    proxied_before = _proxied_bytes(proxied_registry)
    sent_before = registry.stats.bytes_sent
    holds_before = proxied_registry.relay.holds
    proxied_registry.relay.hold_next(COMPLETE, 6.0)

    with registry.candidate(model) as candidate:
        [stored] = candidate.log_artifact(local)
    assert stored == {"path": "big.bin", "sha256": digest, "size": 96 * MIB}
    assert proxied_registry.relay.holds == holds_before + 1
    assert registry.stats.bytes_sent - sent_before == 96 * MIB, "the file was sent more than once"
    assert _proxied_bytes(proxied_registry) - proxied_before == 96 * MIB
    assert candidate.artifacts() == [stored]


def test_a_retry_after_the_answer_was_lost_attaches_the_finished_upload_by_digest(
    proxied_registry, tmp_path, monkeypatch
):
    """The connection drops after the last byte while the registry publishes; the registry finishes without the
    client, so the client's retry finds the blob by its sha256 and sends nothing again."""
    registry = modelreg.Registry(proxied_registry.url, proxied_registry.token)
    model = _new_model(registry)
    local = tmp_path / "weights.bin"
    digest = _write_random(local, 16 * MIB)
    monkeypatch.setattr(modelreg.constants, "REQUEST_TIMEOUT_SECONDS", 2.0)  # the client gives up after 2 s
    monkeypatch.setattr(modelreg.constants, "RETRY_BACKOFF_SECONDS", 4.0)  # and retries once the bucket is done
    proxied_before = _proxied_bytes(proxied_registry)
    sent_before = registry.stats.bytes_sent
    completes_before = _completes(proxied_registry)
    holds_before = proxied_registry.relay.holds
    proxied_registry.relay.hold_next(COMPLETE, 4.0)

    with registry.candidate(model) as candidate:
        [stored] = candidate.log_artifact(local)
    assert stored == {"path": "weights.bin", "sha256": digest, "size": 16 * MIB}
    assert proxied_registry.relay.holds == holds_before + 1
    assert registry.stats.bytes_sent - sent_before == 16 * MIB, "the retry sent the file again"
    assert _proxied_bytes(proxied_registry) - proxied_before == 16 * MIB
    assert candidate.artifacts() == [stored]
    assert _completes(proxied_registry) == completes_before + 1  # the retry did not stage the file again
