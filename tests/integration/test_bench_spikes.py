"""The spike warnings benchmark's smoke mode (bench/analytics_spikes.py --smoke) runs on the
test database, so the benchmark cannot rot: the evaluation and the naive baseline agree on
every series' expected count and p value and on the flagged set, which holds the demo
city's planted bursts."""

from __future__ import annotations

import pytest

from bench import analytics_spikes


def test_spike_benchmark_smoke(session, capsys: pytest.CaptureFixture[str]) -> None:
    figures = analytics_spikes.main(["--smoke"])
    assert figures.series > 0 and figures.incidents > 0
    assert figures.flagged >= 2  # the demo's two planted bursts (at least)
    assert figures.fast_s > 0 and figures.naive_s > 0 and figures.ratio > 0
    out = capsys.readouterr().out
    assert "naive baseline (pandas + loops)" in out and "the same on both sides" in out


def test_the_baseline_would_notice_a_different_answer(session) -> None:
    """The comparison is real: a result that differs in one p value is refused."""
    from datetime import timedelta

    from geodata.queries import spikes as q

    at = q.last_occurred(session) + timedelta(minutes=1)
    mine = analytics_spikes.fast(session, at)
    key = next(iter(mine.p))
    other = analytics_spikes.Result(mine.expected, {**mine.p, key: mine.p[key] * 0.5 + 1e-3},
                                    mine.flagged)  # fmt: skip
    with pytest.raises(AssertionError):
        analytics_spikes._same(mine, other)
    analytics_spikes._same(mine, mine)
