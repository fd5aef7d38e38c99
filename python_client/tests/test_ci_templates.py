"""The CI templates' shell steps, run as GitLab and GitHub would run them, against the real registry.

Each step's script is taken from the YAML file and run by bash with the CI variables a runner sets;
the only things not exercised are the runners themselves (and ``pip install``: the client is installed).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import modelreg
import yaml

REPO = Path(__file__).resolve().parents[2]
GITLAB = REPO / "ci" / "gitlab" / "modelreg.gitlab-ci.yml"
GITHUB = REPO / "ci" / "github" / "action.yml"
BIN = str(Path(sys.executable).parent)


def _bash(script: str, env: Dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    # Only what a runner would have, plus this test's own cache and config directories.
    kept = {k: os.environ[k] for k in ("HOME", "MODELREG_CACHE", "XDG_CONFIG_HOME") if k in os.environ}
    full_env = {"PATH": f"{BIN}:{os.environ['PATH']}", **kept, **env}
    return subprocess.run(
        ["bash", "-c", script], cwd=str(cwd), env=full_env, capture_output=True, text=True, timeout=300
    )


def _gitlab_job(name: str, env: Dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    template = yaml.safe_load(GITLAB.read_text())
    variables = {k: str(v) for k, v in (template.get("variables") or {}).items()}
    script = "\n".join(template[name]["script"])
    done = _bash(script, {**variables, **env}, cwd)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _gitlab_env(server_env: Dict[str, str], pipeline: str, **extra: str) -> Dict[str, str]:
    return {
        **server_env,
        "GITLAB_CI": "true",
        "CI": "true",
        "CI_PIPELINE_ID": pipeline,
        "CI_JOB_ID": "901",
        "CI_JOB_NAME": "train",
        "CI_COMMIT_SHA": "0123456789abcdef0123456789abcdef01234567",
        "CI_MERGE_REQUEST_IID": "42",
        "CI_PROJECT_URL": "https://gitlab.example.com/acme/churn",
        "MODELREG_CLIENT_INSTALLED": "true",
        "MODELREG_DISABLE_PROGRESS": "1",
        **extra,
    }


def test_gitlab_template_logs_a_candidate_then_a_deploy_job_pulls_and_records_it(
    registry: modelreg.Registry, server_env: Dict[str, str], model: str, tmp_path: Path
) -> None:
    train = tmp_path / "train"
    train.mkdir()
    (train / "model.pkl").write_bytes(b"weights of pipeline 7001")
    (train / "metrics.json").write_text(json.dumps({"auc": 0.93}))
    env = _gitlab_env(
        server_env, "7001", MODELREG_MODEL=model, MODELREG_ARTIFACTS="model.pkl", MODELREG_METRICS="metrics.json"
    )
    done = _gitlab_job(".modelreg-log-candidate", env, train)
    assert "logged" in done.stdout

    [candidate] = registry.candidates(model, pipeline="7001")
    assert candidate.status == "finished"
    assert candidate.metrics["auc"]["value"] == 0.93
    assert candidate.provenance["ci"]["merge_request"] == "42"
    assert registry.candidates(model, mr="42")[0].iid == candidate.iid

    deploy = tmp_path / "deploy"
    deploy.mkdir()
    env = _gitlab_env(
        server_env,
        "7001",
        MODELREG_MODEL=model,
        CI_ENVIRONMENT_NAME="staging",
        CI_ENVIRONMENT_URL="https://churn.staging.example.com",
    )
    _gitlab_job(".modelreg-pull", env, deploy)
    assert (deploy / "model" / "model.pkl").read_bytes() == b"weights of pipeline 7001"
    _gitlab_job(".modelreg-record-deployment", env, deploy)
    [deployment] = registry.deployments(model)
    assert deployment["candidate"] == candidate.iid and deployment["version"] is None
    assert (deployment["environment"], deployment["status"]) == ("staging", "active")
    assert deployment["url"] == "https://churn.staging.example.com"


def test_gitlab_pull_of_a_pipeline_that_logged_nothing_fails_and_says_so(
    server_env: Dict[str, str], model: str, registry: modelreg.Registry, tmp_path: Path
) -> None:
    registry.create_model(model)
    template = yaml.safe_load(GITLAB.read_text())
    done = _bash(
        "\n".join(template[".modelreg-pull"]["script"]),
        _gitlab_env(server_env, "999999", MODELREG_MODEL=model),
        tmp_path,
    )
    assert done.returncode != 0
    assert "pipeline 999999" in done.stderr


_EXPR = re.compile(r"\$\{\{\s*([a-z0-9_.-]+)\s*\}\}")


def _run_action(inputs: Dict[str, str], env: Dict[str, str], cwd: Path) -> Dict[str, str]:
    """Runs the composite action's steps like a runner: defaults, `if:`, env expressions, outputs."""
    action = yaml.safe_load(GITHUB.read_text())
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs)
    outputs: Dict[str, Dict[str, str]] = {}

    def lookup(expr: str) -> str:
        parts = expr.split(".")
        if parts[0] == "inputs":
            return values[parts[1]]
        if parts[0] == "steps":
            return outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the action uses an expression the test does not know: {expr}")

    def condition(text: str) -> bool:
        alternatives: List[bool] = []
        for part in text.split("||"):
            match = re.fullmatch(r"\s*inputs\.([a-z-]+) == '([^']*)'\s*", part)
            assert match, f"unsupported if: {text}"
            alternatives.append(values[match.group(1)] == match.group(2))
        return any(alternatives)

    runner_temp = cwd / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    for step in action["runs"]["steps"]:
        if "if" in step and not condition(step["if"]):
            continue
        assert "${{" not in step["run"], "inputs must reach scripts through env, not be pasted into them"
        output_file = runner_temp / f"output-{step.get('id', 'x')}"
        output_file.write_text("")
        step_env = {k: _EXPR.sub(lambda m: lookup(m.group(1)), str(v)) for k, v in (step.get("env") or {}).items()}
        done = _bash(
            step["run"], {**env, **step_env, "GITHUB_OUTPUT": str(output_file), "RUNNER_TEMP": str(runner_temp)}, cwd
        )
        assert done.returncode == 0, f"step {step['name']!r} failed:\n{done.stdout}\n{done.stderr}"
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if line)
    return {name: _EXPR.sub(lambda m: lookup(m.group(1)), spec["value"]) for name, spec in action["outputs"].items()}


