"""The routes the MLflow UI calls next to the REST API: upload-artifact and get-artifact.

Both are relative to the tracking URI (`<registry>/mlflow/<group>`) and store into, or read from,
the same content-addressed artifacts the run has in modelreg.
"""

import pytest
import requests
from _rest import assert_refused


@pytest.fixture(scope="module")
def base(server, group):
    return f"{server.url}/mlflow/{group}"


@pytest.fixture(scope="module")
def headers(server):
    return {"Authorization": f"Bearer {server.token}"}


@pytest.fixture(scope="module")
def run_id(client):
    return client.create_run(client.create_experiment("rest-ui")).info.run_id


def test_upload_artifact_stores_the_body_as_a_run_artifact(base, headers, run_id, client, registry, group):
    response = requests.post(
        f"{base}/ajax-api/2.0/mlflow/upload-artifact",
        params={"run_uuid": run_id, "path": "notes/hello.txt"},
        data="hello world",
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert [f.path for f in client.list_artifacts(run_id, "notes")] == ["notes/hello.txt"]
    download = requests.get(
        f"{base}/get-artifact", params={"run_uuid": run_id, "path": "notes/hello.txt"}, headers=headers, timeout=60
    )
    assert download.status_code == 200 and download.text == "hello world"
    assert download.headers["content-type"].startswith("text/plain")


def test_upload_artifact_refuses_what_mlflow_refuses(base, headers, run_id):
    url = f"{base}/ajax-api/2.0/mlflow/upload-artifact"

    def upload(params, data=None):
        return requests.post(url, params=params, data=data, headers=headers, timeout=60)

    assert_refused(upload({}), "Request must specify run_uuid.")
    assert_refused(upload({"run_uuid": run_id}), "Request must specify path.")
    assert_refused(upload({"run_uuid": run_id, "path": ""}), "Request must specify path.")
    assert_refused(upload({"run_uuid": run_id, "path": "../escape.txt"}, b"x"), "Invalid path")
    assert_refused(upload({"run_uuid": run_id, "path": "empty.txt"}), "Request must specify data.")
    assert_refused(upload({"run_uuid": run_id, "path": "big.bin"}, b"0" * (10 * 1024 * 1024 + 1)), "Max size is 10MB")
    assert_refused(upload({"run_uuid": "0" * 32, "path": "a.txt"}, b"x"), "not found", "RESOURCE_DOES_NOT_EXIST", 404)


def test_get_artifact_of_a_missing_file_is_not_found(base, headers, run_id):
    response = requests.get(
        f"{base}/get-artifact", params={"run_id": run_id, "path": "nope.txt"}, headers=headers, timeout=60
    )
    assert_refused(response, "nope.txt", "RESOURCE_DOES_NOT_EXIST", 404)


def test_search_datasets_checks_the_experiment_ids_as_mlflow_does(base, headers):
    url = f"{base}/ajax-api/2.0/mlflow/experiments/search-datasets"

    def search(body):
        return requests.post(url, json=body, headers=headers, timeout=60)

    assert_refused(search({}), "SearchDatasets request must specify at least one experiment_id.")
    assert_refused(search({"experiment_ids": []}), "SearchDatasets request must specify at least one experiment_id.")
    assert_refused(
        search({"experiment_ids": [str(i) for i in range(21)]}),
        "SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.",
    )
