"""Helpers shared by the tests of MLflow's REST routes (test_rest_*.py)."""


def assert_refused(response, message: str, code: str = "INVALID_PARAMETER_VALUE", status: int = 400) -> None:
    """The response is MLflow's error `code` with `status`, and its message contains `message`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert message in body["message"], body["message"]
