"""The account page's routes through the proxy: only the proxy's own user's tokens and invitations, and
tokens created there get read/write scopes at most. Attempts are made as a page script would make them,
against a real registry, and the registry is then asked what changed."""

from __future__ import annotations

import json
import uuid

import pytest

from jupyterlab_modelreg.routes import TOKEN_BODY_LIMIT, own_user_route, panel_route


def body_json(response) -> dict:
    return json.loads(response.body or b"{}")


async def proxy(jp_fetch, method: str, path: str, body=None, raw: bytes | None = None):
    """``method`` on the proxy's ``/modelreg/api/v1/<path>``, with ``path`` sent exactly as written."""
    payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    return await jp_fetch(
        "modelreg/api/v1/" + path,
        method=method,
        body=payload,
        headers={"Content-Type": "application/json"} if payload else {},
        raise_error=False,
        allow_nonstandard_methods=True,
    )


def token_names(registry, username: str) -> list[str]:
    return [t["name"] for t in registry.call("GET", f"users/{username}/tokens")["items"]]


@pytest.fixture
def user(registry, monkeypatch, tmp_path) -> dict:
    """A fresh non-admin user whose own `modelreg login` the Jupyter server uses."""
    username = f"ac{uuid.uuid4().hex[:8]}"
    registry.call("POST", "users", {"username": username})
    token = registry.call("POST", f"users/{username}/tokens", {"name": "jupyter"})["token"]
    monkeypatch.delenv("MODELREG_URL", raising=False)
    monkeypatch.delenv("MODELREG_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "modelreg").mkdir(parents=True)
    (tmp_path / "xdg" / "modelreg" / "config.json").write_text(json.dumps({"url": registry.url, "token": token}))
    return {"username": username, "token": token}


@pytest.fixture
def victim(registry) -> str:
    """Another user, with one token of their own."""
    username = f"vi{uuid.uuid4().hex[:8]}"
    registry.call("POST", "users", {"username": username})
    registry.call("POST", f"users/{username}/tokens", {"name": "theirs"})
    return username


@pytest.mark.parametrize(
    "method,path,named",
    [
        ("GET", "users/alice/tokens", "alice"),
        ("POST", "users/alice/tokens", "alice"),
        ("DELETE", "users/alice/tokens/12", "alice"),
        ("GET", "users/alice/invitations", "alice"),
        ("GET", "users/%61lice/tokens", "%61lice"),  # raw: compared undecoded, so it matches no one
        ("DELETE", "users/alice/tokens", None),
        ("DELETE", "users/alice/tokens/x", None),
        ("PATCH", "users/alice/tokens/1", None),
        ("POST", "users/alice/invitations", None),
        ("GET", "users/alice/tokens/", None),
        ("GET", "users/alice", None),
        ("GET", "Users/alice/tokens", None),
        ("GET", "users/alice/../bob/tokens", None),
        ("GET", "users/alice/%2e%2e/bob/tokens", None),
        ("GET", "users//tokens", None),
    ],
)
def test_account_routes_name_the_user_they_act_on(method, path, named):
    assert own_user_route(method, path) == named


def test_invitation_answers_pass_and_other_group_routes_do_not():
    assert panel_route("POST", "groups/acme/invitations/accept")
    assert panel_route("POST", "groups/acme/invitations/decline")
    assert not panel_route("GET", "groups/acme/invitations/accept")
    assert not panel_route("POST", "groups/acme/invitations/revoke")
    assert not panel_route("POST", "groups/acme/invitations/../webhooks")


async def test_own_tokens_are_listed_created_and_revoked_through_the_proxy(registry, user, jp_fetch):
    me = user["username"]
    listing = await proxy(jp_fetch, "GET", f"users/{me}/tokens")
    assert listing.code == 200, listing.body
    assert [t["name"] for t in body_json(listing)["items"]] == ["jupyter"]
    assert user["token"] not in listing.body.decode()

    created = await proxy(jp_fetch, "POST", f"users/{me}/tokens", {"name": "ci", "scopes": ["read"]})
    assert created.code == 201, created.body
    token = body_json(created)
    assert token["scopes"] == ["read"]
    assert registry.call("GET", "user", token=token["token"])["username"] == me

    revoked = await proxy(jp_fetch, "DELETE", f"users/{me}/tokens/{token['id']}")
    assert revoked.code == 204, revoked.body
    with pytest.raises(RuntimeError, match="401"):
        registry.call("GET", "user", token=token["token"])


async def test_a_token_created_without_scopes_gets_read_and_write_even_for_the_admin(registry_env, jp_fetch):
    # The proxy holds the admin's token here: the registry's default would include the admin scope.
    admin = registry_env.call("GET", "user")["username"]
    created = await proxy(jp_fetch, "POST", f"users/{admin}/tokens", {"name": f"d{uuid.uuid4().hex[:6]}"})
    assert created.code == 201, created.body
    assert body_json(created)["scopes"] == ["read", "write"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "esc", "scopes": ["admin"]},
        {"name": "esc", "scopes": ["read", "admin"]},
        {"name": "esc", "scopes": ["ADMIN"]},
        {"name": "esc", "scopes": "admin"},
        {"name": "esc", "scopes": [{"admin": True}]},
    ],
)
async def test_the_admin_scope_is_refused_before_the_registry_sees_it(registry_env, jp_fetch, body):
    admin = registry_env.call("GET", "user")["username"]
    before = token_names(registry_env, admin)
    response = await proxy(jp_fetch, "POST", f"users/{admin}/tokens", body)
    assert response.code == 403, response.body
    error = body_json(response)["error"]
    assert error["code"] == "PROXY_SCOPE_REFUSED"
    assert "modelreg token create" in error["message"]
    assert token_names(registry_env, admin) == before


