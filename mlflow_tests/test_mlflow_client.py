"""The unmodified ``mlflow`` client against modelreg: a notebook's flow, then both protocols on the same data.

The module runs in file order: the first tests log runs and a model the later ones read. Each test still
asserts one thing a user would notice.
"""

import hashlib
import json
import os
import uuid
from pathlib import Path

import mlflow
import numpy as np
import pytest
import requests
from mlflow.exceptions import MlflowException

EXPERIMENT = "churn"
MODEL = "churn"
LOCKED_MODEL = "churn-runs"  # a run registered itself, without a logged model
RUNS_MODEL = "mlflow-runs"  # where a group's MLflow runs are filed until they are registered

X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.1, 0.7], [0.8, 0.3]])
Y = np.array([0, 1, 0, 1, 0, 1])


@pytest.fixture(scope="module")
def experiment_id(tracking_uri: str) -> str:
    return mlflow.set_experiment(EXPERIMENT).experiment_id


@pytest.fixture(scope="module")
def trained(experiment_id: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The typical notebook cell: params, metrics per step, a file, a folder, a scikit-learn model."""
    from sklearn.linear_model import LogisticRegression

    work = tmp_path_factory.mktemp("notebook")
    (work / "report.txt").write_text("accuracy report\n")
    plots = work / "plots"
    (plots / "sub").mkdir(parents=True)
    (plots / "roc.csv").write_text("fpr,tpr\n0,0\n1,1\n")
    (plots / "sub" / "pr.csv").write_text("p,r\n1,0\n")

    with mlflow.start_run(run_name="logreg-c1") as run:
        mlflow.log_params({"C": "1.0", "solver": "lbfgs"})
        for step in range(5):
            mlflow.log_metrics({"loss": 1.0 / (step + 1), "acc": 0.5 + step / 10}, step=step)
        mlflow.set_tag("team", "churn-squad")
        mlflow.log_artifact(str(work / "report.txt"))
        mlflow.log_artifacts(str(plots), artifact_path="plots")
        model = LogisticRegression(C=1.0).fit(X, Y)
        info = mlflow.sklearn.log_model(model, name="model")
    return {"run_id": run.info.run_id, "model": model, "info": info, "work": work}


def _candidates(registry, group: str, model: str) -> list:
    return registry.get(f"/models/{group}/{model}/candidates?limit=500")["items"]


def _find_candidate(registry, group: str, run_name: str) -> dict:
    """The run's candidate: in the runs model until it is registered, then in the registered model."""
    found = []
    for model in (RUNS_MODEL, MODEL, LOCKED_MODEL):
        if registry.request("GET", f"/models/{group}/{model}", expect=None).status_code == 200:
            found += [c for c in _candidates(registry, group, model) if c["name"] == run_name]
    assert len(found) == 1, f"expected one candidate named {run_name!r}, got {found}"
    return found[0]


def _candidate_path(group: str, candidate: dict) -> str:
    return f"/models/{group}/{candidate['model'].split('/', 1)[1]}/candidates/{candidate['iid']}"


def _member_token(registry, group: str, role: str) -> str:
    """A token of a new user with ``role`` in the group."""
    username = f"{role[:3]}{uuid.uuid4().hex[:6]}"
    registry.post("/users", {"username": username})
    token = registry.post(f"/users/{username}/tokens", {"name": "mlflow"})["token"]
    registry.request("PUT", f"/groups/{group}/members/{username}", json={"role": role})
    return token


def _error_code(excinfo) -> str:
    return excinfo.value.error_code


# --- experiments ---------------------------------------------------------------------------------


def test_set_experiment_creates_an_experiment_that_is_not_a_model(experiment_id, client, registry, group):
    experiment = client.get_experiment_by_name(EXPERIMENT)
    assert experiment.experiment_id == experiment_id
    assert experiment.lifecycle_stage == "active"
    assert experiment.artifact_location.startswith("mlflow-artifacts:/")
    # Experiments are the group's own: no model of that name appears, runs are filed in the runs model.
    registry.request("GET", f"/models/{group}/{MODEL}", expect=404)
    assert registry.get(f"/models/{group}/{RUNS_MODEL}")["name"] == RUNS_MODEL
    assert RUNS_MODEL not in [m.name for m in client.search_registered_models()]


def test_experiment_update_tags_search_delete_restore(client, tracking_uri):
    exp_id = client.create_experiment("Scratch experiment (v1)", tags={"owner": "ana"})
    with pytest.raises(MlflowException) as exc:
        client.create_experiment("Scratch experiment (v1)")
    assert _error_code(exc) == "RESOURCE_ALREADY_EXISTS"
    client.set_experiment_tag(exp_id, "stage", "draft")
    client.rename_experiment(exp_id, "scratch: renamed / moved")
    experiment = client.get_experiment(exp_id)
    assert experiment.name == "scratch: renamed / moved"
    assert experiment.tags["owner"] == "ana" and experiment.tags["stage"] == "draft"
    names = [e.name for e in client.search_experiments(filter_string="name LIKE 'scratch%'")]
    assert names == ["scratch: renamed / moved"]
    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    assert "scratch: renamed / moved" not in [e.name for e in client.search_experiments()]
    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"


# --- runs ------------------------------------------------------------------------------------------


def test_run_keeps_params_last_metrics_and_tags(trained, client):
    run = client.get_run(trained["run_id"])
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "logreg-c1"
    assert run.data.params == {"C": "1.0", "solver": "lbfgs"}
    assert run.data.metrics["loss"] == pytest.approx(0.2)
    assert run.data.metrics["acc"] == pytest.approx(0.9)
    assert run.data.tags["team"] == "churn-squad"
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")


def test_metric_history_has_every_step(trained, client):
    history = client.get_metric_history(trained["run_id"], "loss")
    assert [m.step for m in sorted(history, key=lambda m: m.step)] == [0, 1, 2, 3, 4]
    assert sorted(m.value for m in history) == pytest.approx(sorted(1.0 / (s + 1) for s in range(5)))


def test_run_appears_as_a_candidate_in_modelreg(trained, registry, group):
    candidate = _find_candidate(registry, group, "logreg-c1")
    assert candidate["params"] == {"C": "1.0", "solver": "lbfgs"}
    assert candidate["metrics"]["acc"]["value"] == pytest.approx(0.9)
    assert candidate["metrics"]["acc"]["step"] == 4
    assert candidate["status"] == "finished"
    assert candidate["tags"]["team"] == "churn-squad"
    assert candidate["experiment"] == EXPERIMENT
    history = registry.get(f"{_candidate_path(group, candidate)}/metrics/loss")["history"]
    assert len(history) == 5


def test_artifacts_are_listed_downloaded_and_stored_content_addressed(trained, client, registry, group, tmp_path):
    run_id = trained["run_id"]
    top = {f.path: f.is_dir for f in client.list_artifacts(run_id)}
    # As in MLflow 3, a logged model's files are not the run's: they sit at the model's own location.
    assert top["report.txt"] is False and top["plots"] is True and "model" not in top
    assert sorted(f.path for f in client.list_artifacts(run_id, "plots")) == ["plots/roc.csv", "plots/sub"]
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="plots", dst_path=str(tmp_path))
    assert (Path(local) / "sub" / "pr.csv").read_text() == "p,r\n1,0\n"

    candidate = _find_candidate(registry, group, "logreg-c1")
    manifest = {f["path"]: f for f in registry.get(f"{_candidate_path(group, candidate)}/artifacts")["items"]}
    report = (trained["work"] / "report.txt").read_bytes()
    assert manifest["report.txt"]["sha256"] == hashlib.sha256(report).hexdigest()
    assert "plots/sub/pr.csv" in manifest
    assert "model/MLmodel" not in manifest
    model_files = mlflow.artifacts.list_artifacts(artifact_uri=f"models:/{trained['info'].model_id}")
    assert "MLmodel" in {f.path for f in model_files}