def _github_env(server_env: Dict[str, str], run_id: str) -> Dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_RUN_ID": run_id,
        "GITHUB_JOB": "train",
        "GITHUB_SHA": "89abcdef0123456789abcdef0123456789abcdef",
        "GITHUB_REPOSITORY": "acme/churn",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REF": "refs/pull/17/merge",
        "MODELREG_DISABLE_PROGRESS": "1",
    }


def test_github_action_logs_then_pulls_a_promoted_version_and_records_the_deployment(
    registry: modelreg.Registry, server_env: Dict[str, str], model: str, tmp_path: Path
) -> None:
    (tmp_path / "model.pkl").write_bytes(b"weights of run 555")
    (tmp_path / "params.txt").write_text("depth=6\n")
    common = {
        "model": model,
        "url": server_env["MODELREG_URL"],
        "token": server_env["MODELREG_TOKEN"],
        "install": "false",
    }
    out = _run_action(
        {**common, "command": "log-candidate", "artifacts": "model.pkl", "params": "params.txt"},
        _github_env(server_env, "555"),
        tmp_path,
    )
    iid = int(out["candidate"])
    candidate = registry.get_candidate(model, iid)
    assert candidate.params == {"depth": "6"}
    assert candidate.provenance["ci"]["pipeline_id"] == "555"
    assert candidate.provenance["ci"]["merge_request"] == "17"
    candidate.promote("1.0.0")

    deploy = tmp_path / "deploy"
    deploy.mkdir()
    out = _run_action(
        {
            **common,
            "command": "pull-and-record",
            "pipeline": "555",
            "environment": "production",
            "deployment-url": "https://churn.example.com",
        },
        _github_env(server_env, "556"),
        deploy,
    )
    assert out["version"] == "1.0.0"
    assert (deploy / out["path"] / "model.pkl").read_bytes() == b"weights of run 555"
    deployment = registry.deployment(model, int(out["deployment"]))
    assert (deployment["version"], deployment["environment"], deployment["status"]) == ("1.0.0", "production", "active")
    assert [h["status"] for h in deployment["history"]] == ["active"]
