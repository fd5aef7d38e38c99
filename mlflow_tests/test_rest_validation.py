"""Request validation on the MLflow routes: MLflow's codes and MLflow's own wording.

MLflow's clients, and people reading their errors, match on `error_code` and on messages such as
"Missing value for required parameter 'key'" or "Invalid value 31 for parameter 'run_id' supplied".
"""

import pytest
import requests
from _rest import assert_refused
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException

MISSING = "Missing value for required parameter '{}'."
INVALID = "Invalid value {} for parameter '{}' supplied"


@pytest.fixture(scope="module")
def run_id(client):
    return client.create_run(client.create_experiment("rest-validation")).info.run_id


def _refused(response, message):
    assert_refused(response, message)
    assert response.json()["message"].endswith("See the API docs for more information about request parameters.")


def test_experiment_create_checks_name_location_and_tags(post):
    _refused(post("experiments/create", {"name": 123}), "Invalid value 123 for parameter 'name'")
    _refused(post("experiments/create", {}), MISSING.format("name"))
    _refused(
        post("experiments/create", {"name": "rest-validation-x", "artifact_location": 9.0}),
        "Invalid value 9.0 for parameter 'artifact_location'",
    )
    _refused(
        post("experiments/create", {"name": "rest-validation-x", "tags": "5"}),
        "Invalid value \"5\" for parameter 'tags'",
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"run_id": 31}, INVALID.format(31, "run_id")),
        ({"key": 31}, INVALID.format(31, "key")),
        ({"step": "foo"}, INVALID.format('"foo"', "step")),
        ({"timestamp": "foo"}, INVALID.format('"foo"', "timestamp")),
        ({"run_id": None}, MISSING.format("run_id")),
        ({"key": None}, MISSING.format("key")),
        ({"key": ""}, MISSING.format("key")),
    ],
)
def test_log_metric_names_the_wrong_field(post, run_id, change, message):
    body = {"run_id": run_id, "key": "loss", "value": 41, "timestamp": 59, "step": 26, **change}
    _refused(post("runs/log-metric", body), message)


def test_a_wrongly_typed_run_id_is_a_bad_request_not_a_missing_run(post, run_id):
    response = post("runs/log-parameter", {"run_id": 31, "key": "p", "value": "1"})
    _refused(response, INVALID.format(31, "run_id") + ":  Hint: Value was of type 'int'.")
    _refused(post("runs/log-parameter", {"run_id": run_id, "key": 31, "value": "1"}), INVALID.format(31, "key"))


def test_set_tag_wants_a_string_value_and_takes_run_uuid(post, run_id, client):
    _refused(post("runs/set-tag", {"run_id": run_id, "key": "t", "value": 41}), INVALID.format(41, "value"))
    _refused(post("runs/set-tag", {"run_id": run_id, "value": "v"}), MISSING.format("key"))
    response = post("runs/set-tag", {"run_uuid": run_id, "key": "legacy", "value": "yes"})
    assert response.status_code == 200, response.text
    assert client.get_run(run_id).data.tags["legacy"] == "yes"


def test_log_batch_checks_lists_and_each_metrics_timestamp(post, run_id, client):
    for field in ("metrics", "params", "tags"):
        _refused(post("runs/log-batch", {"run_id": run_id, field: "foo"}), INVALID.format('"foo"', field))
    _refused(
        post("runs/log-batch", {"run_id": run_id, "metrics": [{"key": "mae", "value": 2.5}]}),
        MISSING.format("metrics[0].timestamp"),
    )
    _refused(
        post("runs/log-batch", {"run_id": run_id, "params": [{"value": "x"}]}),
        MISSING.format("params[0].key"),
    )
    response = post("runs/log-batch", {"run_id": run_id, "metrics": [{"key": "mae", "value": 2.5, "timestamp": 7}]})
    assert response.status_code == 200, response.text
    assert [(m.value, m.step) for m in client.get_metric_history(run_id, "mae")] == [(2.5, 0)]
    client.log_batch(run_id, metrics=[Metric("mse", 1.5, 8, 2)])
    assert client.get_run(run_id).data.metrics["mse"] == 1.5


def test_log_inputs_without_a_run_names_run_id(post):
    _refused(post("runs/log-inputs", {"datasets": []}), MISSING.format("run_id"))


def test_search_runs_max_results_is_bounded_as_in_mlflow(client, run_id):
    experiment_id = client.get_run(run_id).info.experiment_id
    with pytest.raises(MlflowException, match=r"Invalid value 123456789 for parameter 'max_results' supplied"):
        client.search_runs([experiment_id], max_results=123456789)
    assert len(client.search_runs([experiment_id], max_results=50000)) >= 1


def test_query_string_requests_are_checked_too(server, group, run_id):
    base = f"{server.url}/mlflow/{group}/api/2.0/mlflow"
    headers = {"Authorization": f"Bearer {server.token}"}
    response = requests.get(f"{base}/metrics/get-history", params={"run_id": run_id}, headers=headers, timeout=60)
    _refused(response, MISSING.format("metric_key"))
    response = requests.get(
        f"{base}/registered-models/search", params={"max_results": 5000}, headers=headers, timeout=60
    )
    _refused(response, INVALID.format(5000, "max_results"))
    response = requests.get(f"{base}/runs/get", params={"run_uuid": run_id}, headers=headers, timeout=60)
    assert response.status_code == 200 and response.json()["run"]["info"]["run_id"] == run_id
