"""The ``modelreg`` CLI end to end, each command in a subprocess against the real server."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest


def run(args, env: Dict[str, str], cwd: Path, expect: int = 0, stdin: Optional[str] = None):
    done = subprocess.run(
        [sys.executable, "-m", "modelreg", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
    )
    assert done.returncode == expect, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
    return done


@pytest.fixture
def cli_env(server_env) -> Dict[str, str]:
    return dict(os.environ)


def test_ci_flow_log_promote_pull_compare(cli_env, model, tmp_path):
    (tmp_path / "model.pkl").write_bytes(b"weights")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "eval.txt").write_text("good")
    (tmp_path / "params.json").write_text(json.dumps({"max_depth": 6, "eta": 0.1}))
    (tmp_path / "metrics.txt").write_text("# from the eval step\nauc=0.91\nlogloss = 0.3\n")

    logged = run(
        [
            "log-candidate",
            "--model",
            model,
            "--name",
            "nightly",
            "--experiment",
            "ci",
            "--artifact",
            "model.pkl",
            "--artifact",
            "reports",
            "--params",
            "params.json",
            "--metrics",
            "metrics.txt",
            "--tag",
            "pipeline=7",
            "--json",
        ],
        cli_env,
        tmp_path,
    )
    candidate = json.loads(logged.stdout)
    assert candidate["status"] == "finished" and candidate["params"] == {"max_depth": "6", "eta": "0.1"}
    assert candidate["metrics"]["auc"]["value"] == pytest.approx(0.91)
    assert candidate["tags"] == {"pipeline": "7"}
    iid = candidate["iid"]

    (tmp_path / "metrics2.json").write_text(json.dumps({"auc": [0.5, 0.95]}))
    second = json.loads(
        run(
            ["log-candidate", "--model", model, "--name", "retry", "--metrics", "metrics2.json", "--json"],
            cli_env,
            tmp_path,
        ).stdout
    )

    listed = json.loads(run(["candidates", "list", model, "--json"], cli_env, tmp_path).stdout)
    assert [c["iid"] for c in listed] == [second["iid"], iid]
    table = run(["candidates", "list", model], cli_env, tmp_path).stdout
    assert "nightly" in table and "auc=0.91" in table
    shown = run(["candidates", "show", f"{model}#{iid}"], cli_env, tmp_path).stdout
    assert "nightly" in shown

    promoted = run(["promote", model, str(iid), "--version", "1.0.0", "--alias", "production"], cli_env, tmp_path)
    assert f"{model}@1.0.0" in promoted.stdout
    run(["promote", f"{model}#{second['iid']}", "--bump", "minor", "--notes", "retrained"], cli_env, tmp_path)
    versions = json.loads(run(["versions", "list", model, "--json"], cli_env, tmp_path).stdout)
    assert [v["version"] for v in versions] == ["1.1.0", "1.0.0"]
    assert "production" in run(["versions", "list", model], cli_env, tmp_path).stdout

    path = Path(run(["pull", f"{model}@production"], cli_env, tmp_path).stdout.strip())
    assert (path / "model.pkl").read_bytes() == b"weights"
    assert (path / "reports" / "eval.txt").read_text() == "good"
    run(["pull", f"{model}@1.0.0", "--to", "export"], cli_env, tmp_path)
    assert (tmp_path / "export" / "model.pkl").read_bytes() == b"weights"

    compared = run(["compare", f"{model}@1.0.0", f"{model}@1.1.0"], cli_env, tmp_path).stdout
    assert "1.0.0" in compared and "auc" in compared and "0.95 *" in compared

    models = json.loads(run(["models", "list", "--json"], cli_env, tmp_path).stdout)
    assert model in [m["full_name"] for m in models]
    assert "latest_version" in run(["models", "show", model], cli_env, tmp_path).stdout


def test_errors_exit_non_zero_with_one_line(cli_env, model, tmp_path):
    done = run(["pull", f"{model}@9.9.9"], cli_env, tmp_path, expect=1)
    assert done.stderr.startswith("modelreg: error:") and done.stderr.count("\n") == 1
    assert "NOT_FOUND" in done.stderr and "Traceback" not in done.stderr
    missing = run(["log-candidate", "--model", model, "--artifact", "nope.bin"], cli_env, tmp_path, expect=1)
    assert "nope.bin" in missing.stderr
    (tmp_path / "bad.txt").write_text("no equals sign\n")
    bad = run(["log-candidate", "--model", model, "--params", "bad.txt"], cli_env, tmp_path, expect=1)
    assert "bad.txt:1" in bad.stderr
    usage = run(["promote", model, "1"], cli_env, tmp_path, expect=2)  # neither --version nor --bump
    assert "--version" in usage.stderr

    down = dict(cli_env, MODELREG_URL="http://127.0.0.1:9")
    unreachable = run(["models", "list"], down, tmp_path, expect=1)
    assert "http://127.0.0.1:9" in unreachable.stderr


def test_login_writes_private_config_used_later(server, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("MODELREG_URL", "MODELREG_TOKEN")}
    done = run(["login", "--url", server.url, "--token", server.token], env, tmp_path)
    config = tmp_path / "config" / "modelreg" / "config.json"
    assert str(config) in done.stdout
    assert config.stat().st_mode & 0o777 == 0o600
    assert json.loads(config.read_text()) == {"url": server.url, "token": server.token}
    run(["models", "list"], env, tmp_path)
    bad = run(["login", "--url", server.url, "--token", "wrong"], env, tmp_path, expect=1)
    assert "UNAUTHENTICATED" in bad.stderr


def test_help_lists_commands(tmp_path):
    done = run(["--help"], dict(os.environ), tmp_path)
    for command in ("login", "models", "candidates", "log-candidate", "promote", "pull", "compare", "versions"):
        assert command in done.stdout


def test_token_create_list_revoke(registry, cli_env, tmp_path):
    username = f"tok{os.getpid()}{tmp_path.name[-6:]}".replace("_", "").lower()
    registry._client.json("POST", "/users", json_body={"username": username})
    user_token = registry.create_token("login", user=username)["token"]
    env = {**cli_env, "MODELREG_TOKEN": user_token}

    created = json.loads(
        run(
            ["token", "create", "--name", "ci", "--scope", "read", "--expires-at", "2999-01-01T00:00:00Z", "--json"],
            env,
            tmp_path,
        ).stdout
    )
    assert created["scopes"] == ["read"] and created["expires_at"].startswith("2999-01-01")
    ci_token = created["token"]
    listed = run(["token", "list"], env, tmp_path).stdout
    assert "ci" in listed and "read" in listed and ci_token not in listed
    assert run(["models", "list"], {**cli_env, "MODELREG_TOKEN": ci_token}, tmp_path).returncode == 0

    run(["token", "revoke", str(created["id"])], env, tmp_path)
    refused = run(["models", "list"], {**cli_env, "MODELREG_TOKEN": ci_token}, tmp_path, expect=1)
    assert "UNAUTHENTICATED" in refused.stderr
    assert [t["name"] for t in json.loads(run(["token", "list", "--json"], env, tmp_path).stdout)] == ["login"]
    # Another user's tokens are the instance admin's business only.
    other = run(["token", "list", "--user", "admin"], env, tmp_path, expect=1)
    assert "FORBIDDEN" in other.stderr or "NOT_FOUND" in other.stderr
