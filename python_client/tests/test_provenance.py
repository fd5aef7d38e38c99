"""Provenance captured without being asked: CI, git, environment."""

import subprocess

from modelreg import _provenance


def test_gitlab_ci_is_detected_and_stored_on_the_candidate(registry, model, monkeypatch):
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_PIPELINE_ID", "4242")
    monkeypatch.setenv("CI_JOB_ID", "99")
    monkeypatch.setenv("CI_JOB_URL", "https://gitlab.example.com/acme/churn/-/jobs/99")
    monkeypatch.setenv("CI_COMMIT_SHA", "a" * 40)
    monkeypatch.setenv("CI_MERGE_REQUEST_IID", "17")
    monkeypatch.setenv("CI_PROJECT_URL", "https://gitlab.example.com/acme/churn")
    expected = {
        "provider": "gitlab",
        "pipeline_id": "4242",
        "job_id": "99",
        "job_url": "https://gitlab.example.com/acme/churn/-/jobs/99",
        "merge_request": "17",
        "project_url": "https://gitlab.example.com/acme/churn",
        "commit": "a" * 40,
    }
    assert _provenance.ci() == expected
    with registry.candidate(model, name="ci") as candidate:
        pass
    assert candidate.refresh().provenance["ci"] == expected
    found = registry.candidates(model, limit=10)
    assert [c.iid for c in found] == [candidate.iid]


def test_github_actions_pull_request_is_detected(monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_RUN_ID", "123456")
    monkeypatch.setenv("GITHUB_JOB", "train")
    monkeypatch.setenv("GITHUB_SHA", "b" * 40)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/churn")
    monkeypatch.setenv("GITHUB_REF", "refs/pull/31/merge")
    assert _provenance.ci() == {
        "provider": "github",
        "pipeline_id": "123456",
        "job_id": "train",
        "job_url": "https://github.com/acme/churn/actions/runs/123456",
        "merge_request": "31",
        "project_url": "https://github.com/acme/churn",
        "commit": "b" * 40,
    }


def test_no_ci_outside_ci():
    assert _provenance.ci() is None


def test_git_remote_branch_commit_and_dirty_flag(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-b", "train")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    git("remote", "add", "origin", "https://alice:s3cret@gitlab.example.com/acme/churn.git")
    (tmp_path / "train.py").write_text("print(1)\n")
    git("add", "train.py")
    git("commit", "-m", "init")
    info = _provenance.git(tmp_path)
    assert info["branch"] == "train" and len(info["commit"]) == 40 and info["dirty"] is False
    assert info["remote"] == "https://gitlab.example.com/acme/churn.git"  # the credentials are dropped
    (tmp_path / "train.py").write_text("print(2)\n")
    assert _provenance.git(tmp_path)["dirty"] is True
    assert _provenance.git(tmp_path.parent / "not-a-repo-dir") is None


def test_environment_lists_installed_packages():
    env = _provenance.environment()
    names = {p["name"].lower() for p in env["packages"]}
    assert {"requests", "modelreg"} <= names
    assert env["python"].count(".") == 2


def test_notebook_path_from_jupyter_session(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "work/train.ipynb")
    assert _provenance.notebook_path() == "work/train.ipynb"
    assert _provenance.capture(include_environment=False)["notebook"] == {"path": "work/train.ipynb"}
