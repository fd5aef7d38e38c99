"""One click logs the run (issue 11): a real kernel per library trains a model with no modelreg code;
``inspect`` finds it, ``log_notebook`` logs it, the version it is promoted to loads in a fresh process
and predicts exactly what the kernel's object predicted."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List

import modelreg
import pytest
from modelreg.jupyter import EVENT_MIME

np = pytest.importorskip("numpy")

IRIS = """
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
"""


class Kernel:
    """A real ipykernel driven over jupyter_client, as JupyterLab drives it."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def run(self, code: str, store_history: bool = True) -> List[Dict[str, Any]]:
        """Execute ``code``; returns the modelreg events it displayed. Fails on an error in the kernel."""
        events: List[Dict[str, Any]] = []
        errors: List[str] = []

        def hook(msg: Dict[str, Any]) -> None:
            content = msg["content"]
            if msg["msg_type"] == "display_data" and EVENT_MIME in content.get("data", {}):
                events.append(content["data"][EVENT_MIME])
            elif msg["msg_type"] == "error":
                errors.append("\n".join(content.get("traceback", [])))

        reply = self.client.execute_interactive(
            textwrap.dedent(code), store_history=store_history, timeout=300, output_hook=hook
        )
        assert reply["content"]["status"] == "ok", f"kernel error running:\n{code}\n" + "\n".join(errors)
        return events

    def value(self, expression: str) -> Any:
        """A JSON-able value computed in the kernel."""
        events = self.run(
            f"from modelreg.jupyter import emit as _e\n_e({{'event': 'value', 'value': {expression}}})",
            store_history=False,
        )
        return events[-1]["value"]

    def inspect(self) -> Dict[str, Any]:
        """What the extension's dialog asks before it opens."""
        [event] = self.run("import modelreg.jupyter\nmodelreg.jupyter.report_inspection()", store_history=False)
        assert event["event"] == "inspection", event
        return event

    def log(self, model: str, **kwargs: Any) -> Dict[str, Any]:
        arguments = json.dumps(dict(kwargs, model=model, notebook_path="work/train.ipynb"))
        events = self.run(
            f"import json, modelreg.jupyter\nmodelreg.jupyter.log_notebook(**json.loads({arguments!r}))",
            store_history=False,
        )
        assert events and events[-1]["event"] == "result", events
        return events[-1]["candidate"]


def _write_notebook(folder: Path, cells: List[Dict[str, Any]]) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "source": c["source"],
                "execution_count": c.get("count"),
            }
            for c in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / "train.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    _write_notebook(folder, [])
    return folder


@pytest.fixture
def kernel(server_env: Dict[str, str], workdir: Path, clean_env: Path) -> Iterator[Kernel]:
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, JPY_SESSION_NAME="work/train.ipynb", MPLBACKEND="Agg")
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(workdir), env=env)
    try:
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _fresh_process_predict(ref: str, predict: str, workdir: Path, imports: str = "") -> Any:
    """``modelreg.load(ref)`` in a new Python process, predicting on the kernel's saved inputs."""
    code = textwrap.dedent(f"""
        import warnings
        import numpy as np
        import modelreg
        {imports}
        X = np.load("inputs.npy", allow_pickle=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = modelreg.load({ref!r})
            modelreg.load({ref!r})  # twice: a pickle warning is shown once per process
        np.save("got.npy", np.asarray({predict}))
        print(json.dumps([str(w.message) for w in caught]))
    """).replace("import warnings", "import json, warnings", 1)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=str(workdir),
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr
    return np.load(workdir / "got.npy"), json.loads(done.stdout.strip().splitlines()[-1])