def test_run_lifecycle_tags_rename_delete_restore(experiment_id, client):
    run = client.create_run(experiment_id, run_name="throwaway")
    run_id = run.info.run_id
    client.set_tag(run_id, "tmp", "1")
    client.delete_tag(run_id, "tmp")
    client.update_run(run_id, name="throwaway-2")
    client.log_param(run_id, "p", "1")
    with pytest.raises(MlflowException) as exc:
        client.log_param(run_id, "p", "2")  # params are write-once, as in mlflow
    assert _error_code(exc) == "INVALID_PARAMETER_VALUE"
    client.set_terminated(run_id, "FAILED")
    fetched = client.get_run(run_id)
    assert "tmp" not in fetched.data.tags and fetched.info.run_name == "throwaway-2"
    assert fetched.info.status == "FAILED"
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    ids = [r.info.run_id for r in client.search_runs([experiment_id])]
    assert run_id not in ids
    client.restore_run(run_id)
    assert run_id in [r.info.run_id for r in client.search_runs([experiment_id])]


def test_search_runs_filters_orders_by_metric_and_pages(experiment_id, trained, client):
    for i, acc in enumerate([0.61, 0.93, 0.77]):
        with mlflow.start_run(run_name=f"sweep-{i}"):
            mlflow.log_param("depth", str(i + 3))
            mlflow.log_metric("val_acc", acc)
    runs = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string="metrics.val_acc > 0.5",
        order_by=["metrics.val_acc DESC"],
        output_format="list",
    )
    assert [r.data.metrics["val_acc"] for r in runs] == [0.93, 0.77, 0.61]
    by_param = client.search_runs([experiment_id], filter_string="params.depth = '4'")
    assert [r.info.run_name for r in by_param] == ["sweep-1"]
    by_name = client.search_runs([experiment_id], filter_string="attributes.run_name = 'logreg-c1'")
    assert [r.info.run_id for r in by_name] == [trained["run_id"]]
    first = client.search_runs(
        [experiment_id], filter_string="metrics.val_acc > 0", order_by=["metrics.val_acc ASC"], max_results=2
    )
    assert [r.data.metrics["val_acc"] for r in first] == [0.61, 0.77] and first.token
    rest = client.search_runs(
        [experiment_id],
        filter_string="metrics.val_acc > 0",
        order_by=["metrics.val_acc ASC"],
        max_results=2,
        page_token=first.token,
    )
    assert [r.data.metrics["val_acc"] for r in rest] == [0.93] and not rest.token
    # LIKE and start_time filters take the in-memory path; both paths must agree.
    liked = client.search_runs(
        [experiment_id],
        filter_string="attributes.run_name LIKE 'sweep-%' and attributes.start_time > 0",
        order_by=["metrics.val_acc DESC"],
    )
    assert [r.data.metrics["val_acc"] for r in liked] == [0.93, 0.77, 0.61]
    tagged = client.search_runs(
        [experiment_id],
        filter_string="tags.team != 'churn-squad' and params.depth IN ('3', '5')",
        order_by=["params.depth DESC"],
    )
    assert [r.info.run_name for r in tagged] == ["sweep-2", "sweep-0"]


