"""The one progress wrapper: tqdm when installed, a plain line otherwise, silenced by an env var."""

import sys

import pytest
from modelreg import _progress


def test_plain_lines_without_tqdm(monkeypatch, capsys):
    monkeypatch.delenv("MODELREG_DISABLE_PROGRESS")
    monkeypatch.setitem(sys.modules, "tqdm", None)  # importing it now raises ImportError
    monkeypatch.setattr(_progress, "_LOG_INTERVAL_SECONDS", 0.0)
    with _progress.Progress(4 * 2**20, "Downloading model.bin") as bar:
        bar.update(2**20)
        bar.update(3 * 2**20)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Downloading model.bin: 1.0/4.0 MiB (25%)"
    assert lines[-1] == "Downloading model.bin: 4.0/4.0 MiB (100%)"


def test_tqdm_when_installed_and_silence_on_request(monkeypatch, capsys):
    monkeypatch.delenv("MODELREG_DISABLE_PROGRESS")
    with _progress.Progress(100, "Uploading x") as bar:
        assert bar._bar is not None  # tqdm is installed in the test environment
        bar.update(100)
    monkeypatch.setenv("MODELREG_DISABLE_PROGRESS", "1")
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(_progress, "_LOG_INTERVAL_SECONDS", 0.0)
    capsys.readouterr()
    with _progress.Progress(100, "Uploading y") as bar:
        bar.update(100)
    assert capsys.readouterr().err == ""


# What a notebook cell shows: `import modelreg`, then an upload-sized bar. Run in a real kernel.
_CELLS = [
    "import modelreg",
    "from modelreg._progress import Progress\nwith Progress(3 * 2**20, 'Uploading model.pkl') as bar:\n    bar.update(3 * 2**20)",
]


def test_notebook_output_has_no_warning_and_no_empty_strip(monkeypatch):
    jupyter_client = pytest.importorskip("jupyter_client")
    monkeypatch.delenv("MODELREG_DISABLE_PROGRESS", raising=False)
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3", startup_timeout=180)
    try:
        outputs = []
        for code in _CELLS:
            msg_id = client.execute(code)
            while True:
                msg = client.get_iopub_msg(timeout=180)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    outputs.append((code, msg["content"]["text"]))
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
    finally:
        manager.shutdown_kernel(now=True)
    assert not [text for code, text in outputs if code == _CELLS[0]], outputs
    shown = "".join(text for _, text in outputs)
    assert "Warning" not in shown, shown
    # JupyterLab keeps what follows the last carriage return: that must be the finished bar, not blanks.
    last_line = shown.rstrip("\n").split("\r")[-1]
    assert "Uploading model.pkl" in last_line and "100%" in last_line, repr(shown)
