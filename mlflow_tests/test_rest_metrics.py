"""Metric histories and run order over MLflow's REST routes, as `mlflow server` answers them.

`get-history` pages with `max_results`/`page_token`; the UI's `get-history-bulk` and
`get-history-bulk-interval` read one key of several runs; runs with equal start times come back in
run-id order, so pages never overlap.
"""

import pytest
import requests
from _rest import assert_refused
from mlflow.exceptions import MlflowException


@pytest.fixture(scope="module")
def api(server, group):
    """GET/POST on `<server>/mlflow/<group>/ajax-api/2.0/mlflow/...` with the admin token."""

    class Api:
        base = f"{server.url}/mlflow/{group}/ajax-api/2.0/mlflow"
        headers = {"Authorization": f"Bearer {server.token}"}

        def get(self, path, **params):
            return requests.get(f"{self.base}/{path}", params=params, headers=self.headers, timeout=60)

        def post(self, path, body):
            return requests.post(f"{self.base}/{path}", json=body, headers=self.headers, timeout=60)

    return Api()


@pytest.fixture(scope="module")
def experiment_id(client):
    return client.create_experiment("rest-metrics")


def _log(client, run_id, points):
    for point in points:
        client.log_metric(run_id, **point)


def test_get_history_pages_with_max_results_and_page_token(client, api, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    _log(client, run_id, [{"key": "loss", "value": float(i), "step": i, "timestamp": 1000 + i} for i in range(10)])

    pages, token = [], None
    while True:
        params = {"run_id": run_id, "metric_key": "loss", "max_results": 4}
        if token:
            params["page_token"] = token
        body = api.get("metrics/get-history", **params).json()
        pages.append([m["step"] for m in body["metrics"]])
        token = body.get("next_page_token")
        if not token:
            break
    assert pages == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(client.get_metric_history(run_id, "loss")) == 10
    assert_refused(
        api.get("metrics/get-history", run_id=run_id, metric_key="loss", page_token="not-a-token"), "page_token"
    )
    assert_refused(
        api.get("metrics/get-history", run_id=run_id, metric_key="loss", max_results=0),
        "Invalid value 0 for parameter 'max_results' supplied",
    )


def test_get_history_bulk_returns_each_runs_points_in_time_order(client, api, experiment_id):
    first, second = (client.create_run(experiment_id).info.run_id for _ in range(2))
    points = [
        {"key": "acc", "timestamp": 1, "step": 2, "value": 10.0},
        {"key": "acc", "timestamp": 1, "step": 3, "value": 11.0},
        {"key": "acc", "timestamp": 2, "step": 3, "value": 12.0},
    ]
    _log(client, first, points)
    _log(client, second, [{**p, "value": p["value"] + 1} for p in points])

    body = api.get("metrics/get-history-bulk", run_id=[second, first], metric_key="acc").json()
    expected = sorted(
        [{**p, "run_id": first} for p in points] + [{**p, "run_id": second, "value": p["value"] + 1} for p in points],
        key=lambda p: p["run_id"],
    )
    assert body["metrics"] == expected
    limited = api.get("metrics/get-history-bulk", run_id=[first], metric_key="acc", max_results=2).json()
    assert limited["metrics"] == [{**p, "run_id": first} for p in points[:2]]
    unknown = api.get("metrics/get-history-bulk", run_id=["0" * 32], metric_key="acc").json()
    assert unknown.get("metrics", []) == []


def test_get_history_bulk_refuses_requests_mlflow_refuses(api):
    assert_refused(api.get("metrics/get-history-bulk", metric_key="acc"), "must specify at least one run_id")
    assert_refused(
        api.get("metrics/get-history-bulk", run_id=[f"id{i}" for i in range(101)], metric_key="acc"),
        "cannot specify more than 100 run_ids",
    )
    assert_refused(api.get("metrics/get-history-bulk", run_id=["x"]), "must specify a metric_key")


def test_get_history_bulk_interval_samples_each_run_keeping_first_and_last(client, api, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    _log(client, run_id, [{"key": "lr", "value": 1.0, "step": i, "timestamp": 5} for i in range(10)])

    def steps(**params):
        response = api.get("metrics/get-history-bulk-interval", run_ids=[run_id], metric_key="lr", **params)
        assert response.status_code == 200, response.text
        return [m["step"] for m in response.json()["metrics"]]

    # Ten points in five buckets: each bucket's first point, the last point replacing the fifth sample.
    assert steps(max_results=5) == [0, 2, 4, 6, 9]
    assert steps(max_results=5, start_step=0, end_step=4) == [0, 1, 2, 3, 4]
    assert steps(max_results=3, start_step=2, end_step=8) == [2, 5, 8]
    assert steps() == list(range(10))


def test_get_history_bulk_interval_refuses_requests_mlflow_refuses(client, api, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    url = "metrics/get-history-bulk-interval"
    assert_refused(api.get(url, metric_key="k"), "Missing value for required parameter 'run_ids'.")
    assert_refused(
        api.get(url, run_ids=[f"id{i}" for i in range(101)], metric_key="k"),
        "GetMetricHistoryBulkInterval request must specify at most 100 run_ids.",
    )
    assert_refused(
        api.get(url, run_ids=[run_id], metric_key="k", max_results=0), "max_results must be between 1 and 2500"
    )
    assert_refused(api.get(url, run_ids=[run_id], max_results=5), "Missing value for required parameter 'metric_key'")
    assert_refused(
        api.get(url, run_ids=[run_id], metric_key="k", start_step=1, end_step=0),
        "end_step must be greater than start_step. ",
    )
    assert_refused(
        api.get(url, run_ids=[run_id], metric_key="k", start_step=1),
        "If either start step or end step are specified, both must be specified.",
    )
    response = api.get(url, run_ids=["0" * 32], metric_key="k")
    assert response.status_code == 404 and response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_runs_with_equal_start_times_page_in_run_id_order(client, experiment_id):
    experiment = client.create_experiment("rest-metrics/ties")
    run_ids = sorted(client.create_run(experiment, start_time=1).info.run_id for _ in range(7))
    pages, token = [], None
    while True:
        result = client.search_runs([experiment], max_results=3, page_token=token)
        pages.append([r.info.run_id for r in result])
        token = result.token
        if not token:
            break
    assert pages == [run_ids[0:3], run_ids[3:6], run_ids[6:]]
    # The in-memory path (a LIKE filter) breaks ties the same way.
    matched = client.search_runs([experiment], filter_string="attributes.run_name LIKE '%'", max_results=10)
    assert [r.info.run_id for r in matched] == run_ids


def test_delete_tag_of_an_unknown_run_says_the_run_is_not_found(client):
    with pytest.raises(MlflowException, match=r"Run .+ not found") as excinfo:
        client.delete_tag("fake_run_id", "taggity")
    assert excinfo.value.error_code == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "api/3.0/mlflow/traces"),
        ("GET", "api/2.0/mlflow/traces/tr-1/info"),
        ("POST", "api/2.0/mlflow/registered-models/create-prompt"),
        ("POST", "ajax-api/2.0/mlflow/gateway-proxy"),
        ("GET", "api/2.0/mlflow/gateway/routes"),
        ("POST", "api/3.0/mlflow/scorers/register"),
        ("GET", "api/3.0/mlflow/scorers/list"),
        ("POST", "api/3.0/mlflow/datasets/create"),
    ],
)
def test_areas_modelreg_does_not_serve_answer_endpoint_not_found(server, group, method, path):
    response = requests.request(
        method,
        f"{server.url}/mlflow/{group}/{path}",
        json={},
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=60,
    )
    assert response.status_code == 404, response.text
    assert response.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    assert "docs/mlflow.md" in response.json()["message"]
