"""The density benchmark's smoke mode (bench/density.py --smoke) runs on the test database,
so the benchmark cannot rot again: the in-process client reads every layer with a
``layers:read`` token (it got 401 once sign-in came) and prints its rows."""

from __future__ import annotations

import pytest


def test_density_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.density import main

    main(["--smoke"])
    out = capsys.readouterr().out
    assert "city-wide, 365 d, z9" in out and "county" in out
    assert "bytes per visible feature" in out and "density" in out