FLAVORS = {
    "sklearn-estimator": dict(
        train=IRIS
        + """
from sklearn.ensemble import RandomForestClassifier
clf = RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0).fit(X_train, y_train)
accuracy = clf.score(X_test, y_test)
""",
        variable="clf",
        flavor="sklearn",
        metric="accuracy",
        param=("n_estimators", "20"),
        predict="{m}.predict_proba({X})",
        files={"model.skops"},
    ),
    "sklearn-pipeline": dict(
        train=IRIS
        + """
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=500)).fit(X_train, y_train)
test_f1 = 0.93
""",
        variable="pipe",
        flavor="sklearn",
        metric="test_f1",
        param=("logisticregression__C", "0.5"),
        predict="{m}.predict_proba({X})",
        files={"model.skops"},
    ),
    "xgboost": dict(
        train=IRIS
        + """
import xgboost
booster = xgboost.XGBClassifier(n_estimators=15, max_depth=3, learning_rate=0.3).fit(X_train, y_train)
val_logloss = 0.12
""",
        variable="booster",
        flavor="xgboost",
        metric="val_logloss",
        param=("max_depth", "3"),
        predict="{m}.predict_proba({X})",
        files={"model.json"},
    ),
    "lightgbm": dict(
        train=IRIS
        + """
import lightgbm
gbm = lightgbm.LGBMClassifier(n_estimators=15, num_leaves=7, verbose=-1).fit(X_train, y_train)
auc = 0.99
""",
        variable="gbm",
        flavor="lightgbm",
        metric="auc",
        param=("num_leaves", "7"),
        predict="{m}.predict_proba({X})",
        files={"booster.txt"},
    ),
    "torch": dict(
        train=IRIS
        + """
import torch
torch.manual_seed(0)
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.out = torch.nn.Linear(8, 3)
    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))
net = Net()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
inputs, targets = torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train)
for _ in range(20):
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(inputs), targets)
    loss.backward()
    optimizer.step()
net.eval()
""",
        variable="net",
        flavor="torch",
        metric="loss",
        param=("parameter_count", "67"),
        predict="{m}(torch.tensor({X}, dtype=torch.float32)).detach().numpy()",
        imports="import torch",
        files={"state_dict.pt", "model.torchscript.pt"},
    ),
}


@pytest.mark.parametrize("case", sorted(FLAVORS))
def test_a_model_trained_without_modelreg_code_is_inspected_logged_promoted_and_loads_elsewhere(
    case: str, kernel: Kernel, model: str, registry: modelreg.Registry, workdir: Path
) -> None:
    spec = FLAVORS[case]
    if spec["flavor"] in ("xgboost", "lightgbm", "torch"):
        pytest.importorskip(spec["flavor"])
    kernel.run(spec["train"])
    variable = spec["variable"]
    predict_in_kernel = spec["predict"].format(m=variable, X="X_test")
    kernel.run(
        f"import numpy as np\nnp.save('inputs.npy', X_test)\nnp.save('expected.npy', np.asarray({predict_in_kernel}))",
        store_history=False,
    )

    found = kernel.inspect()
    first = found["models"][0]
    assert first["variable"] == variable and first["flavor"] == spec["flavor"], found["models"]
    assert first["library_version"] and first["class"] and first["size_estimate"] is not None
    key, value = spec["param"]
    assert str(first["params"][key]) == value, first["params"]
    assert spec["metric"] in [m["name"] for m in found["metrics"]]
    if spec["flavor"] != "torch":
        assert any(d["name"] == "X_train" and d["shape"] == [112, 4] for d in found["datasets"]), found["datasets"]
    libraries = ("xgboost", "lightgbm", "torch", "keras", "statsmodels", "matplotlib")
    imported = kernel.value(f"sorted(m for m in {libraries!r} if m in __import__('sys').modules)")
    assert imported == sorted(m for m in libraries if m in spec["train"]), "inspect imported a library"

    candidate = kernel.log(model, models=[variable], metrics=[spec["metric"]])
    assert candidate["status"] == "finished" and candidate["iid"] == 1
    assert candidate["params"][key] == value
    assert spec["metric"] in candidate["metrics"]
    assert candidate["provenance"]["models"][0]["flavor"] == spec["flavor"]
    if spec["flavor"] != "torch":  # the training data's digest is lineage, the data itself is not sent
        [x_train] = [d for d in candidate["provenance"]["datasets"] if d["name"] == "X_train"]
        assert len(x_train["sha256"]) == 64 and x_train["complete"] is True
    paths = {a["path"] for a in registry.get_candidate(model, candidate["iid"]).artifacts()}
    assert {f"models/{variable}/{name}" for name in spec["files"] | {"modelreg.json"}} <= paths, paths
    assert "environment/requirements.txt" in paths and "notebook/train.ipynb" in paths

    registry.promote(model, candidate["iid"], "1.0.0")
    descriptor = json.loads((registry.pull(f"{model}@1.0.0") / "models" / variable / "modelreg.json").read_text())
    assert descriptor["flavor"] == spec["flavor"] and descriptor["variable"] == variable
    assert descriptor["python"] and descriptor["load"] and set(descriptor["files"]) >= spec["files"]
    if spec["flavor"] != "torch":  # an input example from the training data's first rows
        assert len(descriptor["input_example"]["data"]) == 5 and descriptor["input_example"]["shape"] == [None, 4]
    got, warned = _fresh_process_predict(
        f"{model}@1.0.0", spec["predict"].format(m="model", X="X"), workdir, spec.get("imports", "")
    )
    expected = np.load(workdir / "expected.npy")
    assert got.shape == expected.shape and np.array_equal(got, expected)
    assert not [w for w in warned if "unpickling" in w], "a safe format warned about pickle"


