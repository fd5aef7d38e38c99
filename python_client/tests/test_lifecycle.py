"""The notebook API end to end: candidate -> params/metrics/artifacts -> promote -> pull -> compare."""

import time

import modelreg
import pytest


def test_candidate_lifecycle_creates_model_promotes_and_pulls(registry, model, tmp_path):
    (tmp_path / "model.pkl").write_bytes(b"pickled model")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "roc.txt").write_text("roc curve")

    with registry.candidate(model, name="xgb-depth6", experiment="tuning") as c:
        assert modelreg.active_candidate() is c
        c.log_params({"max_depth": 6, "eta": 0.1})
        c.log_metric("auc", 0.91, step=10)
        c.log_metrics({"auc": 0.92, "logloss": 0.31}, step=11)
        c.log_artifact(tmp_path / "model.pkl")
        c.log_artifact(tmp_path / "plots")
    assert modelreg.active_candidate() is None
    assert c.status == "finished"

    card = registry.model(model)  # created by the first candidate
    assert card["full_name"] == model
    c.refresh()
    assert c.params == {"max_depth": "6", "eta": "0.1"}
    assert c.metrics["auc"]["value"] == pytest.approx(0.92)
    assert c.metrics["auc"]["step"] == 11
    assert [p["value"] for p in c.metric_history("auc")] == pytest.approx([0.91, 0.92])
    assert sorted(a["path"] for a in c.artifacts()) == ["model.pkl", "plots/roc.txt"]
    assert c.provenance["environment"]["python"]
    assert "<th>max_depth</th><td>6</td>" in c._repr_html_()

    version = c.promote("1.2.0", notes="first release")
    assert version["version"] == "1.2.0" and version["locked"] is True
    assert c.locked and c.version == "1.2.0"

    path = registry.pull(f"{model}@1.2.0")
    assert (path / "model.pkl").read_bytes() == b"pickled model"
    assert (path / "plots" / "roc.txt").read_text() == "roc curve"
    assert registry.pull(f"{model}@latest") == path
    registry.set_alias(model, "production", "1.2.0")
    assert registry.pull(f"{model}@production") == path

    copied = registry.pull(f"{model}@1.2.0", local_dir=tmp_path / "export")
    assert (copied / "model.pkl").read_bytes() == b"pickled model" and not (copied / "model.pkl").is_symlink()
    assert [v["version"] for v in registry.versions(model)] == ["1.2.0"]
    assert any(m["full_name"] == model for m in registry.models(group=model.split("/")[0]))


def test_exception_in_block_marks_candidate_failed(registry, model):
    with pytest.raises(ZeroDivisionError):
        with registry.candidate(model, name="broken") as c:
            c.log_metric("loss", 1.0, step=0)
            raise ZeroDivisionError("training diverged")
    c.refresh()
    assert c.status == "failed"
    assert c.metrics["loss"]["value"] == 1.0  # buffered points were still sent


def test_promote_with_bump_and_compare(registry, model):
    with registry.candidate(model, name="a") as first:
        first.log_params({"depth": 4, "eta": 0.1})
        first.log_metrics({"auc": 0.80, "logloss": 0.5})
    with pytest.raises(modelreg.ValidationError, match="no version to patch yet"):
        first.promote(bump="patch")  # a first release is 0.1.0 or 1.0.0
    first.promote("1.1.0")
    with registry.candidate(model, name="b") as second:
        second.log_params({"depth": 6, "eta": 0.1})
        second.log_metrics({"auc": 0.90, "logloss": 0.4})
    assert second.promote(bump="minor")["version"] == "1.2.0"
    with registry.candidate(model, name="c") as third:
        third.log_params({"depth": 8, "eta": 0.1})
        third.log_metrics({"auc": 0.85, "logloss": 0.3})

    result = registry.compare([f"{model}@1.1.0", f"{model}@latest", third])
    data = result.to_dict()
    assert [i["kind"] for i in data["items"]] == ["version", "version", "candidate"]
    params = {p["key"]: p for p in data["params"]}
    assert params["depth"]["differs"] and not params["eta"]["differs"]
    metrics = {m["key"]: m for m in data["metrics"]}
    assert metrics["auc"]["best"] == 1 and metrics["logloss"]["best"] == 2

    html = result._repr_html_()
    assert 'class="differs">4<' in html and 'class="best">0.9<' in html
    text = result.to_text()
    assert "1.1.0" in text and "0.9 *" in text


def test_locked_candidate_refuses_changes(registry, model, tmp_path):
    with registry.candidate(model, name="release") as c:
        c.log_params({"depth": 6})
    c.promote("1.0.0")
    (tmp_path / "extra.bin").write_bytes(b"x")
    with pytest.raises(modelreg.VersionLocked) as raised:
        c.log_params({"late": 1})
    assert raised.value.code == "VERSION_LOCKED" and raised.value.status == 409
    with pytest.raises(modelreg.VersionLocked):
        c.log_artifact(tmp_path / "extra.bin")
    with pytest.raises(modelreg.VersionLocked):
        c.log_metric("auc", 0.5)
    with pytest.raises(modelreg.Conflict):  # VersionLocked is a Conflict
        c.set_tag("stage", "late")


def test_errors_are_typed_and_inherit_builtins(registry, model):
    with pytest.raises(LookupError):
        registry.model(f"{model}-missing")
    with pytest.raises(modelreg.NotFound) as raised:
        registry.pull(f"{model}-missing@1.0.0")
    assert raised.value.code == "NOT_FOUND"
    anonymous = modelreg.Registry(registry.url, token="not-a-token")
    with pytest.raises(PermissionError):
        anonymous.whoami()


