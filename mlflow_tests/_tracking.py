"""Pointing the ``mlflow`` client at a registry for a while, as a user's environment would, then undoing it."""

import contextlib
import os
from typing import Dict, Iterator


def client_settings(uri: str, token: str) -> Dict[str, str]:
    """The variables a user sets to reach a registry's group with a token."""
    return {
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_TRACKING_TOKEN": token,
        # A server error should fail the test at once, not after minutes of client retries.
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "120",
        # log_model would otherwise spend seconds per model inferring pip requirements in a subprocess.
        "MLFLOW_REQUIREMENTS_INFERENCE_TIMEOUT": "0",
    }


@contextlib.contextmanager
def pointed_at(uri: str, settings: Dict[str, str]) -> Iterator[str]:
    """Sets ``settings`` (MLFLOW_* variables) and the tracking and registry URI; restores both afterwards.

    Runs still open at the end are ended, so one test's run never leaks into the next. The experiment
    chosen with ``mlflow.set_experiment`` is forgotten on the way in and out: mlflow keeps it in a module
    global and in ``MLFLOW_EXPERIMENT_ID`` across tracking URIs, so an id from one group would otherwise
    be sent to the next.
    """
    import mlflow

    _forget_active_experiment()
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        yield uri
    finally:
        while mlflow.active_run():
            mlflow.end_run()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        mlflow.set_tracking_uri(None)
        mlflow.set_registry_uri(None)
        _forget_active_experiment()


def _forget_active_experiment() -> None:
    from mlflow.tracking import fluent

    # No public call unsets it; mlflow's own tests reset this same global between tests.
    # set_experiment also exports the id for subprocesses, and the fluent API reads that back.
    fluent._active_experiment_id = None
    os.environ.pop("MLFLOW_EXPERIMENT_ID", None)