def test_a_user_named_object_is_pickled_and_loading_it_warns_once(
    kernel: Kernel, model: str, registry: modelreg.Registry, workdir: Path
) -> None:
    kernel.run("""
        import numpy as np
        x = np.linspace(0, 1, 50)
        poly = np.polynomial.Polynomial.fit(x, np.sin(6 * x), 5)
        np.save('inputs.npy', x[:7])
        np.save('expected.npy', poly(x[:7]))
    """)
    assert "poly" not in [m["variable"] for m in kernel.inspect()["models"]]  # not a model until named
    candidate = kernel.log(model, models=["poly"], metrics=None)
    assert candidate["provenance"]["models"][0]["flavor"] == "python"
    registry.promote(model, candidate["iid"], "1.0.0")
    got, warned = _fresh_process_predict(f"{model}@1.0.0", "model(X)", workdir)
    assert np.array_equal(got, np.load(workdir / "expected.npy"))
    assert len([w for w in warned if "unpickling runs code" in w]) == 1, warned


def test_each_click_is_a_new_candidate_and_a_finished_one_is_never_reopened(
    kernel: Kernel, model: str, registry: modelreg.Registry
) -> None:
    kernel.run(
        IRIS + "from sklearn.tree import DecisionTreeClassifier\n"
        "tree = DecisionTreeClassifier(max_depth=2).fit(X_train, y_train)\naccuracy = 0.9\n"
    )
    first = kernel.log(model, name="first")
    second = kernel.log(model, name="second")
    assert (first["iid"], second["iid"]) == (1, 2)
    again = registry.get_candidate(model, 1)
    assert again.name == "first" and again.status == "finished"
    assert {a["path"] for a in again.artifacts()} >= {"models/tree/modelreg.json"}
    assert len(registry.candidates(model)) == 2


def test_a_candidate_the_code_left_running_is_completed_not_duplicated(
    kernel: Kernel, model: str, registry: modelreg.Registry
) -> None:
    kernel.run(
        IRIS
        + f"""
import modelreg
run = modelreg.start_candidate({model!r}, name="from-code")
modelreg.log_param("max_depth", 2)
from sklearn.tree import DecisionTreeClassifier
tree = DecisionTreeClassifier(max_depth=2).fit(X_train, y_train)
accuracy = tree.score(X_test, y_test)
"""
    )
    logged = kernel.log(model, models=["tree"], metrics=["accuracy"])
    assert logged["iid"] == kernel.value("run.iid") and logged["status"] == "finished"
    assert logged["params"]["max_depth"] == "2" and "criterion" in logged["params"]
    assert len(registry.candidates(model)) == 1
    assert kernel.log(model)["iid"] == 2  # that one is finished now: the next click is new