def test_param_keeps_first_value(registry, model):
    with registry.candidate(model, name="p") as c:
        c.log_param("depth", 6)
        c.log_param("depth", 6)  # same value again: nothing to do
        with pytest.raises(modelreg.ParamAlreadySet):
            c.log_param("depth", 7)


def test_metrics_are_sent_in_batches(registry, model, monkeypatch):
    monkeypatch.setattr(modelreg.constants, "METRIC_FLUSH_SECONDS", 600)  # only size triggers a send here
    with registry.candidate(model, name="batched") as c:
        posts_before = sum(1 for m, p, _ in registry.stats.requests if m == "POST" and p.endswith("/metrics"))
        for step in range(2500):
            c.log_metric("loss", 1.0 / (step + 1), step=step)
    posts = sum(1 for m, p, _ in registry.stats.requests if m == "POST" and p.endswith("/metrics")) - posts_before
    # A second thread sends each 1000 (points logged while it sends join the next batch), and the
    # rest when the block ended: never one request per point.
    assert 1 <= posts <= 3
    assert len(c.metric_history("loss")) == 2500


def test_metrics_logged_while_a_batch_is_sent_keep_their_order(registry, model, monkeypatch):
    monkeypatch.setattr(modelreg.constants, "METRIC_BATCH_SIZE", 50)
    with registry.candidate(model, name="ordered") as c:
        for step in range(3000):
            c.log_metric("loss", float(step), step=step)
    assert [p["step"] for p in c.metric_history("loss")] == list(range(3000))
    c.refresh()
    assert c.metrics["loss"]["value"] == 2999.0


def test_a_failed_background_send_keeps_the_points_for_flush(registry, model, monkeypatch):
    monkeypatch.setattr(modelreg.constants, "METRIC_BATCH_SIZE", 10)
    monkeypatch.setattr(modelreg.constants, "METRIC_FLUSH_SECONDS", 600)
    c = registry.candidate(model, name="offline-for-a-while")
    real_json = registry._client.json
    refused = []

    def refuse_metrics(method, path, **kwargs):
        if path.endswith("/metrics") and method == "POST":
            refused.append(len(kwargs["json_body"]))
            raise modelreg.RegistryUnavailable("registry restarting")
        return real_json(method, path, **kwargs)

    monkeypatch.setattr(registry._client, "json", refuse_metrics)
    with pytest.warns(UserWarning, match="could not send metrics"):
        for step in range(25):
            c.log_metric("loss", float(step), step=step)
        for _ in range(200):  # the second thread's attempt
            if refused and c._sender is None:
                break
            time.sleep(0.05)
    assert refused and c.has_pending_metrics
    monkeypatch.setattr(registry._client, "json", real_json)
    c.end()
    assert [p["step"] for p in c.metric_history("loss")] == list(range(25))


def test_fluent_shortcuts(server_env, model):
    candidate = modelreg.start_candidate(model, name="fluent")
    assert modelreg.active_candidate() is candidate
    modelreg.log_params({"lr": 0.01})
    modelreg.log_metric("acc", 0.7, step=1)
    modelreg.log_metrics({"acc": 0.8}, step=2)
    modelreg.set_tag("team", "growth")
    modelreg.end_candidate()
    assert modelreg.active_candidate() is None
    candidate.refresh()
    assert candidate.status == "finished"
    assert candidate.params == {"lr": "0.01"}
    assert candidate.metrics["acc"]["value"] == pytest.approx(0.8)
    with pytest.raises(RuntimeError, match="start_candidate"):
        modelreg.log_metric("acc", 1.0)


def test_unreachable_registry_names_the_url():
    reg = modelreg.Registry("http://127.0.0.1:9", token="t")
    with pytest.raises(modelreg.RegistryUnavailable) as raised:
        reg.models()
    assert "http://127.0.0.1:9" in str(raised.value)
    assert isinstance(raised.value, ConnectionError)


def test_missing_configuration_says_what_to_do():
    with pytest.raises(modelreg.NotConfigured, match="MODELREG_URL"):
        modelreg.Registry()


def test_candidates_filter_and_order(registry, model):
    for depth, auc in ((4, 0.80), (6, 0.90), (8, 0.85)):
        with registry.candidate(model, name=f"d{depth}", experiment="sweep") as c:
            c.log_params({"depth": depth})
            c.log_metric("auc", auc)
    best_first = registry.candidates(model, filter="metrics.auc > 0.82", order_by="metrics.auc DESC")
    assert [c.name for c in best_first] == ["d6", "d8"]
    assert len(registry.candidates(model, experiment="sweep", limit=2)) == 2


def test_pulling_a_yanked_version_warns(registry, model):
    with registry.candidate(model, name="bad") as c:
        c.log_metric("auc", 0.1)
    c.promote("1.0.0")
    assert registry.yank(f"{model}@1.0.0", "leaks labels")["yanked"] is True
    with pytest.warns(UserWarning, match="leaks labels"):
        registry.pull(f"{model}@1.0.0")
    with pytest.raises(ValueError, match="promote"):
        registry.pull(f"{model}#1")


def test_buffered_metrics_reach_the_registry_without_a_flush(registry, model, monkeypatch):
    monkeypatch.setattr(modelreg.constants, "METRIC_FLUSH_SECONDS", 0.2)
    with registry.candidate(model, name="live") as c:
        c.log_metric("loss", 0.4, step=1)
        seen = {}
        for _ in range(100):  # the background flush sends it while the run goes on
            seen = registry.get_candidate(model, c.iid).metrics
            if seen:
                break
            time.sleep(0.05)
        assert seen["loss"]["value"] == 0.4
