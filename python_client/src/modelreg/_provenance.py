"""Provenance captured without being asked: environment, git, CI and notebook."""

import json
import platform
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

from . import constants

Provenance = Dict[str, Any]


@lru_cache(maxsize=1)
def _packages() -> List[Dict[str, str]]:
    from importlib import metadata

    seen: Dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name and name.lower() not in seen:
            seen[name.lower()] = f"{name}\0{dist.version}"
    return [dict(zip(("name", "version"), entry.split("\0"))) for _, entry in sorted(seen.items())]


def _gpu() -> Optional[Dict[str, Any]]:
    # Asked of torch only when the code imported it already: never import a library for provenance.
    torch = sys.modules.get("torch")
    try:
        if torch is None or not torch.cuda.is_available():
            return None
        count = torch.cuda.device_count()
        return {"cuda": torch.version.cuda, "devices": [torch.cuda.get_device_name(i) for i in range(count)]}
    except Exception:
        return None


def environment() -> Dict[str, Any]:
    """Python version, platform, installed packages (importlib.metadata) and, when torch sees one, the GPU."""
    found: Dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": _packages(),
    }
    gpu = _gpu()
    if gpu:
        found["gpu"] = gpu
    return found


def requirements_txt() -> str:
    """``name==version`` of every installed distribution: ``pip install -r`` rebuilds the environment."""
    lines = [f"# Python {platform.python_version()} on {platform.platform()}"]
    gpu = _gpu()
    if gpu:
        lines.append(f"# CUDA {gpu['cuda']}: {', '.join(gpu['devices'])}")
    lines += [f"{p['name']}=={p['version']}" for p in _packages()]
    return "\n".join(lines) + "\n"


def _git(cwd: Path, *args: str) -> Optional[str]:
    try:
        done = subprocess.run(["git", *args], cwd=str(cwd), capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _without_credentials(url: str) -> str:
    # A remote like https://user:token@host/repo.git must not leak its token into the registry.
    return re.sub(r"^(\w+://)[^/@]+@", r"\1", url)


def git(cwd: Optional[Path] = None) -> Optional[Dict[str, Any]]:
    """Remote, branch, commit and dirty flag of the repository containing ``cwd``, or None."""
    cwd = cwd or Path.cwd()
    commit = _git(cwd, "rev-parse", "HEAD")
    if commit is None:
        return None
    branch = _git(cwd, "rev-parse", "--abbrev-ref", "HEAD") or ""
    remote = _git(cwd, "config", "--get", "remote.origin.url") or ""
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    return {
        "remote": _without_credentials(remote),
        "branch": "" if branch == "HEAD" else branch,
        "commit": commit,
        "dirty": bool(status),
    }


def _github_pull_request(env: Dict[str, str]) -> str:
    match = re.match(r"refs/pull/(\d+)/", env.get("GITHUB_REF", ""))
    if match:
        return match.group(1)
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path and env.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
            return str(event.get("pull_request", {}).get("number") or "")
        except (OSError, ValueError, AttributeError):
            return ""
    return ""


def ci() -> Optional[Dict[str, str]]:
    """The CI job this runs in (GitLab CI or GitHub Actions), or None outside CI."""
    env = constants.ci_variables()
    if env.get("GITLAB_CI") or env.get("CI_PIPELINE_ID"):
        return {
            "provider": "gitlab",
            "pipeline_id": env.get("CI_PIPELINE_ID", ""),
            "job_id": env.get("CI_JOB_ID", ""),
            "job_url": env.get("CI_JOB_URL", ""),
            "merge_request": env.get("CI_MERGE_REQUEST_IID", ""),
            "project_url": env.get("CI_PROJECT_URL", ""),
            "commit": env.get("CI_COMMIT_SHA", ""),
        }
    if env.get("GITHUB_ACTIONS") or env.get("GITHUB_RUN_ID"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        repository = env.get("GITHUB_REPOSITORY", "")
        project_url = f"{server}/{repository}" if repository else ""
        run_id = env.get("GITHUB_RUN_ID", "")
        return {
            "provider": "github",
            "pipeline_id": run_id,
            "job_id": env.get("GITHUB_JOB", ""),
            "job_url": f"{project_url}/actions/runs/{run_id}" if project_url and run_id else "",
            "merge_request": _github_pull_request(env),
            "project_url": project_url,
            "commit": env.get("GITHUB_SHA", ""),
        }
    return None


def _ipython() -> Any:
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return None
    try:
        return ipython_module.get_ipython()
    except Exception:  # a half-initialised IPython must not break logging
        return None


def in_kernel() -> bool:
    """True inside a Jupyter kernel (ipykernel), False in a terminal IPython or plain Python."""
    shell = _ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def notebook_path() -> Optional[str]:
    """The notebook's path when the kernel knows it (``__session__`` or ``JPY_SESSION_NAME``)."""
    shell = _ipython()
    if shell is not None:
        session = getattr(shell, "user_ns", {}).get("__session__")
        if isinstance(session, str) and session.endswith(".ipynb"):
            return session
    name = constants.jupyter_session_name()
    return name if name and name.endswith(".ipynb") else None


def _kernel_name(ipykernel: Any) -> str:
    # jupyter_client writes the kernelspec name (e.g. "python3") into the kernel's connection file.
    try:
        with open(ipykernel.get_connection_file(), encoding="utf-8") as handle:
            return str(json.load(handle).get("kernel_name") or "python3")
    except Exception:
        return "python3"


def kernel() -> Optional[Dict[str, str]]:
    """Which kernel runs this code, when it is a Jupyter kernel."""
    if not in_kernel():
        return None
    ipykernel = sys.modules.get("ipykernel")
    return {
        "name": _kernel_name(ipykernel),
        "language": "python",
        "version": getattr(ipykernel, "__version__", ""),
    }


def capture(include_environment: bool = True, cwd: Optional[Path] = None) -> Provenance:
    """Everything known about where this code runs. Keys with nothing to say are left out.

    Args:
        include_environment: record python/platform/packages.
        cwd: directory whose git repository is recorded (default: the working directory).
    """
    result: Provenance = {}
    if include_environment:
        result["environment"] = environment()
    for key, value in (("git", git(cwd)), ("ci", ci()), ("kernel", kernel())):
        if value:
            result[key] = value
    path = notebook_path()
    if path:
        result["notebook"] = {"path": path}
    return result