def test_logged_model_api(trained, experiment_id, client):
    model_id = trained["info"].model_id
    logged = client.get_logged_model(model_id)
    assert logged.source_run_id == trained["run_id"] and logged.status == "READY" and logged.name == "model"
    assert logged.artifact_location == f"mlflow-artifacts:/{experiment_id}/models/{model_id}/artifacts"
    found = client.search_logged_models(experiment_ids=[experiment_id], filter_string="name = 'model'")
    assert model_id in [m.model_id for m in found]
    client.set_logged_model_tags(model_id, {"quality": "gold"})
    assert client.get_logged_model(model_id).tags["quality"] == "gold"
    client.delete_logged_model_tag(model_id, "quality")
    assert "quality" not in client.get_logged_model(model_id).tags
    with pytest.raises(MlflowException) as exc:
        client.get_logged_model("m-0000000000000000000000000000dead")
    assert _error_code(exc) == "RESOURCE_DOES_NOT_EXIST"


# --- models, versions, aliases ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered(trained) -> "mlflow.entities.model_registry.ModelVersion":
    return mlflow.register_model(trained["info"].model_uri, MODEL)


def test_register_model_creates_version_1_with_the_next_semver(registered, trained, registry, group):
    assert registered.version == "1"
    assert registered.run_id == trained["run_id"]
    version = registry.get(f"/models/{group}/{MODEL}/versions/0.1.0")
    assert version["mlflow_version"] == 1
    assert version["locked"] is True
    assert "model/MLmodel" in {f["path"] for f in version["files"]}
    # The version freezes what the model was trained with: the training run's params and metric history.
    assert version["params"] == {"C": "1.0", "solver": "lbfgs"}
    assert version["metrics"]["acc"]["value"] == pytest.approx(0.9)
    history = registry.get(f"/models/{group}/{MODEL}/candidates/{version['candidate']}/metrics/loss")
    assert [p["step"] for p in history["history"]] == [0, 1, 2, 3, 4]
    # The logged model is registered, not its run: the run stays in the runs model, open to more logging.
    candidate = _find_candidate(registry, group, "logreg-c1")
    assert candidate["model"] == f"{group}/{RUNS_MODEL}" and candidate["run_id"] == trained["run_id"]
    assert candidate["experiment"] == EXPERIMENT and not candidate["locked"]


