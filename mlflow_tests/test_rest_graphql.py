"""MLflow's `/graphql` for the reads its UI makes, answered from the same data as the REST routes.

Field names are camelCase, 64-bit numbers come back as strings, and MLflow's limits on one request (root fields, aliases, depth, selections) apply.
"""

import pytest
import requests


@pytest.fixture(scope="module")
def graphql(server, group):
    def graphql(query, variables=None):
        response = requests.post(
            f"{server.url}/mlflow/{group}/graphql",
            json={"query": query, "variables": variables, "operationName": None},
            headers={"Authorization": f"Bearer {server.token}"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()

    return graphql


@pytest.fixture(scope="module")
def experiment_id(client):
    return client.create_experiment("rest-graphql")


def test_get_run_with_its_experiment_metrics_and_model_versions(graphql, client, experiment_id):
    run = client.create_run(experiment_id, run_name="g1")
    run_id = run.info.run_id
    client.log_metric(run_id, "acc", 0.5, timestamp=7, step=3)
    client.create_registered_model("rest-graphql-model")
    client.create_model_version("rest-graphql-model", f"runs:/{run_id}/model", run_id)

    body = graphql(
        """query GetRun($data: MlflowGetRunInput!) @component(name: "Test") {
            mlflowGetRun(input: $data) {
              run {
                info { runId runName status startTime }
                data { metrics { key value timestamp step } }
                experiment { experimentId name }
                modelVersions { name version }
              }
            }
        }""",
        {"data": {"runId": run_id}},
    )
    assert body["errors"] is None
    got = body["data"]["mlflowGetRun"]["run"]
    assert got["info"]["runId"] == run_id and got["info"]["runName"] == "g1"
    assert got["info"]["status"] == client.get_run(run_id).info.status
    assert got["info"]["startTime"] == str(run.info.start_time)
    metrics = {m["key"]: m for m in got["data"]["metrics"]}
    assert metrics["acc"] == {"key": "acc", "value": 0.5, "timestamp": "7", "step": "3"}
    assert got["experiment"] == {"experimentId": experiment_id, "name": "rest-graphql"}
    assert got["modelVersions"] == [{"name": "rest-graphql-model", "version": "1"}]


def test_experiment_search_runs_artifacts_and_sampled_history(graphql, client, experiment_id, tmp_path):
    run_id = client.create_run(experiment_id).info.run_id
    for step in range(4):
        client.log_metric(run_id, "loss", float(step), step=step)
    (tmp_path / "a.txt").write_text("hello world")
    client.log_artifact(run_id, str(tmp_path / "a.txt"), "dir")

    body = graphql(
        f"""query {{
          exp: mlflowGetExperiment(input: {{experimentId: "{experiment_id}"}}) {{ experiment {{ name }} }}
          files: mlflowListArtifacts(input: {{runId: "{run_id}"}}) {{ files {{ path isDir fileSize }} }}
          sub: mlflowListArtifacts(input: {{runId: "{run_id}", path: "dir"}}) {{ files {{ path fileSize }} }}
          history: mlflowGetMetricHistoryBulkInterval(input: {{runIds: ["{run_id}"], metricKey: "loss"}}) {{
            metrics {{ step value runId }}
          }}
        }}"""
    )
    assert body["errors"] is None, body
    data = body["data"]
    assert data["exp"]["experiment"]["name"] == "rest-graphql"
    assert data["files"]["files"] == [{"path": "dir", "isDir": True, "fileSize": "0"}]
    assert data["sub"]["files"] == [{"path": "dir/a.txt", "fileSize": "11"}]
    assert [(m["step"], m["value"]) for m in data["history"]["metrics"]] == [(str(s), float(s)) for s in range(4)]

    searched = graphql(
        f"""mutation {{ mlflowSearchRuns(input: {{experimentIds: ["{experiment_id}"], maxResults: 1}}) {{
            runs {{ info {{ runId }} }} nextPageToken }} }}"""
    )
    page = searched["data"]["mlflowSearchRuns"]
    assert page["runs"] == [{"info": {"runId": run_id}}] and page["nextPageToken"]


def test_errors_come_back_as_messages(graphql):
    missing = graphql(
        'query { mlflowGetRun(input: {runId: "0123456789abcdef0123456789abcdef"}) { run { info { runId } } } }'
    )
    assert missing["data"]["mlflowGetRun"] is None
    assert "not found" in missing["errors"][0]
    assert graphql("query { nope }")["errors"][0].startswith("Cannot query field")


def _get_experiment(selection: str) -> str:
    return 'query { mlflowGetExperiment(input: {experimentId: "0"}) { ' + selection + " } }"


def test_mlflows_limits_on_one_request(graphql):
    def first_error(query):
        return graphql(query)["errors"][0]

    many_roots = "query {" + " ".join(f'k{i}: test(inputString: "a") {{ output }}' for i in range(12)) + "}"
    assert "GraphQL queries should have at most 10 root fields, got 12" in first_error(many_roots)
    many_aliases = _get_experiment(" ".join(f"e{i}: experiment {{ name }}" for i in range(12)))
    assert "queries should have at most 10 aliases" in first_error(many_aliases)
    inner = "name"
    for _ in range(12):
        inner = f"name {{ {inner} }}"
    assert "Query exceeds maximum depth of 10" in first_error(_get_experiment(f"experiment {{ {inner} }}"))
    wide = " ".join(f"f{i} {{ name }}" for i in range(1002))
    assert "Query exceeds maximum total selections of 1000" in first_error(_get_experiment(f"experiment {{ {wide} }}"))
    assert graphql('query { test(inputString: "abc") { output } }')["data"] == {"test": {"output": "abc"}}