async def test_a_duplicate_scopes_key_cannot_smuggle_the_admin_scope(registry_env, jp_fetch):
    admin = registry_env.call("GET", "user")["username"]
    name = f"dup{uuid.uuid4().hex[:6]}"
    # Python keeps the last key, so the proxy refuses; had it forwarded the raw bytes, a parser that
    # keeps the first could have seen another scope.
    raw = ('{"name": "%s", "scopes": ["read"], "scopes": ["admin"]}' % name).encode()
    response = await proxy(jp_fetch, "POST", f"users/{admin}/tokens", raw=raw)
    assert body_json(response)["error"]["code"] == "PROXY_SCOPE_REFUSED"
    raw = ('{"name": "%s", "scopes": ["admin"], "scopes": ["read"]}' % name).encode()
    response = await proxy(jp_fetch, "POST", f"users/{admin}/tokens", raw=raw)
    assert response.code == 201, response.body
    assert body_json(response)["scopes"] == ["read"]  # the registry got the body the proxy checked


async def test_an_oversized_or_malformed_token_request_is_refused(registry_env, jp_fetch):
    admin = registry_env.call("GET", "user")["username"]
    before = token_names(registry_env, admin)
    big = json.dumps({"name": "big", "pad": "x" * TOKEN_BODY_LIMIT}).encode()
    response = await proxy(jp_fetch, "POST", f"users/{admin}/tokens", raw=big)
    assert response.code == 413, response.body
    assert body_json(response)["error"]["code"] == "PAYLOAD_TOO_LARGE"
    for raw in (b"[1, 2]", b"not json", b'"name"'):
        response = await proxy(jp_fetch, "POST", f"users/{admin}/tokens", raw=raw)
        assert response.code == 400, (raw, response.body)
        assert body_json(response)["error"]["code"] == "VALIDATION_ERROR"
    assert token_names(registry_env, admin) == before


@pytest.mark.parametrize(
    "method,template",
    [
        ("GET", "users/{victim}/tokens"),
        ("POST", "users/{victim}/tokens"),
        ("DELETE", "users/{victim}/tokens/1"),
        ("GET", "users/{victim}/invitations"),
        ("GET", "users/{victim_escaped}/tokens"),
        ("POST", "users/{victim_escaped}/tokens"),
        ("GET", "users/{victim_upper}/tokens"),
        ("POST", "users/{me}/../{victim}/tokens"),
        ("POST", "users/{me}/%2e%2e/{victim}/tokens"),
        ("POST", "users/{me}%2F..%2F{victim}/tokens"),
        ("POST", "users/{me}/tokens/../../{victim}/tokens"),
        ("GET", "users/{me}/tokens/"),
        ("POST", "USERS/{victim}/tokens"),
        ("POST", "users/{victim}/Tokens"),
    ],
)
async def test_another_users_tokens_stay_refused_even_with_an_admin_token(
    registry_env, victim, jp_fetch, method, template
):
    # The proxy holds the admin's token, which the registry would let manage anyone's tokens.
    me = registry_env.call("GET", "user")["username"]
    path = template.format(
        me=me,
        victim=victim,
        victim_escaped="".join(f"%{ord(c):02x}" for c in victim),
        victim_upper=victim.upper(),
    )
    response = await proxy(jp_fetch, method, path, {"name": "stolen"} if method == "POST" else None)
    assert response.code in (403, 404), (path, response.code, response.body)
    assert body_json(response)["error"]["code"] == "PROXY_ROUTE_REFUSED", (path, response.body)
    assert token_names(registry_env, victim) == ["theirs"]
    assert "stolen" not in token_names(registry_env, me)


async def test_pending_invitations_are_listed_accepted_and_declined_through_the_proxy(registry, user, jp_fetch):
    me = user["username"]
    # A group owner invites (the instance admin would add the user directly).
    owner = f"ow{uuid.uuid4().hex[:8]}"
    registry.call("POST", "users", {"username": owner})
    owner_token = registry.call("POST", f"users/{owner}/tokens", {"name": "owner"})["token"]
    joined, refused = f"gi{uuid.uuid4().hex[:8]}", f"gd{uuid.uuid4().hex[:8]}"
    for group in (joined, refused):
        registry.call("POST", "groups", {"name": group, "visibility": "private"}, token=owner_token)
        registry.call("PUT", f"groups/{group}/members/{me}", {"role": "developer"}, token=owner_token)

    listing = await proxy(jp_fetch, "GET", f"users/{me}/invitations")
    assert listing.code == 200, listing.body
    assert sorted(i["group"] for i in body_json(listing)["items"]) == sorted([joined, refused])

    accepted = await proxy(jp_fetch, "POST", f"groups/{joined}/invitations/accept", {})
    assert accepted.code == 200, accepted.body
    assert body_json(accepted) == {"username": me, "role": "developer"}
    declined = await proxy(jp_fetch, "POST", f"groups/{refused}/invitations/decline", {})
    assert declined.code == 204, declined.body

    assert body_json(await proxy(jp_fetch, "GET", f"users/{me}/invitations"))["items"] == []
    groups = [g["name"] for g in registry.call("GET", "groups", token=user["token"])["items"]]
    assert joined in groups and refused not in groups


async def test_an_anonymous_proxy_has_no_account_routes(registry, jp_fetch, monkeypatch, tmp_path):
    monkeypatch.setenv("MODELREG_URL", registry.url)
    monkeypatch.delenv("MODELREG_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    response = await proxy(jp_fetch, "GET", "users/admin/tokens")
    assert response.code == 401, response.body
    assert "MODELREG_TOKEN" in body_json(response)["error"]["message"]