def test_alias_then_load_model_by_alias_and_predict(registered, trained, client, registry, group):
    client.set_registered_model_alias(MODEL, "champion", registered.version)
    assert client.get_model_version_by_alias(MODEL, "champion").version == "1"
    assert registry.get(f"/models/{group}/{MODEL}")["aliases"]["champion"] == "0.1.0"
    loaded = mlflow.pyfunc.load_model(f"models:/{MODEL}@champion")
    assert list(loaded.predict(X)) == list(trained["model"].predict(X))
    sk = mlflow.sklearn.load_model(f"models:/{MODEL}/1")
    assert list(sk.predict(X)) == list(Y)
    client.delete_registered_model_alias(MODEL, "champion")
    with pytest.raises(MlflowException) as exc:
        client.get_model_version_by_alias(MODEL, "champion")
    assert _error_code(exc) == "RESOURCE_DOES_NOT_EXIST"


def test_search_model_versions_and_registered_models(registered, client):
    versions = client.search_model_versions(f"name='{MODEL}'")
    assert [(v.name, v.version, v.run_id) for v in versions] == [(MODEL, "1", registered.run_id)]
    assert client.get_model_version(MODEL, "1").tags["modelreg.version"] == "0.1.0"
    models = {m.name for m in client.search_registered_models(filter_string=f"name = '{MODEL}'")}
    assert models == {MODEL}


@pytest.fixture(scope="module")
def locked_run(experiment_id: str) -> str:
    """A run registered itself (`runs:/<id>`, no logged model): promoting locks the run."""
    with mlflow.start_run(experiment_id=experiment_id, run_name="locked-c1") as run:
        mlflow.log_param("C", "1.0")
        mlflow.log_metric("acc", 0.9)
    client = mlflow.MlflowClient()
    client.create_registered_model(LOCKED_MODEL)
    client.create_model_version(LOCKED_MODEL, run.info.artifact_uri, run_id=run.info.run_id)
    return run.info.run_id


def test_locked_run_refuses_changes_with_an_mlflow_error(locked_run, client, registry, group, tmp_path):
    run_id = locked_run
    for change in (
        lambda: client.log_param(run_id, "late", "1"),
        lambda: client.log_metric(run_id, "acc", 0.1, step=9),
        lambda: client.log_batch(run_id, params=[mlflow.entities.Param("x", "1")]),
        lambda: client.delete_run(run_id),
    ):
        with pytest.raises(MlflowException) as exc:
            change()
        assert _error_code(exc) == "INVALID_STATE", exc.value
        assert "locked" in str(exc.value).lower()
    late = tmp_path / "late.txt"
    late.write_text("after promotion")
    with pytest.raises(Exception):
        client.log_artifact(run_id, str(late))
    candidate = _find_candidate(registry, group, "locked-c1")
    assert "late" not in candidate["params"] and candidate["metrics"]["acc"]["value"] == pytest.approx(0.9)
    manifest = registry.get(f"{_candidate_path(group, candidate)}/artifacts")["items"]
    assert "late.txt" not in {f["path"] for f in manifest}


def test_locks_hold_for_run_status_logged_model_and_experiment_name(
    registered, locked_run, trained, experiment_id, client
):
    run_id, model_id = locked_run, trained["info"].model_id
    client.set_terminated(run_id, "FINISHED")  # ending it again is fine: a promoted run is finished
    for change in (
        lambda: client.set_terminated(run_id, "FAILED"),
        lambda: client.set_logged_model_tags(model_id, {"k": "v"}),
        lambda: client.log_model_params(model_id, {"p": "1"}),
        lambda: client.delete_logged_model(model_id),
        lambda: client.rename_experiment(experiment_id, "churn renamed"),
    ):
        with pytest.raises(MlflowException) as exc:
            change()
        assert _error_code(exc) == "INVALID_STATE", exc.value
    assert client.get_run(run_id).info.status == "FINISHED"
    assert client.get_experiment(experiment_id).name == EXPERIMENT


