"""The differential suite: MLflow's documented flows, run by the same unmodified ``mlflow`` client against a
real ``mlflow server`` (SQLite backend, ``--serve-artifacts``, started here on a free port) and against
modelreg. Every check is parametrized over both targets and asserts what a user observes, so a check that
passes on ``mlflow server`` and fails on modelreg is a parity gap.

    .venv/bin/python -m pytest -q -p no:cacheprovider mlflow_tests/test_differential.py

Each target is started once per module (MLFLOW_TEST_URL, and MODELREG_TEST_URL with MODELREG_TEST_DATA_DIR,
point it at servers that are already running instead) (pytest runs all checks of one target, then the other); each check
uses its own experiment and model names, so checks do not see each other's data.
"""

import json
import os
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import mlflow
import numpy as np
import pandas as pd
import pytest
import requests
from _processes import free_port, mlflow_server_command, start, stop, wait_for
from _tracking import client_settings, pointed_at
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.1, 0.7], [0.8, 0.3]])
Y = np.array([0, 1, 0, 1, 0, 1])

# The logged-model work (issue 15, items 9 and 10): checks that mlflow server passes and modelreg did not
# before that work landed. Not strict until a run of the suite on a main that has it confirms the outcome;
# then each becomes strict (still failing) or a plain check (fixed).


