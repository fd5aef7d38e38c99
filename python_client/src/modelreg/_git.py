"""Git tags for promoted versions, in GTO's format: ``<model name>@v<semver>`` on the trained commit."""

import subprocess
from pathlib import Path
from typing import Any, Dict, Optional

from .errors import Conflict, ValidationError


def tag_name(model_name: str, version: str) -> str:
    """GTO's tag for a version: ``churn@v1.2.0`` for version 1.2.0 of ``acme/churn``."""
    return f"{model_name}@v{version}"


def _run(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(["git", *args], cwd=str(repo), capture_output=True, text=True, timeout=60, check=False)
    except FileNotFoundError as error:
        raise ValidationError("git_tag=True needs the git command, which is not installed here.") from error
    if check and done.returncode != 0:
        raise ValidationError(f"`git {' '.join(args)}` failed in {repo}: {done.stderr.strip() or done.stdout.strip()}")
    return done


def repository_root(repo: Optional[Path]) -> Path:
    """The top of the git repository containing ``repo`` (default: the working directory)."""
    start = Path(repo) if repo else Path.cwd()
    done = _run(start, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise ValidationError(
            f"{start} is not inside a git repository; git_tag=True tags the commit the candidate "
            "was trained on, so run it in that repository (or pass repo=...)."
        )
    return Path(done.stdout.strip())


def check_can_tag(repo: Path, provenance: Dict[str, Any], model_name: str, version: Optional[str]) -> str:
    """Refuse before anything is promoted: no commit, a dirty tree, an unknown commit or a taken tag.

    Returns:
        The full commit sha the tag will point at.

    Raises:
        ValidationError: the candidate has no commit, the tree (then or now) is dirty, or the commit is unknown here.
        Conflict: the tag exists already.
    """
    git = provenance.get("git") or {}
    ci = provenance.get("ci") or {}
    commit = git.get("commit") or ci.get("commit")
    if not commit:
        raise ValidationError(
            "This candidate's provenance has no git commit, so there is nothing to tag. Log candidates "
            "from inside a git repository (or CI) to tag their versions."
        )
    if git.get("dirty"):
        raise ValidationError(
            f"The candidate was trained with uncommitted changes on top of {commit[:12]}; a tag on that "
            "commit would not describe it. Commit, re-train, and promote the new candidate."
        )
    status = _run(repo, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if status:
        changed = ", ".join(line[3:] for line in status.splitlines()[:5])
        raise ValidationError(
            f"The working tree of {repo} has uncommitted changes ({changed}); commit or stash them "
            "before tagging a version."
        )
    resolved = _run(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", check=False)
    if resolved.returncode != 0:
        raise ValidationError(
            f"Commit {commit} is not in the repository at {repo}; fetch it first (git fetch) or "
            "pass repo= the repository it was trained in."
        )
    if version is not None:
        refuse_existing_tag(repo, tag_name(model_name, version))
    return resolved.stdout.strip()


def refuse_existing_tag(repo: Path, tag: str) -> None:
    """Raises Conflict if ``tag`` exists in ``repo``."""
    if _run(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}", check=False).returncode == 0:
        raise Conflict(
            f"The git tag {tag} exists already in {repo}; version tags are never moved. Delete it yourself "
            "if it is wrong, or promote under another version.",
            code="TAG_EXISTS",
        )


def tag_message(model_full_name: str, version: str, registry_url: str, manifest_digest: str) -> str:
    return (
        f"{model_full_name} version {version}\n\n"
        f"registry: {registry_url}\n"
        f"version: {version}\n"
        f"manifest: {manifest_digest}\n"
    )


def create_tag(repo: Path, tag: str, commit: str, message: str) -> None:
    """Create the annotated tag on ``commit`` (refusing an existing one)."""
    refuse_existing_tag(repo, tag)
    _run(repo, "tag", "-a", tag, commit, "-m", message)


def push_tag(repo: Path, tag: str, remote: str = "origin") -> None:
    """Push only ``tag`` to ``remote``, with the user's git credentials."""
    done = _run(repo, "push", remote, f"refs/tags/{tag}", check=False)
    if done.returncode != 0:
        raise ValidationError(
            f"The tag {tag} was created and recorded, but `git push {remote} {tag}` failed: "
            f"{done.stderr.strip()}. Push it yourself once that is fixed."
        )