def test_a_maintainer_cannot_rename_a_registered_model_with_versions(registered, server, registry, group, tracking_uri):
    from mlflow import MlflowClient

    token = _member_token(registry, group, "maintainer")
    saved = os.environ["MLFLOW_TRACKING_TOKEN"]
    os.environ["MLFLOW_TRACKING_TOKEN"] = token
    try:
        maintainer = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        with pytest.raises(MlflowException) as exc:
            maintainer.rename_registered_model(MODEL, "churn-2")
        assert _error_code(exc) == "PERMISSION_DENIED" and "owner" in str(exc.value)
    finally:
        os.environ["MLFLOW_TRACKING_TOKEN"] = saved
    assert registry.get(f"/models/{group}/{MODEL}")["name"] == MODEL


def test_modelreg_version_tag_sets_the_semver_and_a_second_registration_copies_no_bytes(
    registered, trained, client, registry, group
):
    # The same run again: its candidate is already promoted, so a linked candidate carries version 2.
    second = client.create_model_version(
        MODEL, f"runs:/{trained['run_id']}/model", trained["run_id"], tags={"modelreg.version": "2.0.0"}
    )
    assert second.version == "2" and second.run_id == trained["run_id"]
    assert [v.version for v in client.search_model_versions(f"run_id = '{trained['run_id']}'")] == ["2", "1"]
    version = registry.get(f"/models/{group}/{MODEL}/versions/2.0.0")
    assert version["mlflow_version"] == 2
    first = registry.get(f"/models/{group}/{MODEL}/versions/0.1.0")
    assert {f["path"]: f["sha256"] for f in version["files"]} == {f["path"]: f["sha256"] for f in first["files"]}
    with pytest.raises(MlflowException) as exc:
        client.create_model_version(
            MODEL, f"runs:/{trained['run_id']}/model", trained["run_id"], tags={"modelreg.version": "2.0.0"}
        )
    assert _error_code(exc) == "RESOURCE_ALREADY_EXISTS"


def test_registered_model_and_version_metadata(registered, client, registry, group):
    client.update_registered_model(MODEL, description="Predicts churn")
    client.set_registered_model_tag(MODEL, "domain", "retention")
    client.update_model_version(MODEL, "1", description="first cut")
    client.set_model_version_tag(MODEL, "1", "validated", "yes")
    client.delete_model_version_tag(MODEL, "1", "validated")
    model = client.get_registered_model(MODEL)
    assert model.description == "Predicts churn" and model.tags["domain"] == "retention"
    assert registry.get(f"/models/{group}/{MODEL}")["description"] == "Predicts churn"
    version = client.get_model_version(MODEL, "1")
    assert version.description == "first cut" and "validated" not in version.tags
    assert registry.get(f"/models/{group}/{MODEL}/versions/0.1.0")["notes"] == "first cut"
    client.delete_registered_model_tag(MODEL, "domain")
    assert "domain" not in client.get_registered_model(MODEL).tags


def test_stage_transitions_move_the_matching_alias(registered, client, registry, group):
    moved = client.transition_model_version_stage(MODEL, "1", "Staging")
    assert moved.current_stage == "Staging"
    assert registry.get(f"/models/{group}/{MODEL}")["aliases"]["staging"] == "0.1.0"
    latest = client.get_latest_versions(MODEL, stages=["Staging"])
    assert [v.version for v in latest] == ["1"]
    client.transition_model_version_stage(MODEL, "2", "Staging", archive_existing_versions=True)
    assert client.get_model_version(MODEL, "1").current_stage == "Archived"
    assert client.get_model_version(MODEL, "2").current_stage == "Staging"


def test_version_promoted_in_modelreg_appears_as_a_model_version(registry, group, client):
    registry.post(f"/models/{group}", {"name": "fraud"})
    candidate = registry.post(f"/models/{group}/fraud/candidates", {"name": "gbm", "params": {"depth": "6"}})
    registry.request(
        "PUT",
        f"/models/{group}/fraud/candidates/{candidate['iid']}/artifacts/weights.bin",
        expect=201,
        data=b"\x00\x01weights",
    )
    registry.post(f"/models/{group}/fraud/versions", {"version": "1.4.0", "candidate": candidate["iid"]})
    versions = client.search_model_versions("name='fraud'")
    assert [v.version for v in versions] == ["1"]
    version = versions[0]
    assert version.tags["modelreg.version"] == "1.4.0"
    assert client.get_run(version.run_id).data.params == {"depth": "6"}
    # A candidate logged without an experiment is a run of the group's Default experiment.
    assert client.get_run(version.run_id).info.experiment_id == "0"
    uri = client.get_model_version_download_uri("fraud", "1")
    local = mlflow.artifacts.download_artifacts(artifact_uri=f"{uri}/weights.bin")
    assert Path(local).read_bytes() == b"\x00\x01weights"


