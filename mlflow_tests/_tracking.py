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
    }


@contextlib.contextmanager
def pointed_at(uri: str, settings: Dict[str, str]) -> Iterator[str]:
    """Sets ``settings`` (MLFLOW_* variables) and the tracking and registry URI; restores both afterwards.

    Runs still open at the end are ended, so one test's run never leaks into the next.
    """
    import mlflow

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
