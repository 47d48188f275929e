"""The cross-check benchmark's smoke mode (bench/analytics.py) runs on the test database,
so the benchmark cannot rot: the service and the naive baseline flag the same grids."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "analytics.py"


def test_crosscheck_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_analytics", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_analytics"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    figures = module.crosscheck_figures(smoke=True, runs=1)
    assert figures.same and figures.incidents > 0
    assert figures.service_s > 0 and figures.naive_s > 0
    out = capsys.readouterr().out
    assert "naive (pandas + loops)" in out and "same blind spots: True" in out
