"""The cross-check benchmark's smoke mode (bench/analytics.py) runs on the test database,
so the benchmark cannot rot: over the test city's year the service and the naive baseline
flag the same grids, the planted blind spots among them."""

from __future__ import annotations

import pytest


def test_crosscheck_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.analytics import crosscheck_figures

    figures = crosscheck_figures(smoke=True, runs=1)
    assert figures.same and figures.incidents > 0
    assert figures.blind >= 1  # the demo's planted blind spots: both sides find the same
    assert figures.service_s > 0 and figures.naive_s > 0
    out = capsys.readouterr().out
    assert "naive (pandas + loops)" in out and "same blind spots: True" in out
