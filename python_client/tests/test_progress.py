"""The one progress wrapper: tqdm when installed, a plain line otherwise, silenced by an env var."""

import sys

from modelreg import _progress


def test_plain_lines_without_tqdm(monkeypatch, capsys):
    monkeypatch.delenv("MODELREG_DISABLE_PROGRESS")
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # importing it now raises ImportError
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
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(_progress, "_LOG_INTERVAL_SECONDS", 0.0)
    capsys.readouterr()
    with _progress.Progress(100, "Uploading y") as bar:
        bar.update(100)
    assert capsys.readouterr().err == ""
