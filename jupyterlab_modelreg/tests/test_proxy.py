"""The server extension's proxy against a real registry process: auth, XSRF, token secrecy, streaming."""

from __future__ import annotations

import hashlib
import json
import os
import tracemalloc
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

BIG = 48 * 1024 * 1024  # bytes; far above the memory ceiling the streaming tests allow
MEMORY_CEILING = 16 * 1024 * 1024


def body_json(response) -> dict:
    return json.loads(response.body or b"{}")


def assert_no_token(response, token: str) -> None:
    assert token not in (response.body or b"").decode("utf-8", "replace")
    for name, value in response.headers.get_all():
        assert token not in value, f"token leaked in header {name}"


# Tests that build URLs themselves also request `http_server_client`: that fixture is what makes the
# test Jupyter server listen on jp_http_port.
def server_url(jp_http_port, jp_base_url, path: str) -> str:
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}{path}"


async def test_requests_without_jupyter_credentials_are_refused(
    registry_env, http_server_client, jp_http_port, jp_base_url
):
    client = AsyncHTTPClient()
    for method, path, body in [
        ("GET", "modelreg/api/v1/models", None),
        ("POST", "modelreg/api/v1/groups", b'{"name": "x"}'),
        ("GET", "modelreg/status", None),
    ]:
        response = await client.fetch(
            server_url(jp_http_port, jp_base_url, path),
            method=method,
            body=body,
            raise_error=False,
            follow_redirects=False,
        )
        assert response.code in (401, 403), (method, path, response.code)
        assert_no_token(response, registry_env.token)


async def test_status_names_the_registry_user_but_never_the_token(registry_env, jp_fetch):
    who = registry_env.call("GET", "user")
    response = await jp_fetch("modelreg", "status")
    status = body_json(response)
    assert status["configured"] is True
    assert status["reachable"] is True
    assert status["user"] == who["username"]
    assert status["url"] == registry_env.url
    assert_no_token(response, registry_env.token)


async def test_proxy_forwards_with_the_server_side_token(registry_env, seeded, jp_fetch):
    # The model is in a private group: only the registry token (not Jupyter's) can see it.
    response = await jp_fetch("modelreg", "api", "v1", "models", *seeded["model"].split("/"))
    model = body_json(response)
    assert model["full_name"] == seeded["model"]
    assert model["description"] == "# Churn"
    assert_no_token(response, registry_env.token)

    listing = await jp_fetch("modelreg", "api", "v1", "models", params={"q": "churn", "limit": 500})
    assert seeded["model"] in [m["full_name"] for m in body_json(listing)["items"]]


async def test_registry_errors_keep_their_code_and_status(registry_env, seeded, jp_fetch):
    response = await jp_fetch("modelreg", "api", "v1", "models", seeded["group"], "no-such-model", raise_error=False)
    assert response.code == 404
    assert body_json(response)["error"]["code"] == "NOT_FOUND"
    assert_no_token(response, registry_env.token)


async def test_json_writes_go_through(registry_env, seeded, jp_fetch):
    group, name = seeded["model"].split("/")
    response = await jp_fetch(
        "modelreg",
        "api",
        "v1",
        "models",
        group,
        name,
        "candidates",
        method="POST",
        body=json.dumps({"name": "via-proxy", "params": {"lr": "0.1"}}),
        headers={"Content-Type": "application/json"},
    )
    assert response.code == 201
    candidate = body_json(response)
    assert candidate["name"] == "via-proxy"
    assert candidate["params"] == {"lr": "0.1"}
    assert registry_env.call("GET", f"models/{group}/{name}/candidates/{candidate['iid']}")["name"] == "via-proxy"


