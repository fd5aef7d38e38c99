"""`modelreg.config.resolve()`: explicit arguments > environment > the `modelreg login` file, and a saved
token only ever goes to the registry it was saved for. The JupyterLab server extension uses the same
function (jupyterlab_modelreg/tests/test_config.py checks that the panel and a kernel agree)."""

import json

import modelreg
import pytest
from modelreg import config

ELSEWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens


def test_config_file_is_private_and_used(server, tmp_path):
    path = config.write_config(server.url, server.token)
    assert path == tmp_path / "config" / "modelreg" / "config.json"
    assert path.stat().st_mode & 0o777 == 0o600
    found = config.resolve()
    assert (found.url, found.token, found.source) == (server.url, server.token, str(path))
    assert modelreg.Registry().whoami()["username"]


def test_saved_token_only_goes_to_its_registry(server):
    config.write_config(server.url, server.token)
    assert config.resolve() == config.ResolvedConfig(server.url, server.token, str(config.config_path()))
    assert config.resolve(ELSEWHERE) == config.ResolvedConfig(ELSEWHERE, None, "argument")


def test_environment_wins_over_the_config_file(server, monkeypatch):
    config.write_config(ELSEWHERE, "saved-token")
    monkeypatch.setenv("MODELREG_URL", server.url + "/")
    monkeypatch.setenv("MODELREG_TOKEN", server.token)
    assert config.resolve() == config.ResolvedConfig(server.url, server.token, "environment")
    assert modelreg.Registry().whoami()["username"] == "admin"


def test_explicit_arguments_win_over_the_environment(server, monkeypatch):
    monkeypatch.setenv("MODELREG_URL", ELSEWHERE)
    monkeypatch.setenv("MODELREG_TOKEN", "env-token")
    found = config.resolve(server.url, server.token)
    assert found == config.ResolvedConfig(server.url, server.token, "argument")


def test_saved_token_is_not_sent_when_MODELREG_URL_names_another_registry(server, monkeypatch):
    # The token was saved for another registry; MODELREG_URL points here and MODELREG_TOKEN is unset.
    config.write_config(ELSEWHERE, server.token)
    monkeypatch.setenv("MODELREG_URL", server.url)
    found = config.resolve()
    assert (found.url, found.token, found.source) == (server.url, None, "environment")
    # The registry really saw no token: it answers as it does to an anonymous caller.
    with pytest.raises(modelreg.Unauthenticated):
        modelreg.Registry().whoami()


def test_saved_token_follows_MODELREG_URL_when_it_names_the_same_registry(server, monkeypatch):
    config.write_config(server.url, server.token)
    monkeypatch.setenv("MODELREG_URL", server.url + "/")
    assert config.resolve().token == server.token
    assert modelreg.Registry().whoami()["username"] == "admin"


def test_nothing_configured_and_an_unreadable_file_resolve_to_no_url():
    assert config.resolve() == config.ResolvedConfig(None, None, "")
    config.config_path().parent.mkdir(parents=True)
    config.config_path().write_text(json.dumps(["not", "an", "object"]))
    assert not config.resolve().configured
