"""Checking a version's signature: the registry signs every promoted version's manifest (paths, sizes,
sha256s, params, metrics, card revision) with its Ed25519 key, and ``pull`` refuses content that does
not match it. The key is pinned per registry URL on first use (``known_keys.json`` in the config
directory, like ssh's known_hosts), so a compromised blob store or database cannot swap a version's
content, nor a compromised server its key, without the client noticing. Format: docs/signing.md.
"""

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Dict
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from . import constants
from ._http import HttpClient
from .errors import NotFound, SignatureMismatch

PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
_SKIP = "Pass verify_signature=False (CLI: --no-verify-signature) only if you trust this registry's storage."


def known_keys_path() -> Path:
    return constants.config_dir() / constants.KNOWN_KEYS_FILE_NAME


def _read_known_keys() -> Dict[str, Dict[str, str]]:
    try:
        data = json.loads(known_keys_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _pin(base_url: str, key: Dict[str, str]) -> None:
    path = known_keys_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = _read_known_keys()
    keys[base_url] = {"key_id": key["key_id"], "public_key_pem": key["public_key_pem"]}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keys, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def pinned_key(http: HttpClient) -> Dict[str, str]:
    """The key pinned for this registry; fetched from ``GET /signing-key`` and pinned on first use."""
    known = _read_known_keys().get(http.base_url)
    if known:
        return known
    key = http.json("GET", "/signing-key")
    if hashlib.sha256(key["public_key_pem"].encode()).hexdigest() != key["key_id"]:
        raise SignatureMismatch(f"The registry at {http.base_url} sent a signing key whose id does not match it.")
    _pin(http.base_url, key)
    return key


def _pae(payload_type: str, payload: bytes) -> bytes:
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def verified_statement(bundle: Dict[str, Any], key: Dict[str, str], what: str, base_url: str) -> Dict[str, Any]:
    """The in-toto statement inside ``bundle`` once its Ed25519 signature checks out against ``key``."""
    try:
        envelope = bundle["dsseEnvelope"]
        payload = base64.b64decode(envelope["payload"], validate=True)
        signature = base64.b64decode(envelope["signatures"][0]["sig"], validate=True)
        payload_type = envelope["payloadType"]
    except (KeyError, IndexError, TypeError, binascii.Error) as error:
        raise SignatureMismatch(f"The signature of {what} is malformed ({error!r}). {_SKIP}") from error
    hint = (bundle.get("verificationMaterial") or {}).get("publicKey", {}).get("hint")
    if hint != key["key_id"]:
        raise SignatureMismatch(
            f"{what} is signed with key {str(hint)[:16]}…, not the key pinned for {base_url} "
            f"({key['key_id'][:16]}…, in {known_keys_path()}). If the registry's key was replaced on purpose, "
            f"remove that entry to pin the new one; otherwise do not use this content. {_SKIP}"
        )
    public_key = load_pem_public_key(key["public_key_pem"].encode())
    if not isinstance(public_key, Ed25519PublicKey):
        raise SignatureMismatch(f"The key pinned for {base_url} is not an Ed25519 key ({known_keys_path()}).")
    try:
        public_key.verify(signature, _pae(payload_type, payload))
    except InvalidSignature as error:
        raise SignatureMismatch(
            f"The signature of {what} does not verify against the key pinned for {base_url}: the registry's "
            f"database or signature store was altered. Do not use this content; tell the registry's administrator. "
            f"{_SKIP}"
        ) from error
    statement = json.loads(payload)
    if payload_type != PAYLOAD_TYPE or statement.get("predicateType") != PREDICATE_TYPE:
        raise SignatureMismatch(f"The signature of {what} is not a model-signing v1.0 statement. {_SKIP}")
    return statement


def _files(entries: Any) -> list:
    return sorted(({"path": f["path"], "sha256": f["sha256"], "size": int(f["size"])} for f in entries), key=str)


def check_version(http: HttpClient, model: str, model_path: str, version: Dict[str, Any]) -> None:
    """Refuse ``version`` (the registry's answer) unless its signed manifest says exactly the same.

    Args:
        http: the registry connection.
        model: ``group/name`` as asked for.
        model_path: its API path (``/models/group/name``).
        version: the version object the registry answered; its files are what pull downloads, each
            checked against its sha256, so bytes that pass are the signed bytes.

    Raises:
        SignatureMismatch: unsigned, signed with another key, altered, or content other than signed.
    """
    number = version["version"]
    what = f"{model}@{number}"
    key = pinned_key(http)
    try:
        bundle = http.json("GET", f"{model_path}/versions/{quote(number, safe='')}/signature")
    except NotFound as error:
        raise SignatureMismatch(f"{what} has no signature on {http.base_url}: {error.message} {_SKIP}") from error
    statement = verified_statement(bundle, key, what, http.base_url)
    signed = (statement.get("predicate") or {}).get("modelreg") or {}
    problems = []
    if str(signed.get("model", "")).lower() != model.lower() or signed.get("version") != number:
        problems.append(f"it signs {signed.get('model')}@{signed.get('version')}")
    if _files(signed.get("files", [])) != _files(version.get("files", [])):
        problems.append("the files (paths, sizes or sha256s) differ")
    resources = sorted((r["name"], r["digest"]) for r in statement["predicate"].get("resources", []))
    if resources != sorted((f["path"], f["sha256"]) for f in version.get("files", [])):
        problems.append("the model-signing resources differ")
    for field in ("params", "metrics", "card_revision"):
        if signed.get(field) != version.get(field):
            problems.append(f"the {field.replace('_', ' ')} differ")
    if problems:
        raise SignatureMismatch(
            f"Refusing {what}: the registry now describes it differently from what it signed at promotion "
            f"({'; '.join(problems)}). Its database or blob store was altered; do not use this content and tell "
            f"the registry's administrator. {_SKIP}"
        )