async def _login_cookies(jp_http_port, jp_base_url, jp_serverapp) -> dict[str, str]:
    """Log in the way a browser does: the login form with the token, keeping the cookies."""
    client = AsyncHTTPClient()
    cookies: dict[str, str] = {}

    def keep(response):
        for header in response.headers.get_list("Set-Cookie"):
            for key, morsel in SimpleCookie(header).items():
                cookies[key] = morsel.value

    login_url = server_url(jp_http_port, jp_base_url, "login")
    keep(await client.fetch(login_url, raise_error=False, follow_redirects=False))
    form = urlencode({"_xsrf": cookies.get("_xsrf", ""), "password": jp_serverapp.identity_provider.token})
    keep(
        await client.fetch(
            login_url,
            method="POST",
            body=form,
            follow_redirects=False,
            raise_error=False,
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
        )
    )
    assert "_xsrf" in cookies and len(cookies) >= 2, f"login did not set a session cookie: {list(cookies)}"
    return cookies


async def test_cookie_sessions_need_the_xsrf_header_on_writes(
    registry_env, seeded, jp_serverapp, http_server_client, jp_http_port, jp_base_url
):
    cookies = await _login_cookies(jp_http_port, jp_base_url, jp_serverapp)
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    client = AsyncHTTPClient()
    group, name = seeded["model"].split("/")
    url = server_url(jp_http_port, jp_base_url, f"modelreg/api/v1/models/{group}/{name}/candidates")
    body = json.dumps({"name": "cookie"})

    read = await client.fetch(url, headers={"Cookie": cookie_header}, raise_error=False)
    assert read.code == 200

    forged = await client.fetch(
        url,
        method="POST",
        body=body,
        raise_error=False,
        headers={"Cookie": cookie_header, "Content-Type": "application/json"},
    )
    assert forged.code == 403
    assert_no_token(forged, registry_env.token)

    allowed = await client.fetch(
        url,
        method="POST",
        body=body,
        raise_error=False,
        headers={"Cookie": cookie_header, "Content-Type": "application/json", "X-XSRFToken": cookies["_xsrf"]},
    )
    assert allowed.code == 201, allowed.body


