"""The kernel hook ``modelreg.jupyter.log_notebook`` (docs/jupyter-hook.md), called in-process."""

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any, Dict, List

import modelreg
import modelreg.jupyter
import pytest
from modelreg.jupyter import EVENT_MIME


def _events(text: str) -> List[Dict[str, Any]]:
    prefix = "MODELREG_EVENT "
    return [json.loads(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)]


@pytest.fixture
def notebook_dir(tmp_path, monkeypatch):
    """The kernel's working directory: the notebook's folder with a saved notebook and model files."""
    folder = tmp_path / "work"
    (folder / "plots").mkdir(parents=True)
    (folder / "train.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}))
    (folder / "model.pkl").write_bytes(b"model bytes")
    (folder / "plots" / "loss.txt").write_text("loss curve")
    monkeypatch.chdir(folder)
    return folder


def test_log_notebook_creates_a_candidate_and_reports_events(server_env, model, notebook_dir, capsys):
    result = modelreg.jupyter.log_notebook(
        model=model, notebook_path="work/train.ipynb", files=["model.pkl", "plots/loss.txt"], experiment="nb"
    )
    events = _events(capsys.readouterr().out)
    assert [e["event"] for e in events][-1] == "result"
    stages = [e["stage"] for e in events if e["event"] == "progress"]
    assert stages[0] == "create" and "upload" in stages and stages[-1] == "finish"
    uploads = [e for e in events if e.get("stage") == "upload"]
    # Bytes, not files: 2 files, the notebook, requirements.txt.
    assert uploads[-1]["unit"] == "bytes" and uploads[-1]["files_done"] == uploads[-1]["files_total"] == 4
    sizes = [len(b"model bytes"), len("loss curve"), (notebook_dir / "train.ipynb").stat().st_size]
    assert uploads[-1]["done"] == uploads[-1]["total"] > sum(sizes)

    result_event = events[-1]
    assert result_event["candidate"] == result
    assert result_event["url"].endswith(f"/api/v1/models/{model}/candidates/{result['iid']}")
    assert result["name"] == "train" and result["experiment"] == "nb" and result["status"] == "finished"
    assert result["provenance"]["notebook"] == {"path": "work/train.ipynb", "snapshot": "notebook/train.ipynb"}
    assert result["provenance"]["environment"]["packages"]
    registry = modelreg.Registry()
    artifacts = registry.get_candidate(model, result["iid"]).artifacts()
    assert sorted(a["path"] for a in artifacts) == [
        "environment/requirements.txt",
        "model.pkl",
        "notebook/train.ipynb",
        "plots/loss.txt",
    ]


def test_log_notebook_completes_the_active_candidate(server_env, model, notebook_dir, capsys):
    active = modelreg.start_candidate(model, name="from-code")
    modelreg.log_params({"depth": 3})
    modelreg.log_metric("auc", 0.77, step=5)  # still buffered when the hook runs
    result = modelreg.jupyter.log_notebook(
        model=model, notebook_path="work/train.ipynb", files=["model.pkl"], attach_environment=False
    )
    assert result is not None and result["iid"] == active.iid
    assert result["status"] == "finished" and result["params"] == {"depth": "3"}
    assert result["metrics"]["auc"]["value"] == pytest.approx(0.77)
    assert result["name"] == "from-code"  # no name passed: the code's name stays
    assert modelreg.active_candidate() is None
    assert len(modelreg.Registry().candidates(model)) == 1


def test_log_notebook_starts_a_new_candidate_once_the_code_opened_one_was_promoted(
    server_env, model, notebook_dir, capsys
):
    active = modelreg.start_candidate(model, name="from-code")
    modelreg.log_metric("auc", 0.9)
    active.flush()
    modelreg.Registry().promote(model, active.iid, "1.0.0")  # what the panel's Promote does
    result = modelreg.jupyter.log_notebook(model=model, name="click", notebook_path="work/train.ipynb")
    assert [e for e in _events(capsys.readouterr().out) if e["event"] == "error"] == []
    assert result is not None and result["iid"] == active.iid + 1 and result["status"] == "finished"
    assert modelreg.active_candidate() is None


def test_log_notebook_never_reopens_a_finished_candidate(server_env, model, notebook_dir, capsys):
    with modelreg.Registry().candidate(model, name="block") as finished:
        finished.log_metric("auc", 0.8)
    result = modelreg.jupyter.log_notebook(model=model, name="click", notebook_path="work/train.ipynb")
    assert result["iid"] == finished.iid + 1  # one click, one new candidate
    again = modelreg.Registry().get_candidate(model, finished.iid)
    assert again.name == "block" and again.artifacts() == []  # not renamed, nothing attached


def test_expected_errors_become_error_events(server_env, notebook_dir, capsys):
    missing_file = modelreg.jupyter.log_notebook(
        model="nogroup-xyz/churn", notebook_path="work/train.ipynb", files=["missing.pkl"]
    )
    assert missing_file is None
    [error] = [e for e in _events(capsys.readouterr().out) if e["event"] == "error"]
    assert error["code"] == "FILE_NOT_FOUND" and "missing.pkl" in error["message"]

    assert modelreg.jupyter.log_notebook(model="nogroup-xyz/churn", notebook_path="work/train.ipynb") is None
    [error] = [e for e in _events(capsys.readouterr().out) if e["event"] == "error"]
    assert error["code"] in ("NOT_FOUND", "PERMISSION_DENIED") and error["message"]


def test_not_configured_is_an_error_event(notebook_dir, capsys):
    assert modelreg.jupyter.log_notebook(model="acme/churn", notebook_path="work/train.ipynb") is None
    [error] = _events(capsys.readouterr().out)
    assert error["event"] == "error" and error["code"] == "MODELREG_NOT_CONFIGURED"
    assert "modelreg login" in error["message"]


def test_events_are_display_data_inside_ipython(server_env, model, notebook_dir):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    try:
        with capture_output() as captured:
            result = modelreg.jupyter.log_notebook(model=model, notebook_path="work/train.ipynb", files=["model.pkl"])
        events = [output.data[EVENT_MIME] for output in captured.outputs if EVENT_MIME in output.data]
        assert events and events[-1]["event"] == "result" and events[-1]["candidate"]["iid"] == result["iid"]
        assert "MODELREG_EVENT" not in captured.stdout
    finally:
        InteractiveShell.clear_instance()


def test_hook_in_a_real_kernel_reports_events_on_iopub(server_env, model, notebook_dir):
    """What the JupyterLab extension does: execute the call in an ipykernel and read iopub."""
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, JPY_SESSION_NAME="work/train.ipynb")  # jupyter_server sets this for kernels
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(notebook_dir), env=env)
    try:
        code = (
            "import modelreg, modelreg.jupyter\n"
            f"c = modelreg.start_candidate({model!r}, name='in-kernel')\n"
            "c.log_metric('auc', 0.66)\n"
            f"modelreg.jupyter.log_notebook(model={model!r}, files=['model.pkl'])\n"
        )
        events = []
        reply = client.execute_interactive(
            code,
            timeout=120,
            output_hook=lambda msg: (
                events.append(msg["content"]["data"][EVENT_MIME])
                if msg["msg_type"] == "display_data" and EVENT_MIME in msg["content"].get("data", {})
                else None
            ),
        )
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert [e["event"] for e in events][0] == "progress" and events[-1]["event"] == "result"
    candidate = events[-1]["candidate"]
    assert candidate["name"] == "in-kernel" and candidate["status"] == "finished"
    assert candidate["metrics"]["auc"]["value"] == pytest.approx(0.66)
    assert candidate["provenance"]["notebook"] == {"path": "work/train.ipynb", "snapshot": "notebook/train.ipynb"}
    assert candidate["provenance"]["kernel"]["language"] == "python"
    assert candidate["provenance"]["kernel"]["name"] == "python3"


