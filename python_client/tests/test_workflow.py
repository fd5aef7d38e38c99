"""Git tags on promotion, CI linkage filters, pulling what a pipeline trained, deployments and monitoring.

Git runs in real temporary repositories; the registry is the real server.
"""

import json
import subprocess
from pathlib import Path
from typing import Dict

import modelreg
import pytest
from modelreg.cli import main


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=str(repo), capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with one commit, as the working directory."""
    root = tmp_path / "project"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "ds@example.com")
    _git(root, "config", "user.name", "Data Scientist")
    (root / "train.py").write_text("print('train')\n")
    _git(root, "add", "train.py")
    _git(root, "commit", "-q", "-m", "train")
    monkeypatch.chdir(root)
    return root


def _trained(registry: modelreg.Registry, model: str, repo: Path) -> modelreg.Candidate:
    with registry.candidate(model, name="xgb", capture_environment=False) as candidate:
        (repo / "model.pkl").write_bytes(b"weights")
        candidate.log_artifact(repo / "model.pkl")
        candidate.log_metric("auc", 0.9)
    (repo / "model.pkl").unlink()
    return candidate


def test_promote_with_git_tag_writes_an_annotated_gto_tag_on_the_trained_commit(
    registry: modelreg.Registry, model: str, repo: Path
) -> None:
    commit = _git(repo, "rev-parse", "HEAD")
    candidate = _trained(registry, model, repo)
    (repo / "later.py").write_text("x = 1\n")  # a later commit: the tag must still go on the trained one
    _git(repo, "add", "later.py")
    _git(repo, "commit", "-q", "-m", "later")

    version = candidate.promote("1.2.0", git_tag=True)
    name = model.split("/")[1]
    tag = f"{name}@v1.2.0"
    assert version["git_tag"] == tag and version["git_commit"] == commit
    assert _git(repo, "rev-list", "-n", "1", tag) == commit
    assert _git(repo, "cat-file", "-t", tag) == "tag"  # annotated, not lightweight
    message = _git(repo, "tag", "-l", "--format=%(contents)", tag)
    assert f"registry: {registry.url}/api/v1/models/{model}/versions/1.2.0" in message
    assert "version: 1.2.0" in message
    assert f"manifest: {version['manifest_digest']}" in message
    assert registry.version(f"{model}@1.2.0")["git_tag"] == tag


def test_git_tag_refuses_a_dirty_tree_and_an_existing_tag_before_promoting(
    registry: modelreg.Registry, model: str, repo: Path
) -> None:
    candidate = _trained(registry, model, repo)
    (repo / "train.py").write_text("print('changed')\n")
    with pytest.raises(modelreg.ValidationError, match="uncommitted changes"):
        candidate.promote("1.0.0", git_tag=True)
    assert registry.versions(model) == []  # refused before anything was promoted
    _git(repo, "checkout", "--", "train.py")

    _git(repo, "tag", f"{model.split('/')[1]}@v1.0.0")
    with pytest.raises(modelreg.Conflict, match="exists already"):
        candidate.promote("1.0.0", git_tag=True)
    assert registry.versions(model) == []
    # With bump, the tag checked is the one of the version the server would number: 0.1.0 first.
    _git(repo, "tag", f"{model.split('/')[1]}@v0.1.0")
    with pytest.raises(modelreg.Conflict, match="v0.1.0 exists already"):
        candidate.promote(bump="minor", git_tag=True)
    assert registry.versions(model) == []


def test_git_tag_refuses_a_candidate_trained_with_uncommitted_changes(
    registry: modelreg.Registry, model: str, repo: Path
) -> None:
    (repo / "train.py").write_text("print('experiment')\n")
    candidate = _trained(registry, model, repo)
    _git(repo, "checkout", "--", "train.py")
    with pytest.raises(modelreg.ValidationError, match="trained with uncommitted changes"):
        candidate.promote("1.0.0", git_tag=True)


def test_cli_promote_git_tag_push_pushes_the_tag_to_origin(
    registry: modelreg.Registry,
    server_env: Dict[str, str],
    model: str,
    repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "-q", "--bare", str(origin))
    _git(repo, "remote", "add", "origin", str(origin))
    candidate = _trained(registry, model, repo)
    assert main(["promote", model, str(candidate.iid), "--bump", "minor", "--git-tag", "--push"]) == 0
    tag = f"{model.split('/')[1]}@v0.1.0"
    assert tag in capsys.readouterr().out
    assert _git(origin, "tag", "-l") == tag


def _ci_candidate(
    registry: modelreg.Registry,
    model: str,
    pipeline: str,
    mr: str,
    commit: str,
    status: str,
    content: bytes,
    workdir: Path,
) -> modelreg.Candidate:
    candidate = registry.candidate(
        model,
        name=f"p{pipeline}",
        capture_environment=False,
        # As in a CI job: the checkout is the pipeline's commit.
        provenance={
            "ci": {"provider": "gitlab", "pipeline_id": pipeline, "merge_request": mr, "commit": commit},
            "git": {"commit": commit, "dirty": False},
        },
    )
    (workdir / "model.bin").write_bytes(content)
    candidate.log_artifact(workdir / "model.bin")
    candidate.end(status)
    return candidate


def test_candidates_filter_by_pipeline_commit_and_mr_and_pull_takes_the_newest_finished(
    registry: modelreg.Registry, model: str, tmp_path: Path, server_env: Dict[str, str], capsys: pytest.CaptureFixture
) -> None:
    a = _ci_candidate(registry, model, "100", "7", "abc1230000", "finished", b"first", tmp_path)
    b = _ci_candidate(registry, model, "100", "7", "abc1230000", "finished", b"second", tmp_path)
    _ci_candidate(registry, model, "100", "7", "abc1230000", "failed", b"broken", tmp_path)
    c = _ci_candidate(registry, model, "101", "8", "def4560000", "finished", b"other", tmp_path)
    assert [x.iid for x in registry.candidates(model, pipeline="100")] == [b.iid + 1, b.iid, a.iid]
    assert [x.iid for x in registry.candidates(model, commit="def456")] == [c.iid]
    assert [x.iid for x in registry.candidates(model, mr="8")] == [c.iid]

    with pytest.warns(UserWarning, match=f"#{a.iid}"):
        path = registry.pull(model, pipeline="100")
    assert (path / "model.bin").read_bytes() == b"second"

    c.promote("1.0.0")
    assert (registry.pull(model, mr="8") / "model.bin").read_bytes() == b"other"
    assert main(["pull", model, "--commit", "def456", "--json"]) == 0
    pulled = json.loads(capsys.readouterr().out)
    assert pulled["version"] == "1.0.0" and pulled["candidate"] == c.iid

    assert main(["candidates", "list", model, "--pipeline", "100", "--json"]) == 0
    assert [x["iid"] for x in json.loads(capsys.readouterr().out)] == [b.iid + 1, b.iid, a.iid]


def test_pull_of_a_pipeline_without_a_finished_candidate_says_what_it_found(
    registry: modelreg.Registry, model: str, tmp_path: Path
) -> None:
    running = registry.candidate(
        model, name="still", capture_environment=False, provenance={"ci": {"pipeline_id": "300"}}
    )
    with pytest.raises(modelreg.NotFound, match=rf"#{running.iid} \(running\)"):
        registry.pull(model, pipeline="300")
    with pytest.raises(modelreg.NotFound, match="no candidates"):
        registry.pull(model, pipeline="301")
    with pytest.raises(ValueError, match="one of"):
        registry.pull(model, pipeline="300", mr="1")


def test_deploy_record_update_and_monitor_log_from_the_cli(
    registry: modelreg.Registry, model: str, tmp_path: Path, server_env: Dict[str, str], capsys: pytest.CaptureFixture
) -> None:
    candidate = _ci_candidate(registry, model, "1", "1", "abc", "finished", b"w", tmp_path)
    candidate.promote("1.0.0")
    registry.set_deployment_thresholds(model, [{"metric": "live_accuracy", "min": 0.8}])
    assert (
        main(
            [
                "deploy",
                "record",
                model,
                "--version",
                "1.0.0",
                "--environment",
                "production",
                "--deploy-url",
                "https://churn.example.com",
                "--json",
            ]
        )
        == 0
    )
    deployment = json.loads(capsys.readouterr().out)
    assert deployment["status"] == "pending"
    assert main(["deploy", "update", model, str(deployment["id"]), "--status", "active", "--reason", "smoke ok"]) == 0
    capsys.readouterr()

    metrics = tmp_path / "live.json"
    metrics.write_text(json.dumps({"live_accuracy": 0.93, "p99_ms": 110}))
    assert main(["monitor", "log", model, str(deployment["id"]), "--metrics", str(metrics)]) == 0
    assert "active" in capsys.readouterr().out
    assert main(["monitor", "log", model, str(deployment["id"]), "--metric", "live_accuracy=0.61"]) == 0
    assert "degraded" in capsys.readouterr().out

    detail = registry.deployment(model, deployment["id"])
    assert [h["status"] for h in detail["history"]] == ["pending", "active", "degraded"]
    assert detail["history"][1]["reason"] == "smoke ok"
    assert [p["value"] for p in detail["metrics"]["live_accuracy"]] == [0.93, 0.61]
    assert main(["deploy", "update", model, str(deployment["id"]), "--status", "pending"]) == 1
    assert "it can become" in capsys.readouterr().err


def test_alias_history_and_alias_at_a_time(registry: modelreg.Registry, model: str, tmp_path: Path) -> None:
    for version in ("1.0.0", "1.1.0"):
        _ci_candidate(registry, model, version, "1", "abc", "finished", version.encode(), tmp_path).promote(version)
    registry.set_alias(model, "production", "1.0.0")
    between = registry.alias_history(model, "production")[0]["at"]
    registry.set_alias(model, "production", "1.1.0")
    assert [h["version"] for h in registry.alias_history(model, "production")] == ["1.1.0", "1.0.0"]
    assert registry.alias(model, "production", at=between)["version"] == "1.0.0"
    assert registry.alias(model, "production")["version"] == "1.1.0"