def test_autolog_logs_fit_params_into_a_running_candidate_that_the_click_completes(
    kernel: Kernel, model: str, registry: modelreg.Registry
) -> None:
    kernel.run(
        IRIS
        + f"""
import modelreg
from sklearn.ensemble import GradientBoostingClassifier
modelreg.autolog(model={model!r})
gb = GradientBoostingClassifier(n_estimators=5, max_depth=2).fit(X_train, y_train)
import lightgbm
gbm = lightgbm.LGBMClassifier(n_estimators=4, num_leaves=5, verbose=-1)
gbm = gbm.fit(X_train, y_train, eval_set=[(X_test, y_test)])
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
_ = ax.plot([1, 2, 3])
_ = ax.set_title("loss curve")
"""
    )
    [running] = registry.candidates(model)
    # The first fit opened the candidate; later fits add their params, the first value of a param wins.
    assert running.status == "running" and running.params["n_estimators"] == "5"
    assert running.params["num_leaves"] == "5"
    logged = kernel.log(model, models=["gb", "gbm"], metrics=None, figures=["fig"])
    assert logged["iid"] == running.iid and logged["status"] == "finished"
    assert "training_score" in logged["metrics"] and "valid_0-multi_logloss" in logged["metrics"]
    assert logged["params"]["gbm.num_leaves"] == "5"  # several models: params prefixed by variable
    paths = {a["path"] for a in registry.get_candidate(model, running.iid).artifacts()}
    assert {"figures/fig.png", "models/gb/modelreg.json", "models/gbm/modelreg.json"} <= paths


def test_out_of_order_runs_and_edited_cells_are_flagged(kernel: Kernel, model: str, workdir: Path) -> None:
    cells = ["a = 1", "b = a + 1", "c = b * 2"]
    kernel.run(cells[0])  # execution 1: cell 1
    kernel.run(cells[2].replace("c = b * 2", "b = 5\nc = b * 2"))  # execution 2: cell 3 (then edited)
    kernel.run(cells[1])  # execution 3: cell 2
    _write_notebook(
        workdir, [{"source": cells[0], "count": 1}, {"source": cells[1], "count": 3}, {"source": cells[2], "count": 2}]
    )
    provenance = kernel.log(model, models=None, metrics=None)["provenance"]["cells"]
    assert provenance["order"] == [1, 3, 2] and provenance["out_of_order"] is True
    assert provenance["edited_since_run"] == [3] and provenance["notebook_differs"] is True
    assert provenance["summary"] == "cells 1, 3, 2 ran (out of order); cell 3 edited since"
    first = provenance["executed"][0]
    import hashlib

    assert first["source"] == "a = 1" and first["sha256"] == hashlib.sha256(b"a = 1").hexdigest()


def test_inspect_imports_nothing_the_code_did_not() -> None:
    code = (
        "import sys, modelreg.jupyter\n"
        "found = modelreg.jupyter.inspect({'accuracy': 0.5, 'x': [1, 2], 'name': 'n'})\n"
        "assert found['metrics'] == [{'name': 'accuracy', 'value': 0.5, 'variable': 'accuracy'}], found\n"
        "heavy = [m for m in ('numpy', 'sklearn', 'torch', 'xgboost', 'lightgbm', 'matplotlib', 'pandas',"
        " 'keras', 'statsmodels', 'skops', 'joblib') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_load_reads_a_candidate_and_says_when_a_version_holds_no_model(
    server_env: Dict[str, str], model: str, registry: modelreg.Registry, workdir: Path, tmp_path: Path
) -> None:
    import modelreg.jupyter
    from sklearn.linear_model import LinearRegression

    features = np.arange(20, dtype=float).reshape(10, 2)
    fitted = LinearRegression().fit(features, features @ [1.5, -2.0] + 3)
    namespace = {"reg_model": fitted, "X_train": features, "rmse": 0.0}
    logged = modelreg.jupyter.log_notebook(
        model, notebook_path="work/train.ipynb", attach_notebook=False, namespace=namespace
    )
    assert logged is not None and logged["metrics"]["rmse"]["value"] == 0.0
    loaded = modelreg.load(f"{model}#{logged['iid']}")
    assert np.array_equal(loaded.predict(features), fitted.predict(features))
    with pytest.raises(modelreg.NotFound, match="no model 'other'"):
        modelreg.load(f"{model}#{logged['iid']}", variable="other")

    with registry.candidate(model, name="files-only") as files_only:
        (tmp_path / "weights.bin").write_bytes(b"\0" * 8)
        files_only.log_artifact(tmp_path / "weights.bin")
    files_only.promote("2.0.0")
    with pytest.raises(modelreg.NotFound, match="modelreg.pull") as raised:
        modelreg.load(f"{model}@2.0.0")
    assert raised.value.code == "NO_MODEL_DESCRIPTOR"
