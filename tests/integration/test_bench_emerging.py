"""The emerging hot-spot benchmark's smoke mode (bench/analytics_emerging.py --smoke)
runs on the test database, so the benchmark cannot rot: both sides analyse the same
weeks and agree on every cell's category, and nothing is written."""

from __future__ import annotations

import pytest


def test_emerging_benchmark_smoke(session, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import text

    from bench.analytics_emerging import main

    figures = main(["--smoke"])
    assert figures.cells > 0 and figures.incidents > 0 and figures.weeks == 12
    assert figures.same, "the naive baseline disagrees with governance/emerging"
    assert figures.fast_s > 0 and figures.naive_s > 0 and figures.ratio > 0
    out = capsys.readouterr().out
    assert "naive baseline" in out and "same category for every cell: yes" in out
    assert session.execute(text("SELECT count(*) FROM emerging_run")).scalar_one() == 0
