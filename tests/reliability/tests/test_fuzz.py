"""A bounded schemathesis run (a few hundred cases); `python tests/reliability/fuzz.py` goes deeper."""

import fuzz


def test_openapi_fuzz_finds_no_server_errors_and_responses_conform():
    res = fuzz.run(max_examples=4, phases="fuzzing", seed=3, mlflow_examples=2)
    for part in res.values():
        assert part["cases"] > 100, part["output"][-3000:]
        assert part["exit_code"] == 0, part["output"][-6000:]
        assert part["failures"] == 0 and part["server_errors"] == 0
