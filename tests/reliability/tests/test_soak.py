"""A few seconds of the soak workload; `python tests/reliability/soak.py` is the 50-client, 2-minute run."""

import soak


def test_short_soak_has_no_errors():
    res = soak.run(clients=8, duration=8, models=3, file_size=16 * 1024)
    assert res["requests"] > 50
    assert set(res["ops"]) == set(soak.OPS)
    assert res["errors"] == 0
