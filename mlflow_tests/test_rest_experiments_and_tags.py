"""Experiments, run identity, tags and inputs answered as `mlflow server` answers them.

Experiment search treats a missing tag as no match (`!=` included) and lists the newest experiment first;
a run's `user_id` is the user the client sent, not the token's; a deleted run refuses tag deletion with
its state; the `mlflow.modelVersions` tag has MLflow's exact text; a NaN metric is `null` in GraphQL;
`log_inputs(models=...)` is kept.
"""

import math
import time

import pytest
import requests
from mlflow.entities import Dataset, DatasetInput
from mlflow.entities.logged_model_input import LoggedModelInput
from mlflow.exceptions import MlflowException


@pytest.fixture(scope="module")
def experiment_id(client):
    return client.create_experiment("rest experiments and tags")


def test_tag_not_equal_skips_experiments_without_the_tag(client):
    client.create_experiment("tagged-same", tags={"team": "search"})
    client.create_experiment("tagged-other", tags={"team": "vision"})
    client.create_experiment("tagged-none")

    found = client.search_experiments(filter_string="name LIKE 'tagged-%' AND tag.team != 'search'")

    assert [e.name for e in found] == ["tagged-other"]


def test_experiments_are_listed_newest_first_even_after_a_deletion(client):
    ids = []
    for name in ("order-first", "order-second", "order-third"):
        ids.append(client.create_experiment(name))
        time.sleep(0.01)  # distinct creation times, to the millisecond
    client.delete_experiment(ids[1])  # a deletion changes last_update_time, not the order

    found = client.search_experiments(filter_string="name LIKE 'order-%'", view_type=3)  # ViewType.ALL

    assert [e.name for e in found] == ["order-third", "order-second", "order-first"]


def test_user_id_is_what_the_client_sent_not_the_token_user(client, experiment_id):
    anonymous = client.create_run(experiment_id)
    named = client.create_run(experiment_id, tags={"mlflow.user": "alice"})

    assert client.get_run(anonymous.info.run_id).info.user_id == "unknown"
    assert "mlflow.user" not in client.get_run(anonymous.info.run_id).data.tags
    assert client.get_run(named.info.run_id).info.user_id == "alice"
    found = client.search_runs([experiment_id], filter_string="attributes.user_id = 'alice'")
    assert [r.info.run_id for r in found] == [named.info.run_id]


def test_user_id_of_a_candidate_logged_through_modelreg_is_its_author(client, registry, group):
    registry.post(f"/models/{group}", {"name": "authored"})
    candidate = registry.post(f"/models/{group}/authored/candidates", {"name": "by-admin"})

    run = client.get_run(candidate["run_id"])

    assert run.info.user_id == "admin"
    assert run.data.tags["mlflow.user"] == "admin"


def test_deleting_a_tag_of_a_deleted_run_names_its_state(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.set_tag(run_id, "stage", "draft")
    client.delete_tag(run_id, "stage")
    client.delete_run(run_id)

    # The run's state is checked before the tag: not "No tag with name: stage".
    with pytest.raises(MlflowException, match=f"The run {run_id} must be in the 'active' state"):
        client.delete_tag(run_id, "stage")

    client.restore_run(run_id)
    with pytest.raises(MlflowException, match="No tag with name: stage"):
        client.delete_tag(run_id, "stage")


def test_model_versions_tag_has_mlflow_exact_text(client, experiment_id):
    model = client.create_logged_model(experiment_id=experiment_id)
    client.create_registered_model("tag-text")
    for _ in range(2):
        client.create_model_version("tag-text", source=model.artifact_location, model_id=model.model_id)

    tag = client.get_logged_model(model.model_id).tags["mlflow.modelVersions"]

    assert tag == '[{"name": "tag-text", "version": 1}, {"name": "tag-text", "version": 2}]'


def test_a_nan_metric_is_null_in_graphql(client, experiment_id, tracking_uri, server):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_metric(run_id, "finite", 3.0, timestamp=1, step=1)
    client.log_metric(run_id, "undefined", math.nan, timestamp=2, step=2)
    query = 'query { mlflowGetRun(input: {runId: "%s"}) { run { data { metrics { key value step } } } } }' % run_id

    response = requests.post(
        f"{tracking_uri}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=60,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors") is None, body
    metrics = {m["key"]: m for m in body["data"]["mlflowGetRun"]["run"]["data"]["metrics"]}
    assert metrics["finite"]["value"] == 3.0
    assert metrics["undefined"]["value"] is None
    assert metrics["undefined"]["step"] == "2"


def test_log_inputs_keeps_the_models_a_run_used(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    model = client.create_logged_model(experiment_id=experiment_id)
    dataset = DatasetInput(Dataset(name="train", digest="d1", source_type="local", source="train.csv"))

    client.log_inputs(run_id, datasets=[dataset], models=[LoggedModelInput(model_id=model.model_id)])
    client.log_inputs(run_id, models=[LoggedModelInput(model_id=model.model_id)])  # once per run and model

    inputs = client.get_run(run_id).inputs
    assert [m.model_id for m in inputs.model_inputs] == [model.model_id]
    assert [d.dataset.name for d in inputs.dataset_inputs] == ["train"]
    with pytest.raises(MlflowException, match="not found"):
        client.log_inputs(run_id, models=[LoggedModelInput(model_id="m-0000")])