@dataclass
class Target:
    name: str
    uri: str
    token: Optional[str]

    def rest(self, route: str, body: dict) -> dict:
        """One call of the MLflow UI's REST API (`/ajax-api`), which the client has no method for."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = requests.post(f"{self.uri}/ajax-api/2.0/mlflow/{route}", json=body, headers=headers, timeout=120)
        assert response.ok, response.text
        return response.json()


def _mlflow_server(tmp: Path) -> Iterator[str]:
    port = free_port()
    log = tmp / "mlflow-server.log"
    proc = start(mlflow_server_command(sys.executable, tmp, port, workers=1), cwd=tmp, log=log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/health", proc, log, 600)
        yield url
    finally:
        stop(proc)


def _pointed_at_mlflow(url: str) -> Iterator[Target]:
    settings = client_settings(url, "")
    del settings["MLFLOW_TRACKING_TOKEN"]  # mlflow server takes no token
    with pointed_at(url, settings):
        yield Target("mlflow", url, None)


@pytest.fixture(scope="module", params=["mlflow", "modelreg"])
def target(request) -> Iterator[Target]:
    """The client pointed at one target for the module's checks, as a user's environment would."""
    if request.param == "mlflow":
        if os.environ.get("MLFLOW_TEST_URL"):  # an mlflow server that is already running
            yield from _pointed_at_mlflow(os.environ["MLFLOW_TEST_URL"])
            return
        with tempfile.TemporaryDirectory(prefix="mlflow-server-") as tmp:
            for url in _mlflow_server(Path(tmp)):
                yield from _pointed_at_mlflow(url)
        return
    server = request.getfixturevalue("server")
    group = f"diff{uuid.uuid4().hex[:10]}"
    requests.post(
        f"{server.url}/api/v1/groups",
        json={"name": group, "visibility": "private"},
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=60,
    ).raise_for_status()
    uri = f"{server.url}/mlflow/{group}"
    with pointed_at(uri, client_settings(uri, server.token)):
        yield Target("modelreg", uri, server.token)


@pytest.fixture
def client(target: Target) -> MlflowClient:
    return MlflowClient(tracking_uri=target.uri, registry_uri=target.uri)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def fitted(c: float = 1.0):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c).fit(X, Y)


def error_code(call) -> str:
    with pytest.raises(MlflowException) as raised:
        call()
    return raised.value.error_code


# --- tracking -----------------------------------------------------------------------------------------


def test_quickstart_params_metrics_tags(target, client):
    mlflow.set_experiment("MLflow Quickstart")
    with mlflow.start_run(run_name="quickstart") as run:
        mlflow.log_params({"solver": "lbfgs", "max_iter": 1000})
        mlflow.log_param("C", 0.5)
        for step in range(4):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"accuracy": 0.9, "f1": 0.8})
        mlflow.set_tag("Training Info", "Basic LR model for iris data")
        mlflow.set_tags({"team": "quickstart", "stage": "dev"})
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FINISHED"
    assert got.info.run_name == "quickstart"
    assert got.data.params == {"solver": "lbfgs", "max_iter": "1000", "C": "0.5"}
    assert got.data.metrics == {"loss": 0.25, "accuracy": 0.9, "f1": 0.8}
    assert got.data.tags["Training Info"] == "Basic LR model for iris data"
    assert got.data.tags["team"] == "quickstart"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 1.0), (1, 0.5), (2, 1 / 3), (3, 0.25)]
    assert mlflow.get_experiment_by_name("MLflow Quickstart").experiment_id == got.info.experiment_id


def test_default_experiment_and_generated_name(target, client):
    mlflow.set_experiment(experiment_id="0")
    with mlflow.start_run() as run:
        pass
    got = client.get_run(run.info.run_id)
    assert got.info.experiment_id == "0"
    assert client.get_experiment("0").name == "Default"
    assert got.info.run_name  # MLflow generates one ("bold-fox-417")
    assert client.search_runs(["0"], f"tags.mlflow.runName = '{got.info.run_name}'")[0].info.run_id == run.info.run_id


def test_nan_and_infinity_metrics(target, client):
    mlflow.set_experiment(unique("nan"))
    with mlflow.start_run() as run:
        mlflow.log_metrics({"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")})
    metrics = client.get_run(run.info.run_id).data.metrics
    assert np.isnan(metrics["nan"])
    assert metrics["inf"] > 1e308 and metrics["ninf"] < -1e308


def test_delete_tag(target, client):
    mlflow.set_experiment(unique("tags"))
    with mlflow.start_run() as run:
        mlflow.set_tag("keep", "1")
        mlflow.set_tag("drop", "2")
    client.delete_tag(run.info.run_id, "drop")
    tags = client.get_run(run.info.run_id).data.tags
    assert tags["keep"] == "1" and "drop" not in tags
    assert error_code(lambda: client.delete_tag(run.info.run_id, "never-set")) == "RESOURCE_DOES_NOT_EXIST"


def test_nested_runs(target, client):
    experiment_id = mlflow.set_experiment(unique("nested")).experiment_id
    with mlflow.start_run(run_name="parent") as parent:
        for i in range(2):
            with mlflow.start_run(run_name=f"child-{i}", nested=True) as child:
                mlflow.log_param("i", i)
                assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    children = client.search_runs(
        [experiment_id], f"tags.mlflow.parentRunId = '{parent.info.run_id}'", order_by=["params.i ASC"]
    )
    assert [r.info.run_name for r in children] == ["child-0", "child-1"]
    assert all(r.info.status == "FINISHED" for r in children)


def test_search_runs_with_paging(target, client):
    experiment_id = mlflow.set_experiment(unique("search")).experiment_id
    for i in range(7):
        with mlflow.start_run(run_name=f"r{i}"):
            mlflow.log_param("family", "even" if i % 2 == 0 else "odd")
            mlflow.log_metric("score", i / 10)
    seen, token = [], None
    while True:
        page = client.search_runs([experiment_id], order_by=["metrics.score DESC"], max_results=3, page_token=token)
        assert len(page) <= 3
        seen += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
    assert seen == [f"r{i}" for i in range(6, -1, -1)]
    odd = client.search_runs([experiment_id], "params.family = 'odd' and metrics.score >= 0.3")
    assert sorted(r.info.run_name for r in odd) == ["r3", "r5"]
    frame = mlflow.search_runs([experiment_id], filter_string="attributes.run_name LIKE 'r%'")
    assert len(frame) == 7 and "metrics.score" in frame.columns


# --- autolog, signatures, artifacts ----------------------------------------------------------------


def test_sklearn_autolog(target, client):
    experiment_id = mlflow.set_experiment(unique("autolog")).experiment_id
    mlflow.sklearn.autolog()
    try:
        with mlflow.start_run() as run:
            fitted(c=0.7)
    finally:
        mlflow.sklearn.autolog(disable=True)
    got = client.get_run(run.info.run_id)
    assert got.data.params["C"] == "0.7"
    assert "training_score" in got.data.metrics
    assert got.data.tags["estimator_class"] == "sklearn.linear_model._logistic.LogisticRegression"
    models = mlflow.search_logged_models(experiment_ids=[experiment_id], output_format="list")
    assert [m.source_run_id for m in models] == [run.info.run_id]
    predictions = mlflow.pyfunc.load_model(f"models:/{models[0].model_id}").predict(X)
    assert list(predictions) == list(Y)


def test_signature_and_input_example(target, client):
    from mlflow.models import infer_signature

    mlflow.set_experiment(unique("signature"))
    model = fitted()
    signature = infer_signature(X, model.predict(X))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model", signature=signature, input_example=X[:2])
    loaded_info = mlflow.models.get_model_info(info.model_uri)
    assert loaded_info.signature == signature
    assert loaded_info.saved_input_example_info["type"] == "ndarray"
    example = mlflow.models.Model.load(info.model_uri).load_input_example(
        mlflow.artifacts.download_artifacts(info.model_uri)
    )
    assert np.array_equal(example, X[:2])
    assert list(mlflow.pyfunc.load_model(info.model_uri).predict(X)) == list(Y)


def test_log_dict_text_figure_image_table(target, client, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mlflow.set_experiment(unique("artifacts"))
    figure, axes = plt.subplots()
    axes.plot([0, 1], [1, 0])
    with mlflow.start_run() as run:
        mlflow.log_dict({"layers": [4, 2]}, "config/model.json")
        mlflow.log_text("hello\n", "notes/readme.txt")
        mlflow.log_figure(figure, "plots/curve.png")
        mlflow.log_image(np.zeros((8, 8, 3), dtype=np.uint8), "images/black.png")
        mlflow.log_table({"x": [1, 2], "y": ["a", "b"]}, "tables/data.json")
    plt.close(figure)
    run_id = run.info.run_id
    top = sorted(a.path for a in client.list_artifacts(run_id))
    assert top == ["config", "images", "notes", "plots", "tables"]
    assert [a.path for a in client.list_artifacts(run_id, "plots")] == ["plots/curve.png"]
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config/model.json") == {"layers": [4, 2]}
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "hello\n"
    assert mlflow.artifacts.load_image(f"runs:/{run_id}/images/black.png").size == (8, 8)
    table = mlflow.load_table("tables/data.json", run_ids=[run_id])
    assert list(table["x"]) == [1, 2] and list(table["y"]) == ["a", "b"]
    png = Path(mlflow.artifacts.download_artifacts(f"runs:/{run_id}/plots/curve.png", dst_path=str(tmp_path)))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_download_by_runs_uri(target, client, tmp_path):
    mlflow.set_experiment(unique("download"))
    source = tmp_path / "src"
    (source / "deep").mkdir(parents=True)
    (source / "a.txt").write_text("A")
    (source / "deep" / "b.bin").write_bytes(bytes(range(256)) * 64)
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(source), artifact_path="data")
    out = Path(mlflow.artifacts.download_artifacts(f"runs:/{run.info.run_id}/data", dst_path=str(tmp_path / "out")))
    assert (out / "a.txt").read_text() == "A"
    assert (out / "deep" / "b.bin").read_bytes() == bytes(range(256)) * 64
    one = client.download_artifacts(run.info.run_id, "data/a.txt", str(tmp_path / "one"))
    assert Path(one).read_text() == "A"


# --- datasets -------------------------------------------------------------------------------------


def test_log_input_dataset(target, client):
    experiment_id = mlflow.set_experiment(unique("datasets")).experiment_id
    frame = pd.DataFrame({"x1": [0.0, 1.0, 0.2], "x2": [1.0, 0.0, 0.9], "y": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(frame, source="s3://bucket/train.csv", name="train", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
        mlflow.log_input(dataset, context="training")  # logged once, as one input of the run
    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    assert len(inputs) == 1
    logged = inputs[0].dataset
    assert (logged.name, logged.digest, logged.source_type) == ("train", dataset.digest, "s3")
    assert json.loads(logged.source) == {"uri": "s3://bucket/train.csv"}
    assert json.loads(logged.schema)["mlflow_colspec"] == json.loads(dataset.schema.to_json())
    assert json.loads(logged.profile) == {"num_rows": 3, "num_elements": 9}
    assert {t.key: t.value for t in inputs[0].tags} == {"mlflow.data.context": "training"}
    found = client.search_runs([experiment_id])[0]
    assert [d.dataset.digest for d in found.inputs.dataset_inputs] == [dataset.digest]
    summaries = target.rest("experiments/search-datasets", {"experiment_ids": [experiment_id]})
    assert summaries["dataset_summaries"] == [
        {"experiment_id": experiment_id, "name": "train", "digest": dataset.digest, "context": "training"}
    ]


# --- logged models ------------------------------------------------------------------------------------


def test_logged_model_basics(target, client):
    experiment_id = mlflow.set_experiment(unique("logged")).experiment_id
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(fitted(), name="clf", params={"kind": "logreg"})
    model = mlflow.get_logged_model(info.model_id)
    assert (model.name, model.source_run_id, model.experiment_id) == ("clf", run.info.run_id, experiment_id)
    assert model.status == "READY"
    assert model.params == {"kind": "logreg"}
    found = mlflow.search_logged_models(experiment_ids=[experiment_id], output_format="list")
    assert [m.model_id for m in found] == [info.model_id]
    assert [o.model_id for o in client.get_run(run.info.run_id).outputs.model_outputs] == [info.model_id]
    assert list(mlflow.sklearn.load_model(f"models:/{info.model_id}").predict(X)) == list(Y)


def test_logged_model_metrics(target, client):
    experiment_id = mlflow.set_experiment(unique("lm-metrics")).experiment_id
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(fitted(), name="clf")
        mlflow.log_metric("val_acc", 0.93, model_id=info.model_id)
    assert {m.key: m.value for m in mlflow.get_logged_model(info.model_id).metrics} == {"val_acc": 0.93}
    found = mlflow.search_logged_models(
        experiment_ids=[experiment_id], filter_string="metrics.val_acc > 0.9", output_format="list"
    )
    assert [m.model_id for m in found] == [info.model_id]


def test_two_log_model_calls_with_one_name(target, client):
    mlflow.set_experiment(unique("lm-twice"))
    with mlflow.start_run():
        first = mlflow.sklearn.log_model(fitted(c=1.0), name="model")
        second = mlflow.sklearn.log_model(fitted(c=0.01), name="model")
    assert first.model_id != second.model_id
    assert mlflow.sklearn.load_model(first.model_uri).C == 1.0
    assert mlflow.sklearn.load_model(second.model_uri).C == 0.01


# --- the model registry -------------------------------------------------------------------------------


def test_register_model_keeps_the_training_run(target, client):
    name = unique("keep-run")
    mlflow.set_experiment(unique("register"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(fitted(), name="model")
    version = mlflow.register_model(info.model_uri, name)
    assert (version.version, version.run_id) == ("1", run.info.run_id)
    assert [v.version for v in client.search_model_versions(f"run_id = '{run.info.run_id}'")] == ["1"]
    assert client.get_run(run.info.run_id).info.experiment_id == run.info.experiment_id


def test_version_source_is_the_logged_model(target, client):
    name = unique("source")
    mlflow.set_experiment(unique("register"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(fitted(), name="model")
    assert mlflow.register_model(info.model_uri, name).source == f"models:/{info.model_id}"


def test_register_a_running_run(target, client):
    name = unique("running")
    mlflow.set_experiment(unique("register"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(fitted(), name="model")
        version = mlflow.register_model(info.model_uri, name)
    # The block's exit ends the run; on modelreg registering already finished and locked it.
    assert version.run_id == run.info.run_id
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FINISHED" and got.info.end_time >= got.info.start_time
    assert client.get_model_version(name, "1").run_id == run.info.run_id


def test_log_model_registers_inside_an_active_run(target, client, tmp_path):
    name = unique("in-run")
    mlflow.set_experiment(unique("register"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(fitted(), name="model", registered_model_name=name)
        # MLflow registers the logged model, not the run: the run stays open for more logging.
        mlflow.log_metric("after", 1.0)
        mlflow.log_param("later", "yes")
        (tmp_path / "notes.txt").write_text("after registering")
        mlflow.log_artifact(str(tmp_path / "notes.txt"))
    got = client.get_run(run.info.run_id)
    assert (got.data.metrics["after"], got.data.params["later"], got.info.status) == (1.0, "yes", "FINISHED")
    version = client.get_model_version(name, "1")
    assert (version.run_id, version.source) == (run.info.run_id, f"models:/{info.model_id}")
    assert [v.version for v in client.search_model_versions(f"run_id = '{run.info.run_id}'")] == ["1"]
    assert list(mlflow.sklearn.load_model(f"models:/{name}/1").predict(X)) == list(Y)


def test_download_and_load_by_models_uri(target, client, tmp_path):
    name = unique("by-uri")
    mlflow.set_experiment(unique("register"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(fitted(), name="model")
    mlflow.register_model(info.model_uri, name)
    client.set_registered_model_alias(name, "champion", "1")
    out = Path(mlflow.artifacts.download_artifacts(f"models:/{name}/1", dst_path=str(tmp_path)))
    assert (out / "MLmodel").is_file()
    assert list(mlflow.pyfunc.load_model(f"models:/{name}@champion").predict(X)) == list(Y)
    assert list(mlflow.sklearn.load_model(f"models:/{name}/1").predict(X)) == list(Y)


def test_registry_client_api(target, client):
    name = unique("registry")
    mlflow.set_experiment(unique("registry"))
    runs = []
    for c in (1.0, 0.5, 0.1):
        with mlflow.start_run() as run:
            mlflow.sklearn.log_model(fitted(c), name="model")
        runs.append(run.info.run_id)

    created = client.create_registered_model(name, tags={"team": "risk"}, description="first words")
    assert (created.name, created.description, created.tags) == (name, "first words", {"team": "risk"})
    assert error_code(lambda: client.create_registered_model(name)) == "RESOURCE_ALREADY_EXISTS"
    client.update_registered_model(name, description="credit risk")
    client.set_registered_model_tag(name, "owner", "ana")
    client.delete_registered_model_tag(name, "team")
    got = client.get_registered_model(name)
    assert (got.description, got.tags) == ("credit risk", {"owner": "ana"})

    versions = [client.create_model_version(name, f"runs:/{r}/model", run_id=r) for r in runs]
    assert [v.version for v in versions] == ["1", "2", "3"]
    client.update_model_version(name, "2", description="the balanced one")
    client.set_model_version_tag(name, "2", "validated", "yes")
    client.set_model_version_tag(name, "2", "scratch", "x")
    client.delete_model_version_tag(name, "2", "scratch")
    two = client.get_model_version(name, "2")
    assert (two.description, two.run_id) == ("the balanced one", runs[1])
    assert two.tags.get("validated") == "yes" and "scratch" not in two.tags

    client.set_registered_model_alias(name, "champion", "2")
    client.set_registered_model_alias(name, "challenger", "3")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.get_registered_model(name).aliases == {"champion": "2", "challenger": "3"}
    client.delete_registered_model_alias(name, "challenger")
    assert client.get_registered_model(name).aliases == {"champion": "2"}
    assert error_code(lambda: client.get_model_version_by_alias(name, "challenger")) in (
        "RESOURCE_DOES_NOT_EXIST",
        "INVALID_PARAMETER_VALUE",
    )

    client.transition_model_version_stage(name, "1", "Staging")
    client.transition_model_version_stage(name, "2", "Production")
    assert client.get_model_version(name, "2").current_stage == "Production"
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["2"]
    assert [v.version for v in client.get_latest_versions(name, stages=["Staging"])] == ["1"]
    client.transition_model_version_stage(name, "3", "Production", archive_existing_versions=True)
    assert client.get_model_version(name, "2").current_stage == "Archived"
    assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["3"]

    assert [v.version for v in client.search_model_versions(f"name = '{name}'", order_by=["version_number ASC"])] == [
        "1",
        "2",
        "3",
    ]
    assert [m.name for m in client.search_registered_models(f"name = '{name}'")] == [name]
    assert name in [m.name for m in client.search_registered_models(f"name LIKE '{name[:8]}%'")]
    # mlflow server answers the version's source (runs:/... here), modelreg the run's artifact URI:
    # both are URIs the client downloads from, which is what a user relies on.
    uri = client.get_model_version_download_uri(name, "1")
    assert uri and uri.split(":", 1)[0] in ("runs", "mlflow-artifacts", "models")

    renamed = f"{name}-renamed"
    client.rename_registered_model(name, renamed)
    assert client.get_registered_model(renamed).latest_versions
    assert error_code(lambda: client.get_registered_model(name)) == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_model_version(renamed, "3").run_id == runs[2]

    client.delete_registered_model(renamed)
    assert error_code(lambda: client.get_registered_model(renamed)) == "RESOURCE_DOES_NOT_EXIST"
    assert [m.name for m in client.search_registered_models(f"name = '{renamed}'")] == []


def test_version_without_a_run_of_the_server(target, client):
    # MLflow registers any source: a run id it does not know, or no run at all. modelreg gives such a
    # version an empty candidate of its own, locked like every version.
    name = unique("no-run")
    client.create_registered_model(name)
    unknown = client.create_model_version(name, "runs:/no-such-run/model", run_id="no-such-run")
    bare = client.create_model_version(name, "s3://bucket/model")
    assert [(v.version, v.run_id, v.source, v.status) for v in (unknown, bare)] == [
        ("1", "no-such-run", "runs:/no-such-run/model", "READY"),
        ("2", "", "s3://bucket/model", "READY"),
    ]
    got = client.get_model_version(name, "2")
    assert (got.run_id, got.source, got.status) == ("", "s3://bucket/model", "READY")
    assert [v.version for v in client.search_model_versions("run_id = 'no-such-run'")] == ["1"]
    assert error_code(lambda: client.get_run("no-such-run")) == "RESOURCE_DOES_NOT_EXIST"


def test_versions_are_listed_most_recently_updated_first(target, client):
    first, second = unique("order-a"), unique("order-b")
    for name in (first, second):
        client.create_registered_model(name)
    for name in (first, second, first):
        client.create_model_version(name, "s3://bucket/model")
    found = [v for v in client.search_model_versions() if v.name in (first, second)]
    assert [(v.name, v.version) for v in found] == [(first, "2"), (second, "1"), (first, "1")]


def test_experiments_and_models_are_separate(target, client):
    name = unique("shared-name")
    mlflow.set_experiment(name)
    client.create_registered_model(name)
    assert [m.name for m in client.search_registered_models(f"name = '{name}'")] == [name]
    assert client.get_experiment_by_name(name).name == name
    other_experiments = {e.name for e in client.search_experiments()} - {name}
    assert not other_experiments & {m.name for m in client.search_registered_models()}


def test_run_lifecycle(target, client):
    experiment_id = mlflow.set_experiment(unique("lifecycle")).experiment_id
    with mlflow.start_run() as run:
        pass
    client.delete_run(run.info.run_id)
    assert client.search_runs([experiment_id]) == []
    client.restore_run(run.info.run_id)
    assert [r.info.run_id for r in client.search_runs([experiment_id])] == [run.info.run_id]
    client.set_terminated(run.info.run_id, "FAILED")
    assert client.get_run(run.info.run_id).info.status == "FAILED"
