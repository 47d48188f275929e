"""The briefing benchmark's smoke mode (bench/briefing.py --smoke) runs on the test database:
a daily briefing's figures, map and HTML for a county and the city, and its KPIs by SQL
checked equal to the naive count over loaded rows, so the benchmark cannot rot unseen."""

from __future__ import annotations

import pytest


def test_briefing_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.briefing import main

    main(["--smoke"])
    out = capsys.readouterr().out
    assert "全市" in out and "PDF end to end" in out
    assert out.count("naive/SQL") == 2  # the county's and the city's KPIs, checked equal