def _big_file(tmp_path) -> tuple[str, str]:
    path = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        block = os.urandom(1024 * 1024)
        for i in range(BIG // len(block)):
            chunk = bytes([i % 256]) + block[1:]
            digest.update(chunk)
            f.write(chunk)
    return str(path), digest.hexdigest()


async def test_large_upload_and_download_stream_in_chunks(
    registry_env, seeded, http_server_client, jp_auth_header, jp_http_port, jp_base_url, tmp_path
):
    path, sha = _big_file(tmp_path)
    group, name = seeded["model"].split("/")
    artifact = f"modelreg/api/v1/models/{group}/{name}/candidates/{seeded['iid']}/artifacts/weights/big.bin"
    headers = dict(jp_auth_header)

    async def produce(write):
        with open(path, "rb") as f:
            while chunk := f.read(256 * 1024):
                await write(chunk)

    client = AsyncHTTPClient(force_instance=True, max_body_size=1 << 34)
    tracemalloc.start()
    try:
        upload = await client.fetch(
            HTTPRequest(
                server_url(jp_http_port, jp_base_url, artifact),
                method="PUT",
                body_producer=produce,
                headers={
                    **headers,
                    "Content-Length": str(BIG),
                    "Content-Type": "application/octet-stream",
                    "X-Checksum-Sha256": sha,
                },
                request_timeout=120,
            ),
            raise_error=False,
        )
        _, upload_peak = tracemalloc.get_traced_memory()
        assert upload.code == 201, upload.body
        assert body_json(upload)["sha256"] == sha
        assert body_json(upload)["size"] == BIG

        tracemalloc.reset_peak()
        chunks: list[int] = []
        digest = hashlib.sha256()

        def on_chunk(chunk: bytes) -> None:
            chunks.append(len(chunk))
            digest.update(chunk)

        download = await client.fetch(
            HTTPRequest(
                server_url(jp_http_port, jp_base_url, artifact),
                headers=headers,
                streaming_callback=on_chunk,
                request_timeout=120,
            ),
            raise_error=False,
        )
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        client.close()
    assert download.code == 200
    assert sum(chunks) == BIG
    assert len(chunks) > 16, "the download arrived in too few chunks to have been streamed"
    assert digest.hexdigest() == sha
    assert download.headers.get("X-Checksum-Sha256", sha) == sha
    # Both the proxy and this test run in this process: buffering the 48 MB body would show here.
    assert upload_peak < MEMORY_CEILING, f"upload peak {upload_peak} bytes: the proxy buffered the body"
    assert download_peak < MEMORY_CEILING, f"download peak {download_peak} bytes: the proxy buffered the body"


async def test_unreachable_registry_gets_a_clear_error(registry_env, jp_fetch, monkeypatch):
    monkeypatch.setenv("MODELREG_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    response = await jp_fetch("modelreg", "api", "v1", "models", raise_error=False)
    assert response.code == 502
    error = body_json(response)["error"]
    assert error["code"] == "REGISTRY_UNREACHABLE"
    assert "127.0.0.1:9" in error["message"] and "MODELREG_URL" in error["message"]
    assert_no_token(response, registry_env.token)

    status = body_json(await jp_fetch("modelreg", "status"))
    assert status["configured"] is True and status["reachable"] is False
    assert "is not answering" in status["message"]


async def test_unconfigured_registry_says_how_to_configure(jp_fetch, monkeypatch, tmp_path):
    monkeypatch.delenv("MODELREG_URL", raising=False)
    monkeypatch.delenv("MODELREG_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    response = await jp_fetch("modelreg", "api", "v1", "models", raise_error=False)
    assert response.code == 503
    error = body_json(response)["error"]
    assert error["code"] == "MODELREG_NOT_CONFIGURED"
    assert "MODELREG_URL" in error["message"] and "modelreg login" in error["message"]
    status = body_json(await jp_fetch("modelreg", "status"))
    assert status == {**status, "configured": False, "reachable": False, "user": None}


async def test_config_file_of_modelreg_login_is_used(registry, jp_fetch, monkeypatch, tmp_path):
    monkeypatch.delenv("MODELREG_URL", raising=False)
    monkeypatch.delenv("MODELREG_TOKEN", raising=False)
    config_dir = tmp_path / "xdg" / "modelreg"
    config_dir.mkdir(parents=True)
    (config_dir / "config.json").write_text(json.dumps({"url": registry.url, "token": registry.token}))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    response = await jp_fetch("modelreg", "status")
    status = body_json(response)
    assert status["reachable"] is True and status["user"]
    assert_no_token(response, registry.token)


async def test_browser_cookies_are_not_forwarded(registry_env, jp_fetch):
    # Whatever the browser sends, the registry sees the server-side token's user.
    response = await jp_fetch("modelreg", "api", "v1", "user", headers={"Cookie": "session=browser-secret"})
    assert body_json(response)["username"] == registry_env.call("GET", "user")["username"]


async def test_ranges_and_digest_headers_pass_through(registry_env, seeded, jp_fetch):
    group, name = seeded["model"].split("/")
    artifact = [
        "modelreg",
        "api",
        "v1",
        "models",
        group,
        name,
        "candidates",
        str(seeded["iid"]),
        "artifacts",
        "range.txt",
    ]
    body = b"0123456789"
    registry_env.call("PUT", f"models/{group}/{name}/candidates/{seeded['iid']}/artifacts/range.txt", raw=body)
    sha = hashlib.sha256(body).hexdigest()

    whole = await jp_fetch(*artifact)
    assert whole.body == body
    assert whole.headers.get("ETag", "").strip('"') == sha

    part = await jp_fetch(*artifact, headers={"Range": "bytes=4-"})
    assert part.code == 206
    assert part.body == b"456789"
    assert part.headers["Content-Range"].startswith("bytes 4-9/10")

    head = await jp_fetch(*artifact, method="HEAD")
    assert head.code == 200 and head.body == b""
