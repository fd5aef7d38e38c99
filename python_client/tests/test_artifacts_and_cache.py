"""Artifacts and the pull cache: dedup, warm pulls, resume, corruption, concurrent pulls, offline."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time

import modelreg
import pytest
from conftest import make_version
from modelreg.errors import OfflineCacheMiss

MIB = 1024 * 1024


def _blob(cache_root, content: bytes):
    return cache_root / "blobs" / hashlib.sha256(content).hexdigest()


def test_second_upload_of_same_bytes_sends_nothing(registry, model, tmp_path):
    payload = os.urandom(3 * MIB)
    (tmp_path / "weights.bin").write_bytes(payload)
    with registry.candidate(model, name="first") as first:
        before = registry.stats.bytes_sent
        first.log_artifact(tmp_path / "weights.bin")
        assert registry.stats.bytes_sent - before >= len(payload)
    with registry.candidate(model, name="second") as second:
        before = registry.stats.bytes_sent
        [stored] = second.log_artifact(tmp_path / "weights.bin")
        assert registry.stats.bytes_sent - before == 0  # attached by checksum: no body at all
    assert stored["sha256"] == hashlib.sha256(payload).hexdigest() and stored["size"] == len(payload)
    assert second.artifacts() == [stored]


def test_pulling_twice_downloads_nothing(registry, model, tmp_path):
    payload = os.urandom(2 * MIB)
    make_version(registry, model, {"model.bin": payload, "config.json": b"{}"}, tmp_path)
    before = registry.stats.bytes_received
    path = registry.pull(f"{model}@1.0.0")
    assert registry.stats.bytes_received - before >= len(payload)

    again = modelreg.Registry(registry.url, token=None)  # a fresh client, same cache
    requests_before = len(again.stats.requests)
    assert again.pull(f"{model}@1.0.0") == path
    assert again.stats.bytes_received == 0 and len(again.stats.requests) == requests_before
    assert (path / "model.bin").read_bytes() == payload


def test_interrupted_download_resumes_with_range(registry, model, tmp_path, clean_env):
    payload = os.urandom(3 * MIB)
    make_version(registry, model, {"model.bin": payload}, tmp_path)
    blob = _blob(clean_env, payload)
    blob.parent.mkdir(parents=True)
    partial = blob.with_name(blob.name + ".incomplete")
    partial.write_bytes(payload[:MIB])  # what a killed download left behind

    before = registry.stats.bytes_received
    path = registry.pull(f"{model}@1.0.0")
    assert registry.stats.bytes_received - before == len(payload) - MIB  # only the rest came over the wire
    assert any(r == f"bytes={MIB}-" for _, _, r in registry.stats.requests)
    assert (path / "model.bin").read_bytes() == payload
    assert not partial.exists() and blob.exists()


def test_bad_partial_download_is_discarded(registry, model, tmp_path, clean_env):
    payload = os.urandom(2 * MIB)
    make_version(registry, model, {"model.bin": payload}, tmp_path)
    blob = _blob(clean_env, payload)
    blob.parent.mkdir(parents=True)
    blob.with_name(blob.name + ".incomplete").write_bytes(os.urandom(MIB))  # wrong bytes
    path = registry.pull(f"{model}@1.0.0")
    assert (path / "model.bin").read_bytes() == payload


def test_killed_download_is_never_visible_and_resumes(server, registry, model, tmp_path, clean_env):
    payload = os.urandom(128 * MIB)
    make_version(registry, model, {"big.bin": payload}, tmp_path)
    blob = _blob(clean_env, payload)
    partial = blob.with_name(blob.name + ".incomplete")
    script = textwrap.dedent(f"""
        import modelreg
        modelreg.Registry({server.url!r}, {server.token!r}).pull({model + "@1.0.0"!r})
    """)
    process = subprocess.Popen([sys.executable, "-c", script], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill it as soon as bytes start arriving
            if partial.exists() and partial.stat().st_size > 0:
                break
            if process.poll() is not None:
                pytest.skip("the download finished before it could be interrupted")
        process.kill()
    finally:
        process.wait()
    if blob.exists():
        pytest.skip("the download finished before it could be interrupted")
    snapshot = clean_env / "models" / model / "versions" / "1.0.0"
    assert not (snapshot / "big.bin").exists()
    assert not (snapshot.parent / "1.0.0.json").exists()
    assert partial.exists()
    done_before = partial.stat().st_size

    before = registry.stats.bytes_received
    path = registry.pull(f"{model}@1.0.0")
    assert registry.stats.bytes_received - before == len(payload) - done_before
    assert (path / "big.bin").read_bytes() == payload


def _rewrite_same_size(blob, payload):
    os.chmod(blob, 0o644)
    blob.write_bytes(os.urandom(len(payload)))


def _flip_a_byte_and_put_the_mtime_back(blob, payload):
    stat = blob.stat()
    os.chmod(blob, 0o644)
    with open(blob, "r+b") as handle:
        handle.write(bytes([payload[0] ^ 0xFF]))
    os.utime(blob, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _copy_other_bytes_in_place(blob, payload):  # what `cp -p` leaves: same size and mtime, new inode
    stat = blob.stat()
    forged = blob.with_name("forged")
    forged.write_bytes(os.urandom(len(payload)))
    os.utime(forged, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(forged, blob)


@pytest.mark.parametrize(
    "damage", [_rewrite_same_size, _flip_a_byte_and_put_the_mtime_back, _copy_other_bytes_in_place]
)
def test_changed_cached_blob_is_detected_and_fetched_again(registry, model, tmp_path, clean_env, damage):
    payload = os.urandom(MIB)
    make_version(registry, model, {"model.bin": payload}, tmp_path)
    path = registry.pull(f"{model}@1.0.0")
    damage(_blob(clean_env, payload), payload)

    before = registry.stats.bytes_received
    assert registry.pull(f"{model}@1.0.0") == path  # no verify=True: the blob's marker moved
    assert registry.stats.bytes_received - before == len(payload)
    assert (path / "model.bin").read_bytes() == payload


def test_verify_catches_corruption_that_kept_size_and_mtime(registry, model, tmp_path, clean_env):
    payload = os.urandom(MIB)
    make_version(registry, model, {"model.bin": payload}, tmp_path)
    path = registry.pull(f"{model}@1.0.0")
    _flip_a_byte_and_put_the_mtime_back(_blob(clean_env, payload), payload)

    assert registry.pull(f"{model}@1.0.0", verify=True) == path
    assert (path / "model.bin").read_bytes() == payload


def test_warm_pull_hashes_no_blob(registry, model, tmp_path, clean_env, monkeypatch):
    make_version(registry, model, {"model.bin": os.urandom(MIB)}, tmp_path)
    registry.pull(f"{model}@1.0.0")
    hashed = []
    real = modelreg._cache._hash_file
    monkeypatch.setattr(modelreg._cache, "_hash_file", lambda blob: hashed.append(blob) or real(blob))
    registry.pull(f"{model}@1.0.0")
    assert hashed == []  # a stat of each blob against its marker, no hashing


def test_two_processes_pulling_at_once(server, registry, model, tmp_path):
    files = {"a.bin": os.urandom(16 * MIB), "b.bin": os.urandom(8 * MIB)}
    make_version(registry, model, files, tmp_path)
    script = textwrap.dedent(f"""
        import json, modelreg
        reg = modelreg.Registry({server.url!r}, {server.token!r})
        path = reg.pull({model + "@1.0.0"!r})
        print(json.dumps({{"path": str(path), "received": reg.stats.bytes_received}}))
    """)
    processes = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=dict(os.environ)) for _ in range(2)
    ]
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    assert results[0]["path"] == results[1]["path"]
    # Each blob crossed the wire once in total: the second process found it under the lock.
    assert sum(r["received"] for r in results) == sum(len(c) for c in files.values())
    for name, content in files.items():
        assert (tmp_path / "cache" / "models" / model / "versions" / "1.0.0" / name).read_bytes() == content


def test_offline_pull_serves_locked_versions_from_cache(registry, model, tmp_path, monkeypatch):
    make_version(registry, model, {"model.bin": b"v1"}, tmp_path, version="1.0.0")
    make_version(registry, model, {"model.bin": b"v2"}, tmp_path, version="1.1.0")
    registry.set_alias(model, "production", "1.0.0")
    exact = registry.pull(f"{model}@1.1.0")
    production = registry.pull(f"{model}@production")

    monkeypatch.setenv("MODELREG_OFFLINE", "1")
    offline = modelreg.Registry("http://127.0.0.1:9")  # nothing listens there; it must not matter
    assert offline.pull(f"{model}@1.1.0") == exact
    assert (offline.pull(f"{model}@production") / "model.bin").read_bytes() == b"v1"
    assert production.name == "1.0.0"
    with pytest.raises(OfflineCacheMiss, match="never resolved"):
        offline.pull(f"{model}@latest")
    with pytest.raises(OfflineCacheMiss, match="not complete in the cache"):
        offline.pull(f"{model}@2.0.0")
    with pytest.raises(modelreg.RegistryUnavailable, match="Offline"):
        offline.models()


def test_unreachable_registry_falls_back_to_cached_alias(registry, model, tmp_path):
    make_version(registry, model, {"model.bin": b"v1"}, tmp_path)
    path = registry.pull(f"{model}@latest")
    down = modelreg.Registry("http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="unreachable"):
        assert down.pull(f"{model}@latest") == path
