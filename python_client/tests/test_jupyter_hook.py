"""The kernel hook ``modelreg.jupyter.log_notebook`` (docs/jupyter-hook.md), called in-process."""

import json
import os
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
    assert uploads[-1]["done"] == uploads[-1]["total"] == 4  # 2 files, the notebook, requirements.txt

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
