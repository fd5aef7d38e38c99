"""``pull`` checks each version against the registry's signature (docs/signing.md).

The tampering here is what a compromised database or blob store could do: point a locked version's
file at other bytes, rewrite the stored signature, or present another key. Each must be refused, and
each test also shows the tampering would otherwise go through unnoticed.
"""

import base64
import json
import os
import sqlite3
from pathlib import Path

import modelreg
import pytest
from conftest import make_version
from modelreg import SignatureMismatch, _signing


def _db(server) -> sqlite3.Connection:
    path = Path(server.data_dir) / "registry.sqlite"
    if not path.exists():
        pytest.skip("tampers with the SQLite file; this registry runs on PostgreSQL")
    return sqlite3.connect(path, timeout=30)


def _version_id(db: sqlite3.Connection, model: str, version: str) -> int:
    group, name = model.split("/")
    row = db.execute(
        "select v.id, v.candidate_id from versions v join models m on m.id = v.model_id "
        "join groups g on g.id = m.group_id where g.name = ? and m.name = ? and v.version = ?",
        (group, name, version),
    ).fetchone()
    return row


def test_pull_verifies_the_signature_and_pins_the_key_on_first_use(registry, model, tmp_path, server):
    make_version(registry, model, {"weights.bin": b"weights-1", "conf/cfg.json": b"{}"}, tmp_path)
    path = registry.pull(f"{model}@1.0.0")
    assert (path / "weights.bin").read_bytes() == b"weights-1"
    known = _signing.known_keys_path()
    assert oct(known.stat().st_mode & 0o777) == "0o600"
    pinned = json.loads(known.read_text())[registry._client.base_url]
    served = registry._client.json("GET", "/signing-key")
    assert pinned == {"key_id": served["key_id"], "public_key_pem": served["public_key_pem"]}


def test_pull_refuses_a_version_whose_file_was_pointed_at_other_bytes_in_the_database(
    registry, model, tmp_path, server
):
    make_version(registry, model, {"weights.bin": b"the promoted weights"}, tmp_path, "1.0.0")
    make_version(registry, model, {"weights.bin": b"the attacker's weights"}, tmp_path, "2.0.0")
    db = _db(server)
    with db:
        _, first = _version_id(db, model, "1.0.0")
        _, second = _version_id(db, model, "2.0.0")
        sha, size = db.execute(
            "select sha256, size from artifacts where candidate_id = ? and path = 'weights.bin'", (second,)
        ).fetchone()
        db.execute(
            "update artifacts set sha256 = ?, size = ? where candidate_id = ? and path = 'weights.bin'",
            (sha, size, first),
        )
    db.close()
    with pytest.raises(SignatureMismatch, match=r"files \(paths, sizes or sha256s\) differ"):
        registry.pull(f"{model}@1.0.0")
    # Without the check the swap goes through: every byte matches the (altered) sha256 it is listed with.
    swapped = registry.pull(f"{model}@1.0.0", verify_signature=False)
    assert (swapped / "weights.bin").read_bytes() == b"the attacker's weights"


def test_pull_refuses_a_signature_altered_in_the_database(registry, model, tmp_path, server):
    make_version(registry, model, {"weights.bin": b"w"}, tmp_path)
    db = _db(server)
    with db:
        version_id, _ = _version_id(db, model, "1.0.0")
        (envelope,) = db.execute(
            "select envelope from version_signatures where version_id = ?", (version_id,)
        ).fetchone()
        bundle = json.loads(envelope)
        statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
        statement["predicate"]["modelreg"]["params"] = {"forged": "1"}
        bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
        db.execute("update version_signatures set envelope = ? where version_id = ?", (json.dumps(bundle), version_id))
    db.close()
    with pytest.raises(SignatureMismatch, match="does not verify against the key pinned"):
        registry.pull(f"{model}@1.0.0")


def test_pull_refuses_a_registry_whose_key_is_not_the_pinned_one(registry, model, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    make_version(registry, model, {"weights.bin": b"w"}, tmp_path)
    other = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    known = _signing.known_keys_path()
    known.parent.mkdir(parents=True, exist_ok=True)
    known.write_text(json.dumps({registry._client.base_url: {"key_id": "f" * 64, "public_key_pem": other}}))
    with pytest.raises(SignatureMismatch, match="not the key pinned"):
        registry.pull(f"{model}@1.0.0")


def test_pull_refuses_a_blob_altered_on_disk(registry, model, tmp_path, server):
    make_version(registry, model, {"weights.bin": b"original bytes on disk"}, tmp_path)
    sha = registry._client.json("GET", f"/models/{model}/versions/1.0.0")["files"][0]["sha256"]
    blob = Path(server.data_dir) / "blobs" / "sha256" / sha[:2] / sha
    if not blob.exists():
        pytest.skip("blobs are not in the local data dir")
    os.chmod(blob, 0o600)
    blob.write_bytes(b"altered bytes on disk!")
    with pytest.raises(modelreg.RegistryError):
        registry.pull(f"{model}@1.0.0")
    cache = Path(os.environ["MODELREG_CACHE"])
    assert not any(p.is_file() and p.read_bytes() == b"altered bytes on disk!" for p in cache.rglob("*"))


def test_the_signature_is_an_openssf_model_signing_manifest_of_the_pulled_files(registry, model, tmp_path):
    signing = pytest.importorskip("model_signing._signing.signing")
    hashing = pytest.importorskip("model_signing.hashing")
    make_version(registry, model, {"weights.bin": b"w" * 1000, "conf/cfg.json": b"{}"}, tmp_path)
    path = registry.pull(f"{model}@1.0.0", local_dir=tmp_path / "pulled")  # copies: the cache holds symlinks
    bundle = registry._client.json("GET", f"/models/{model}/versions/1.0.0/signature")
    signed = signing.dsse_payload_to_manifest(json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"])))
    local = hashing.Config().use_file_serialization(hashing_algorithm="sha256", allow_symlinks=False).hash(path)
    assert signed == local