def test_rename_and_delete_registered_model(client, registry, group):
    client.create_registered_model("scratch-model")
    client.rename_registered_model("scratch-model", "scratch-model-2")
    assert client.get_registered_model("scratch-model-2").name == "scratch-model-2"
    with pytest.raises(MlflowException) as exc:
        client.get_registered_model("scratch-model")
    assert _error_code(exc) == "RESOURCE_DOES_NOT_EXIST"
    client.delete_registered_model("scratch-model-2")
    registry.request("GET", f"/models/{group}/scratch-model-2", expect=404)


# --- the protocol itself --------------------------------------------------------------------------


def test_errors_follow_mlflow_codes_and_statuses(server, group, client):
    with pytest.raises(MlflowException) as exc:
        client.get_run("0123456789abcdef0123456789abcdef")
    assert _error_code(exc) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as exc:
        client.get_registered_model("no-such-model")
    assert _error_code(exc) == "RESOURCE_DOES_NOT_EXIST"
    headers = {"Authorization": f"Bearer {server.token}"}
    base = f"{server.url}/mlflow/{group}/api/2.0/mlflow"
    response = requests.get(f"{base}/experiments/get", params={"experiment_id": "987654"}, headers=headers)
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST" and response.json()["message"]
    response = requests.post(f"{base}/runs/log-metric", json={"run_id": "x"}, headers=headers)
    assert response.status_code in (400, 404) and "error_code" in response.json()
    response = requests.get(f"{base}/no-such-endpoint", headers=headers)
    assert response.status_code == 404 and response.json()["error_code"] == "ENDPOINT_NOT_FOUND"


def test_token_is_required_and_other_groups_do_not_leak(server, group):
    base = f"{server.url}/mlflow/{group}/api/2.0/mlflow"
    response = requests.get(f"{base}/experiments/get-by-name", params={"experiment_name": EXPERIMENT})
    assert response.status_code == 401 and response.json()["error_code"] == "UNAUTHENTICATED"
    headers = {"Authorization": f"Bearer {server.token}"}
    response = requests.get(
        f"{server.url}/mlflow/no-such-group/api/2.0/mlflow/experiments/get-by-name",
        params={"experiment_name": EXPERIMENT},
        headers=headers,
    )
    assert response.status_code == 404 and response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_artifact_proxy_put_get_list_delete(server, group, trained, experiment_id, client):
    run = client.create_run(experiment_id, run_name="proxy")
    headers = {"Authorization": f"Bearer {server.token}"}
    root = run.info.artifact_uri.replace(
        "mlflow-artifacts:", f"{server.url}/mlflow/{group}/api/2.0/mlflow-artifacts/artifacts"
    )
    assert requests.put(f"{root}/a/b.txt", data=b"hello", headers=headers).status_code == 200
    got = requests.get(f"{root}/a/b.txt", headers=headers)
    assert got.status_code == 200 and got.content == b"hello"
    listed = requests.get(
        f"{server.url}/mlflow/{group}/api/2.0/mlflow-artifacts/artifacts",
        params={"path": root.split("/artifacts/", 1)[1] + "/a"},
        headers=headers,
    ).json()
    assert listed["files"] == [{"path": "b.txt", "is_dir": False, "file_size": 5}]
    assert requests.delete(f"{root}/a/b.txt", headers=headers).status_code == 200
    assert requests.get(f"{root}/a/b.txt", headers=headers).status_code == 404
    assert client.list_artifacts(run.info.run_id) == []


def test_roles_of_the_group_apply_to_mlflow_calls(server, registry, group, experiment_id, tracking_uri):
    from mlflow import MlflowClient

    token = _member_token(registry, group, "reporter")
    saved = os.environ["MLFLOW_TRACKING_TOKEN"]
    os.environ["MLFLOW_TRACKING_TOKEN"] = token
    try:
        reporter = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        assert reporter.get_experiment(experiment_id).name == EXPERIMENT  # reading is fine
        with pytest.raises(MlflowException) as exc:
            reporter.create_run(experiment_id)
        assert _error_code(exc) == "PERMISSION_DENIED"
        assert "developer" in str(exc.value)
    finally:
        os.environ["MLFLOW_TRACKING_TOKEN"] = saved


