"""The load benchmark's smoke mode (bench/load.py --smoke) runs on the test database, so
it cannot rot: a real server, map clients and wall screens for a few seconds, the same
SQL beside them, and every line of its report."""

from __future__ import annotations

import pytest


@pytest.mark.commits  # the served app must see the benchmark's token and account
def test_load_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.load import main

    result = main(["--smoke"])
    out = capsys.readouterr().out
    for line in ("SQL alone", "endpoint (+2 walls)", "wall refreshes", "layer cache:",
                 "endpoint / SQL", "targets:", "load average after"):  # fmt: skip
        assert line in out, out
    assert result["endpoint"]["n"] > 0 and result["sql"]["n"] > 0, out
    assert result["endpoint"]["errors"] == 0 and result["sql"]["errors"] == 0, out
    assert set(result["outcomes"]) <= {"hit", "miss"}, result["outcomes"]
    assert result["walls"]["n"] > 0 and result["walls"]["errors"] == 0, out
