"""Benchmark of ``modelreg.jupyter.inspect()`` on a large notebook namespace. Prints a table.

The namespace has 1,000 variables: a 1 GiB float32 array shaped like the model's training data (so
it is matched as a dataset and its digest reads the first 64 MiB in place), a fitted scikit-learn
model and pipeline, 20 metrics, 100 small arrays, 40 dicts, and scalars, strings and lists.
The target (issue 11) is under 300 ms.

Usage:
    .venv/bin/python python_client/bench/bench_inspect.py [--runs 9] [--gib 1]
"""

import argparse
import statistics
import sys
import time

import modelreg.jupyter
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def namespace(gib: float) -> dict:
    features = 16
    rows = int(gib * 2**30) // (4 * features)
    big = np.ones((rows, features), dtype=np.float32)  # touches every page: really resident
    small_x = np.random.default_rng(0).random((500, features))
    small_y = (small_x[:, 0] > 0.5).astype(int)
    ns = {
        "X_train_big": big,
        "X_train": small_x,
        "y_train": small_y,
        "clf": RandomForestClassifier(n_estimators=20, random_state=0).fit(small_x, small_y),
        "pipe": make_pipeline(StandardScaler(), LogisticRegression()).fit(small_x, small_y),
    }
    for i in range(20):
        ns[f"val_metric_{i}_auc"] = 0.5 + i / 100
    for i in range(100):
        ns[f"array_{i}"] = np.arange(100 + i)
    for i in range(40):
        ns[f"config_{i}"] = {"lr": 0.1, "depth": i, "name": f"run{i}"}
    i = 0
    while len(ns) < 1000:
        kind = i % 4
        ns[f"var_{i}"] = [i, i + 1] if kind == 0 else f"text {i}" if kind == 1 else float(i) if kind == 2 else i
        i += 1
    return ns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--gib", type=float, default=1.0, help="size of the large array in GiB")
    args = parser.parse_args()
    ns = namespace(args.gib)
    found = modelreg.jupyter.inspect(ns)  # warm-up; also shows what is found
    timings = {"inspect() with digests": [], "inspect(digests=False)": []}
    for _ in range(args.runs):
        for label, digests in (("inspect() with digests", True), ("inspect(digests=False)", False)):
            start = time.perf_counter()
            modelreg.jupyter.inspect(ns, digests=digests)
            timings[label].append((time.perf_counter() - start) * 1000)
    big = ns["X_train_big"]
    print(f"namespace: {len(ns)} variables, largest {big.nbytes / 2**30:.2f} GiB {big.dtype} {big.shape}")
    print(
        f"found: {len(found['models'])} models ({', '.join(m['variable'] for m in found['models'])}), "
        f"{len(found['metrics'])} metrics, {len(found['datasets'])} datasets "
        f"({', '.join(d['name'] for d in found['datasets'])})"
    )
    print(f"{'measure':<26}{'median ms':>10}{'min ms':>10}{'max ms':>10}{'target ms':>11}")
    for label, values in timings.items():
        print(f"{label:<26}{statistics.median(values):>10.1f}{min(values):>10.1f}{max(values):>10.1f}{300:>11}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