def _finished(upload_id: str):
    """The background upload `upload_id`, once it ended."""
    from modelreg.jupyter import _background

    running = _background.upload(upload_id)
    assert running is not None
    assert running.join(120), "the background upload did not end"
    return running


def test_background_log_returns_at_once_and_uploads_in_a_thread(server_env, model, notebook_dir, capsys):
    (notebook_dir / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    started = modelreg.jupyter.log_notebook(
        model=model, notebook_path="work/train.ipynb", files=["big.bin"], background=True
    )
    assert started["status"] == "running" and started["upload_id"]
    running = _finished(started["upload_id"])
    assert running.outcome["event"] == "result"
    assert running.outcome["candidate"]["status"] == "finished"
    events = _events(capsys.readouterr().out)
    assert events[0]["event"] == "progress" and events[0]["stage"] == "create"
    assert any(e["event"] == "upload-started" and e["upload_id"] == started["upload_id"] for e in events)
    uploads = [e for e in events if e.get("stage") == "upload"]
    assert uploads[-1]["done"] == uploads[-1]["total"] >= 3 * 1024 * 1024
    assert all(e["upload_id"] == started["upload_id"] for e in uploads)
    files = modelreg.Registry().get_candidate(model, started["iid"]).artifacts()
    assert "big.bin" in [f["path"] for f in files]


def test_cancelled_background_upload_attaches_no_half_file_and_fails_the_candidate(
    server_env, model, notebook_dir, monkeypatch
):
    from modelreg.jupyter import _events as events_module

    (notebook_dir / "big.bin").write_bytes(os.urandom(32 * 1024 * 1024))
    seen: List[Dict[str, Any]] = []

    def record(event: Dict[str, Any]) -> None:
        seen.append(event)
        # Cancel as big.bin starts: the first chunk read stops the request mid-body.
        if event.get("message") == "Uploading big.bin":
            assert modelreg.jupyter.cancel_upload(event["upload_id"])

    monkeypatch.setattr(events_module, "emit", record)
    started = modelreg.jupyter.log_notebook(
        model=model,
        notebook_path="work/train.ipynb",
        files=["model.pkl", "big.bin"],
        attach_environment=False,
        background=True,
    )
    running = _finished(started["upload_id"])
    assert running.outcome == {
        "event": "error",
        "code": "UPLOAD_CANCELLED",
        "message": "The upload was cancelled; the candidate is marked failed.",
        "upload_id": started["upload_id"],
    }
    assert not modelreg.jupyter.cancel_upload(started["upload_id"])  # over
    candidate = modelreg.Registry().get_candidate(model, started["iid"])
    assert candidate.status == "failed"
    # The panel shows why, not just "failed".
    assert candidate.to_dict()["status_reason"] == (
        "UPLOAD_CANCELLED: The upload was cancelled; the candidate is marked failed."
    )
    files = {f["path"]: f["size"] for f in candidate.artifacts()}
    # What was sent before the cancel is whole; the file being sent is not there at all.
    assert files == {"model.pkl": len(b"model bytes")}
    assert not any(e.get("event") == "result" for e in seen)


def test_a_process_exiting_mid_background_upload_ends_its_candidate_failed_not_finished(
    server_env, model, notebook_dir
):
    # A kernel restart is a normal exit: the client's exit hook used to end the candidate "finished"
    # with its large file missing.
    big = notebook_dir / "big.bin"
    with open(big, "wb") as handle:
        handle.write(os.urandom(16))
        handle.truncate(512 * 1024 * 1024)  # sparse: instant to write, seconds to send
    script = textwrap.dedent(
        f"""
        import sys, modelreg.jupyter
        started = modelreg.jupyter.log_notebook(
            model={model!r}, notebook_path="work/train.ipynb", files=["big.bin"],
            attach_environment=False, background=True,
        )
        sys.stderr.write(f"STARTED {{started['iid']}}\\n")  # stdout carries the thread's events
        sys.exit(0)  # while the thread still sends big.bin
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=notebook_dir,
        env={**os.environ, **server_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    started = [line for line in done.stderr.splitlines() if line.startswith("STARTED")]
    assert started, f"the script did not start the upload: {done.stdout}\n{done.stderr}"
    candidate = modelreg.Registry().get_candidate(model, int(started[0].split()[1])).to_dict()
    assert candidate["status"] == "failed", candidate
    assert candidate["status_reason"].startswith("UPLOAD_KERNEL_LOST:")


@pytest.fixture
def own_registry():
    """A registry of this test alone, which it may kill and start again (the session's one serves others)."""
    from support import registry_fixture

    yield from registry_fixture()


def test_a_registry_killed_mid_background_upload_gets_the_candidate_failed_once_it_is_back(
    own_registry, notebook_dir, monkeypatch
):
    # Killed mid-upload, the registry cannot be told the upload died: the kernel keeps telling it
    # (_fail_once_reachable), so the candidate ends failed once it answers again instead of staying
    # "running" with Promote offered until its lease runs out.
    from modelreg.jupyter import _background
    from modelreg.jupyter import _events as events_module

    monkeypatch.setenv("MODELREG_URL", own_registry.url)
    monkeypatch.setenv("MODELREG_TOKEN", own_registry.token)
    monkeypatch.setattr(_background, "FAIL_RETRY_MAX_SECONDS", 2.0)  # retry often, so the test is quick
    own_registry.call("POST", "groups", {"name": "killed", "visibility": "private"})
    model = "killed/churn"
    big = notebook_dir / "big.bin"
    with open(big, "wb") as handle:
        handle.write(os.urandom(16))
        handle.truncate(1024 * 1024 * 1024)  # sparse: instant to write, many seconds to send
    sending = threading.Event()

    def record(event: Dict[str, Any]) -> None:
        if event.get("stage") == "upload" and event.get("message") == "Uploading big.bin" and event.get("done"):
            sending.set()

    monkeypatch.setattr(events_module, "emit", record)
    started = modelreg.jupyter.log_notebook(
        model=model, notebook_path="work/train.ipynb", files=["big.bin"], attach_environment=False, background=True
    )
    running = _background.upload(started["upload_id"])
    assert running is not None
    assert sending.wait(60), "big.bin never started to upload"
    own_registry.pin_port()
    own_registry.kill()

    # The upload gives up while the registry is down and could not mark the candidate failed then.
    deadline = time.monotonic() + 120
    while running.outcome is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running.outcome is not None and running.outcome["event"] == "error", running.outcome
    assert "marked failed as soon as the registry answers again" in running.outcome["message"]

    assert own_registry.start().endswith(f":{own_registry.port}")
    status = own_registry.call("GET", f"models/{model}/candidates/{started['iid']}")
    deadline = time.monotonic() + 60
    while status["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
        status = own_registry.call("GET", f"models/{model}/candidates/{started['iid']}")
    assert status["status"] == "failed", f"still {status['status']} 60 s after the registry came back"
    assert status["status_reason"].startswith(f"{running.outcome['code']}:"), status["status_reason"]
    assert running.join(30), "the retry thread did not end once the candidate was failed"
    files = [
        f["path"] for f in own_registry.call("GET", f"models/{model}/candidates/{started['iid']}/artifacts")["items"]
    ]
    assert "big.bin" not in files