def test_a_modelreg_experiment_is_the_mlflow_experiment_of_that_name(registry, group, client):
    created = registry.post(
        f"/models/{group}/{MODEL}/candidates", {"name": "from-panel", "experiment": "tuning", "params": {"lr": "0.1"}}
    )
    experiment = client.get_experiment_by_name("tuning")
    runs = client.search_runs([experiment.experiment_id])
    assert [(r.info.run_id, r.data.params) for r in runs] == [(created["run_id"], {"lr": "0.1"})]
    # And the other way round: runs of that MLflow experiment are filed in the model that made it.
    mlflow.set_experiment("tuning")
    with mlflow.start_run(run_name="from-mlflow"):
        mlflow.log_metric("auc", 0.8)
    panel = registry.get(f"/models/{group}/{MODEL}/candidates?experiment=tuning&limit=500")["items"]
    assert sorted(c["name"] for c in panel) == ["from-mlflow", "from-panel"]
    mlflow.set_experiment(EXPERIMENT)


def test_runs_without_an_experiment_go_to_the_default_experiment(client, registry, group):
    run = client.create_run("0", run_name="no-experiment")
    assert client.get_experiment(run.info.experiment_id).name == "Default"
    assert run.info.experiment_id == "0"
    assert "no-experiment" in [c["name"] for c in _candidates(registry, group, RUNS_MODEL)]


def test_logged_dataset_is_the_candidates_lineage(experiment_id, client, registry, group):
    import pandas as pd

    frame = pd.DataFrame({"x1": [0.0, 1.0], "x2": [1.0, 0.0], "y": [0, 1]})
    dataset = mlflow.data.from_pandas(frame, source="s3://bucket/churn.csv", name="churn-train", targets="y")
    with mlflow.start_run(experiment_id=experiment_id, run_name="lineage-c1") as run:
        mlflow.log_input(dataset, context="training")
    logged = client.get_run(run.info.run_id).inputs.dataset_inputs
    assert [(d.dataset.name, d.dataset.digest) for d in logged] == [("churn-train", dataset.digest)]
    candidate = _find_candidate(registry, group, "lineage-c1")
    [lineage] = registry.get(_candidate_path(group, candidate))["datasets"]
    assert (lineage["name"], lineage["digest"], lineage["context"]) == ("churn-train", dataset.digest, "training")
    assert json.loads(lineage["source"]) == {"uri": "s3://bucket/churn.csv"}
    assert json.loads(lineage["schema"])["mlflow_colspec"] == json.loads(dataset.schema.to_json())


def test_a_model_logged_before_models_had_own_candidates_registers_without_locking_its_run(
    experiment_id, client, registry, group, server
):
    """Data written by earlier releases: the logged model's files in its run's candidate, under its folder."""
    import sqlite3

    from sklearn.linear_model import LogisticRegression

    with mlflow.start_run(run_name="legacy-layout") as run:
        mlflow.log_param("C", "0.5")
        info = mlflow.sklearn.log_model(LogisticRegression(C=0.5).fit(X, Y), name="model")
    # Rewrite the rows into the earlier layout, as a database upgraded from an earlier release holds them.
    db = sqlite3.connect(server.data_dir / "registry.sqlite", timeout=30)
    with db:
        own, run_candidate = db.execute(
            "select lm.candidate_id, c.id from mlflow_logged_models lm, candidates c"
            " where lm.model_id = ? and c.run_id = ?",
            (info.model_id, run.info.run_id),
        ).fetchone()
        db.execute("update artifacts set candidate_id = ? where candidate_id = ?", (run_candidate, own))
        db.execute(
            "update mlflow_logged_models set candidate_id = ? where model_id = ?", (run_candidate, info.model_id)
        )
    db.close()

    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "legacy")
    assert version.run_id == run.info.run_id
    # The run is still open to changes, and the version holds the model's files and the run's params.
    client.set_tag(run.info.run_id, "after", "registration")
    assert client.get_run(run.info.run_id).data.tags["after"] == "registration"
    frozen = registry.get(f"/models/{group}/legacy/versions/0.1.0")
    assert "model/MLmodel" in {f["path"] for f in frozen["files"]}
    assert frozen["params"] == {"C": "0.5"}
    assert mlflow.sklearn.load_model("models:/legacy/1").predict(X).shape == (len(X),)
