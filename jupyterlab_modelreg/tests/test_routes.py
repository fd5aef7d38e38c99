"""The proxy's allow-list: every route the panel calls passes, administration never does."""

from __future__ import annotations

import json
import uuid

import pytest

from jupyterlab_modelreg.routes import panel_route

M = "models/acme/churn"

# One call per helper in src/api.ts and src/cardApi.ts.
PANEL_CALLS = [
    ("GET", "groups"),
    ("POST", "groups"),
    ("GET", "groups/acme"),
    ("PATCH", "groups/acme"),
    ("GET", "groups/acme/members"),
    ("PUT", "groups/acme/members/bob"),
    ("DELETE", "groups/acme/members/bob"),
    ("GET", "models"),
    ("POST", "models/acme"),
    ("GET", M),
    ("PATCH", M),
    ("GET", f"{M}/card"),
    ("PUT", f"{M}/card"),
    ("GET", f"{M}/card.md"),
    ("GET", f"{M}/card/revisions"),
    ("GET", f"{M}/card/revisions/3"),
    ("GET", f"{M}/candidates"),
    ("POST", f"{M}/candidates"),
    ("GET", f"{M}/candidates/4"),
    ("DELETE", f"{M}/candidates/4"),
    ("GET", f"{M}/candidates/4/artifacts"),
    ("GET", f"{M}/candidates/4/artifacts/models/clf/model.skops"),
    ("HEAD", f"{M}/candidates/4/artifacts/a%20b.bin"),
    ("GET", f"{M}/candidates/4/metrics/val%2Floss"),
    ("GET", f"{M}/versions"),
    ("POST", f"{M}/versions"),
    ("GET", f"{M}/versions/1.2.0"),
    ("PATCH", f"{M}/versions/1.2.0"),
    ("POST", f"{M}/versions/1.2.0/yank"),
    ("GET", f"{M}/versions/1.2.0/artifacts/weights.bin"),
    ("GET", f"{M}/versions/1.2.0/signature"),
    ("GET", f"{M}/aliases"),
    ("GET", f"{M}/aliases/production/history"),
    ("PUT", f"{M}/aliases/production"),
    ("DELETE", f"{M}/aliases/production"),
    ("GET", f"{M}/deployments"),
    ("POST", f"{M}/deployments"),
    ("GET", f"{M}/deployments/7"),
    ("PATCH", f"{M}/deployments/7"),
    ("GET", f"{M}/deployment-thresholds"),
    ("PUT", f"{M}/deployment-thresholds"),
    ("GET", f"{M}/activity"),
    ("GET", f"{M}/compare"),
    ("GET", "user"),
    ("GET", "health"),
]

REFUSED_CALLS = [
    ("GET", "users/admin/tokens"),
    ("POST", "users/admin/tokens"),
    ("DELETE", "users/admin/tokens/1"),
    ("POST", "users"),
    ("GET", "groups/acme/webhooks"),
    ("POST", "groups/acme/webhooks"),
    ("HEAD", "blobs/" + "0" * 64),
    ("DELETE", M),
    ("POST", f"{M}/rename"),
    ("POST", f"{M}/candidates/4/uploads"),
    ("POST", f"{M}/versions/1.2.0/git-tag"),
    ("GET", "openapi.json"),
    # Dot segments, plain or escaped, cannot walk from an allowed prefix to another route.
    ("GET", f"{M}/candidates/4/artifacts/../../../../../../users/admin/tokens"),
    ("POST", f"{M}/candidates/%2e%2e/%2E%2E/%2e%2e/%2e%2e/%2e%2e/users/admin/tokens"),
    ("GET", f"{M}/versions//x"),
]


@pytest.mark.parametrize("method,path", PANEL_CALLS)
def test_every_route_the_panel_calls_passes(method, path):
    assert panel_route(method, path)


@pytest.mark.parametrize("method,path", REFUSED_CALLS)
def test_administration_and_everything_else_is_refused(method, path):
    assert not panel_route(method, path)


async def test_the_proxy_refuses_token_administration_before_the_registry_sees_it(registry_env, jp_fetch):
    # The proxy holds the admin's token; its own tokens pass (test_account_routes.py), administration does not.
    other = f"ot{uuid.uuid4().hex[:8]}"
    registry_env.call("POST", "users", {"username": other})
    before = registry_env.call("GET", f"users/{other}/tokens")["items"]
    for method, path in [("POST", f"users/{other}/tokens"), ("GET", f"users/{other}/tokens"), ("POST", "users")]:
        response = await jp_fetch(
            "modelreg",
            "api",
            "v1",
            *path.split("/"),
            method=method,
            body=json.dumps({"name": "stolen", "username": "x"}) if method == "POST" else None,
            headers={"Content-Type": "application/json"},
            raise_error=False,
        )
        assert response.code == 403, (method, path)
        error = json.loads(response.body)["error"]
        assert error["code"] == "PROXY_ROUTE_REFUSED"
        assert "modelreg" in error["message"]
    assert registry_env.call("GET", f"users/{other}/tokens")["items"] == before


async def test_the_proxy_acts_with_the_jupyter_users_own_identity(registry, seeded, jp_fetch, monkeypatch, tmp_path):
    username = f"jl{uuid.uuid4().hex[:8]}"
    registry.call("POST", "users", {"username": username})
    token = registry.call("POST", f"users/{username}/tokens", {"name": "jupyter"})["token"]
    registry.call("PUT", f"groups/{seeded['group']}/members/{username}", {"role": "developer"})
    hidden = f"h{uuid.uuid4().hex[:8]}"
    registry.call("POST", "groups", {"name": hidden, "visibility": "private"})
    registry.call("POST", f"models/{hidden}", {"name": "secret"})
    # The user's own `modelreg login`, as JupyterHub's single-user server has it (no admin token anywhere).
    monkeypatch.delenv("MODELREG_URL", raising=False)
    monkeypatch.delenv("MODELREG_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg" / "modelreg").mkdir(parents=True)
    (tmp_path / "xdg" / "modelreg" / "config.json").write_text(json.dumps({"url": registry.url, "token": token}))

    status = json.loads((await jp_fetch("modelreg", "status")).body)
    assert status["user"] == username
    mine = await jp_fetch("modelreg", "api", "v1", "models", *seeded["model"].split("/"))
    assert json.loads(mine.body)["full_name"] == seeded["model"]
    other = await jp_fetch("modelreg", "api", "v1", "models", hidden, "secret", raise_error=False)
    assert other.code == 404  # the admin could see it; this user cannot
    promote = await jp_fetch(
        "modelreg",
        "api",
        "v1",
        "models",
        *seeded["model"].split("/"),
        "versions",
        method="POST",
        body=json.dumps({"version": "9.0.0", "candidate": seeded["iid"]}),
        headers={"Content-Type": "application/json"},
        raise_error=False,
    )
    assert promote.code == 403  # a developer does not promote: the registry judged this user, not an admin
