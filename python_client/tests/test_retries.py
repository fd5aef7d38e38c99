"""Transient failures (503, 502, connection reset, a download cut short) are retried or resumed.

A small HTTP proxy in front of the real server injects the failures; everything else passes through.
"""

import os
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List, Tuple

import modelreg
import pytest
import requests
from conftest import make_version

MIB = 1024 * 1024


class FaultyProxy:
    """Forwards to ``upstream``; the next request matching a fault's method and path part gets that fault.

    A method like ``PUT+body`` matches only requests with a body.

    Faults: ``"503"``/``"502"`` (answer that status), ``"reset"`` (read the request, then reset the
    connection), ``"cut"`` (forward, but close after half of the response body), ``"garble"`` (forward
    with the first body byte changed).
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: List[Tuple[str, str, str]] = []  # (method, part of the path, fault)
        self.seen: List[Tuple[str, str, str]] = []  # (method, path, Range header)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.seen.append((self.command, self.path, self.headers.get("Range", "")))
                match = next(
                    (
                        f
                        for f in proxy.faults
                        if f[1] in self.path and f[0] in (self.command, self.command + ("+body" if body else ""))
                    ),
                    None,
                )
                fault = match[2] if match else None
                if match is not None:
                    proxy.faults.remove(match)
                    if fault in ("502", "503"):
                        self.send_response(int(fault))
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    if fault == "reset":
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        self.close_connection = True
                        self.connection.close()
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = requests.request(
                    self.command,
                    proxy.upstream + self.path,
                    data=body,
                    headers=headers,
                    stream=True,
                    allow_redirects=False,
                )
                content = upstream.raw.read()
                if fault == "garble" and content:
                    content = bytes([content[0] ^ 0xFF]) + content[1:]
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "keep-alive"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if fault == "cut":
                    self.wfile.write(content[: len(content) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(content)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxy(server) -> Iterator[FaultyProxy]:
    faulty = FaultyProxy(server.url)
    yield faulty
    faulty.close()


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setattr(modelreg.constants, "RETRY_BACKOFF_SECONDS", 0.01)


def test_upload_survives_503_502_and_a_reset_connection(server, proxy, model, tmp_path):
    registry = modelreg.Registry(proxy.url, server.token)
    payload = os.urandom(2 * MIB)
    (tmp_path / "model.bin").write_bytes(payload)
    with registry.candidate(model, name="flaky") as candidate:
        # The checksum-deploy attempt (empty PUT) gets a 503; the byte upload a 502 and a reset connection.
        proxy.faults += [
            ("PUT", "/artifacts/", "503"),
            ("PUT+body", "/artifacts/", "502"),
            ("PUT+body", "/artifacts/", "reset"),
        ]
        [stored] = candidate.log_artifact(tmp_path / "model.bin")
    assert stored["size"] == len(payload) and not proxy.faults
    puts = [s for s in proxy.seen if s[0] == "PUT"]
    # deploy: 503 then 404; upload: 502; each retry of the upload first asks by digest (404: not stored) before
    # it sends the bytes again: 404, reset, 404, stored.
    assert len(puts) == 7
    direct = modelreg.Registry(server.url, server.token)
    assert direct.get_candidate(model, candidate.iid).artifacts() == [stored]


def test_download_cut_short_resumes_with_range(server, proxy, registry, model, tmp_path):
    payload = os.urandom(4 * MIB)
    make_version(registry, model, {"model.bin": payload}, tmp_path)
    through_proxy = modelreg.Registry(proxy.url, server.token)
    # The version lookup fails once (retried), then the file download is cut off half way (resumed).
    proxy.faults += [("GET", "/versions/1.0.0", "503"), ("GET", "/artifacts/model.bin", "cut")]
    original_seen = len(proxy.seen)
    path = through_proxy.pull(f"{model}@1.0.0")
    assert (path / "model.bin").read_bytes() == payload
    ranges = [r for _, p, r in proxy.seen[original_seen:] if p.endswith("/artifacts/model.bin") and r]
    assert ranges and ranges[0].startswith("bytes=") and ranges[0] != "bytes=0-"


def test_post_is_retried_after_503_but_metrics_are_not_duplicated(server, proxy, model):
    registry = modelreg.Registry(proxy.url, server.token)
    with registry.candidate(model, name="metrics") as candidate:
        candidate.log_metric("loss", 0.5, step=1)
        proxy.faults.append(("POST", "/metrics", "503"))
        candidate.flush()
    assert [p["value"] for p in candidate.metric_history("loss")] == [0.5]


def test_garbled_download_is_retried_then_refused(server, proxy, registry, model, tmp_path, clean_env):
    payload = os.urandom(MIB)
    make_version(registry, model, {"model.bin": payload}, tmp_path)
    through_proxy = modelreg.Registry(proxy.url, server.token)
    proxy.faults += [("GET", "/artifacts/model.bin", "garble")] * 2
    with pytest.raises(modelreg.DigestMismatch):
        through_proxy.pull(f"{model}@1.0.0")
    snapshot = clean_env / "models" / model / "versions" / "1.0.0"
    assert not (snapshot / "model.bin").exists() and not list((clean_env / "blobs").glob("[0-9a-f]*[0-9a-f]"))

    proxy.faults += [("GET", "/artifacts/model.bin", "garble")]  # once: the second download is good
    path = through_proxy.pull(f"{model}@1.0.0")
    assert (path / "model.bin").read_bytes() == payload
