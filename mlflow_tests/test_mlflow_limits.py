"""Security regressions on the MLflow routes (issue 14): bounded batches and non-finite metrics.

Findings 7 and 8: `log_metric(NaN)` was a 500 (MLflow's client retries those for minutes), infinities
came back as null, and more than 10,922 params or tags in one request overflowed SQLite (a 500).
"""

import math

import pytest
from _rest import assert_refused
from mlflow.entities import Metric, Param, RunTag

MAX_DOUBLE = 1.7976931348623157e308
SPLIT = "Please split up {0} across multiple requests and try again."


@pytest.fixture(scope="module")
def experiment_id(client):
    return client.create_experiment("limits")


def _entries(n, prefix):
    return [{"key": f"{prefix}{i}", "value": str(i)} for i in range(n)]


def _metrics(n):
    return [{"key": f"m{i}", "value": i, "timestamp": 1, "step": 0} for i in range(n)]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"params": _entries(101, "p")}, "at most 100 params. Got 101 params. " + SPLIT.format("params")),
        ({"tags": _entries(101, "t")}, "at most 100 tags. Got 101 tags. " + SPLIT.format("tags")),
        ({"metrics": _metrics(1001)}, "at most 1000 metrics. Got 1001 metrics. " + SPLIT.format("metrics")),
        (
            {"metrics": _metrics(950), "params": _entries(40, "p"), "tags": _entries(40, "t")},
            "at most 1000 metrics, params, and tags. Got 1030 metrics, params, and tags.",
        ),
        # 10,923 keys once overflowed SQLite's bound variables: a 500, never again.
        ({"params": _entries(10_923, "p")}, "at most 100 params. Got 10923 params."),
        ({"tags": _entries(12_000, "t")}, "at most 100 tags. Got 12000 tags."),
    ],
)
def test_log_batch_is_bounded_as_mlflow_bounds_it_and_writes_nothing_when_refused(
    post, client, experiment_id, body, message
):
    run_id = client.create_run(experiment_id).info.run_id
    response = post("runs/log-batch", {"run_id": run_id, **body})
    assert_refused(response, "A batch logging request can contain " + message)
    data = client.get_run(run_id).data
    assert (data.params, data.metrics) == ({}, {})
    assert not [k for k in data.tags if not k.startswith("mlflow.")]


def test_batches_at_the_limits_are_stored_whole(post, client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    body = {"run_id": run_id, "metrics": _metrics(800), "params": _entries(100, "p"), "tags": _entries(100, "t")}
    response = post("runs/log-batch", body)
    assert response.status_code == 200, response.text
    data = client.get_run(run_id).data
    assert (len(data.params), len(data.metrics)) == (100, 800)
    assert sum(k.startswith("t") for k in data.tags) == 100


def test_the_client_splits_large_batches_and_each_part_is_taken(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_batch(
        run_id,
        params=[Param(f"p{i}", str(i)) for i in range(1_500)],
        tags=[RunTag(f"t{i}", "v") for i in range(250)],
        metrics=[Metric(f"m{i}", float(i), 1, 0) for i in range(2_500)],
    )
    data = client.get_run(run_id).data
    assert (len(data.params), len(data.metrics)) == (1_500, 2_500)


def test_nan_and_infinities_are_stored_and_read_back_as_mlflow_does(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_metric(run_id, "nan", math.nan, step=0)
    client.log_metric(run_id, "up", math.inf, step=0)
    client.log_metric(run_id, "down", -math.inf, step=0)
    client.log_batch(run_id, metrics=[Metric("nan", math.nan, 2, 1)])
    metrics = client.get_run(run_id).data.metrics
    assert math.isnan(metrics["nan"])
    assert (metrics["up"], metrics["down"]) == (MAX_DOUBLE, -MAX_DOUBLE)
    history = client.get_metric_history(run_id, "nan")
    assert sorted(m.step for m in history) == [0, 1] and all(math.isnan(m.value) for m in history)


def test_compare_ignores_nan_when_it_picks_the_best(client, registry, group):
    experiment = client.create_experiment("limits-compare")
    scores = {"good": 0.9, "broken": math.nan, "poor": 0.5}
    for name, score in scores.items():
        run_id = client.create_run(experiment, run_name=name).info.run_id
        client.log_metric(run_id, "acc", score)
    candidates = registry.get(f"/models/{group}/mlflow-runs/candidates?limit=500")["items"]
    iids = {c["name"]: c["iid"] for c in candidates if c["name"] in scores}
    refs = ",".join(f"c:{iids[name]}" for name in scores)
    compare = registry.get(f"/models/{group}/mlflow-runs/compare?refs={refs}")
    (acc,) = [m for m in compare["metrics"] if m["key"] == "acc"]
    assert acc["best"] == 0  # "good", not the NaN
