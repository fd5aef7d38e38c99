"""MLflow 3's logged models over the REST routes, as `mlflow server` answers them.

A source run the registry does not know is recorded as sent; unnamed models get distinct names; a missing
tag cannot be deleted; `log_outputs` is kept with its step; a registration is recorded on the model
(`mlflow.modelVersions`); the model's files are served one by one; metrics logged with a `model_id` belong
to the model and can be searched and ordered; two models of one name in one run stay two models.
"""

import mlflow
import pandas as pd
import pytest
import requests
from mlflow.entities.logged_model_output import LoggedModelOutput
from mlflow.exceptions import MlflowException


class Constant(mlflow.pyfunc.PythonModel):
    """Predicts its own constant, so a test can tell two logged models apart."""

    def __init__(self, value):
        self.value = value

    def predict(self, context, model_input):
        return [self.value] * len(model_input)


@pytest.fixture(scope="module")
def experiment_id(client):
    return client.create_experiment("logged models over REST")


def test_an_unknown_source_run_is_recorded_as_sent(client, experiment_id):
    model = client.create_logged_model(experiment_id, source_run_id="123")
    assert model.source_run_id == "123"
    assert client.get_logged_model(model.model_id).source_run_id == "123"

    run = client.create_run(experiment_id)
    known = client.create_logged_model(experiment_id, source_run_id=run.info.run_id)
    assert client.get_logged_model(known.model_id).source_run_id == run.info.run_id


def test_unnamed_models_get_distinct_names(client, experiment_id):
    models = [client.create_logged_model(experiment_id) for _ in range(3)]
    names = [m.name for m in models]
    assert len(set(names)) == 3, names
    found = client.search_logged_models(experiment_ids=[experiment_id], filter_string=f"name = '{names[0]}'")
    assert [m.model_id for m in found] == [models[0].model_id]


def test_deleting_a_tag_the_model_does_not_have_is_refused(client, experiment_id):
    model = client.create_logged_model(experiment_id)
    client.set_logged_model_tags(model.model_id, {"a": "1", "b": "2"})
    client.delete_logged_model_tag(model.model_id, "a")
    assert client.get_logged_model(model.model_id).tags == {"b": "2"}
    with pytest.raises(MlflowException, match="No tag with key 'a'") as refused:
        client.delete_logged_model_tag(model.model_id, "a")
    assert refused.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_log_outputs_are_kept_with_their_step(client, experiment_id):
    run = client.create_run(experiment_id)
    first = client.create_logged_model(experiment_id)
    second = client.create_logged_model(experiment_id)
    client.log_outputs(run.info.run_id, [LoggedModelOutput(first.model_id, 1)])
    client.log_outputs(run.info.run_id, [LoggedModelOutput(second.model_id, 7)])
    outputs = client.get_run(run.info.run_id).outputs.model_outputs
    assert sorted((o.model_id, o.step) for o in outputs) == sorted([(first.model_id, 1), (second.model_id, 7)])
    with pytest.raises(MlflowException, match="not found"):
        client.log_outputs(run.info.run_id, [LoggedModelOutput("m-0000", 0)])


def test_a_registration_is_recorded_on_the_logged_model(client, experiment_id):
    model = client.create_logged_model(experiment_id)
    client.create_registered_model("registered-from-logged-model")
    version = client.create_model_version(
        "registered-from-logged-model", source=f"models:/{model.model_id}", model_id=model.model_id
    )
    tag = client.get_logged_model(model.model_id).tags["mlflow.modelVersions"]
    assert tag == f'[{{"name": "registered-from-logged-model", "version": {version.version}}}]'


def test_a_logged_model_file_is_served(client, tracking_uri, server):
    model_info = mlflow.pyfunc.log_model(name="served", python_model=Constant(1))
    base = f"{tracking_uri}/ajax-api/2.0/mlflow/logged-models/{model_info.model_id}/artifacts"
    headers = {"Authorization": f"Bearer {server.token}"}

    response = requests.get(f"{base}/files", params={"artifact_file_path": "MLmodel"}, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    assert model_info.model_id in response.text
    listed = requests.get(f"{base}/directories", headers=headers, timeout=60).json()
    assert "MLmodel" in [f["path"] for f in listed["files"]]

    missing = requests.get(f"{base}/files", params={"artifact_file_path": "nope"}, headers=headers, timeout=60)
    assert missing.status_code == 404, missing.text
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_metrics_logged_with_a_model_id_belong_to_the_model(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    good = client.create_logged_model(experiment_id, source_run_id=run_id)
    poor = client.create_logged_model(experiment_id, source_run_id=run_id)
    client.log_metric(run_id, "acc", 0.9, step=1, model_id=good.model_id, dataset_name="eval", dataset_digest="d1")
    client.log_metric(run_id, "acc", 0.4, step=1, model_id=poor.model_id, dataset_name="train", dataset_digest="d2")

    metrics = client.get_logged_model(good.model_id).metrics
    assert [(m.key, m.value, m.step, m.dataset_name, m.dataset_digest) for m in metrics] == [
        ("acc", 0.9, 1, "eval", "d1")
    ]
    assert metrics[0].run_id == run_id
    # The run has the points too.
    assert sorted(m.value for m in client.get_metric_history(run_id, "acc")) == [0.4, 0.9]

    def ids(**search):
        return [m.model_id for m in client.search_logged_models(experiment_ids=[experiment_id], **search)]

    assert ids(filter_string="metrics.acc > 0.5") == [good.model_id]
    assert ids(filter_string="metrics.acc < 0.5") == [poor.model_id]
    assert ids(datasets=[{"dataset_name": "train"}]) == [poor.model_id]
    assert ids(datasets=[{"dataset_name": "eval", "dataset_digest": "other"}]) == []
    assert ids(filter_string="metrics.acc > 0.1", order_by=[{"field_name": "metrics.acc", "ascending": True}]) == [
        poor.model_id,
        good.model_id,
    ]


def test_two_models_of_one_name_in_one_run_stay_two_models(client, tracking_uri):
    mlflow.set_experiment("two models, one name")
    data = pd.DataFrame({"x": [1.0, 2.0]})
    with mlflow.start_run() as run:
        first = mlflow.pyfunc.log_model(name="model", python_model=Constant(1))
        second = mlflow.pyfunc.log_model(name="model", python_model=Constant(2))
    assert first.model_uri == f"models:/{first.model_id}" != second.model_uri

    assert list(mlflow.pyfunc.load_model(first.model_uri).predict(data)) == [1, 1]
    assert list(mlflow.pyfunc.load_model(second.model_uri).predict(data)) == [2, 2]
    outputs = client.get_run(run.info.run_id).outputs.model_outputs
    assert {o.model_id for o in outputs} == {first.model_id, second.model_id}

    version = mlflow.register_model(first.model_uri, "first-of-two")
    assert version.source == first.model_uri
    assert version.run_id == run.info.run_id
    assert list(mlflow.pyfunc.load_model("models:/first-of-two/1").predict(data)) == [1, 1]
