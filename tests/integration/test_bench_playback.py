"""The playback benchmark's smoke mode (bench/analytics_playback.py --smoke) runs on the
test database, so the benchmark cannot rot: a week of frames by the day and by the hour,
city-wide and for one county, each frame's counts equal to the naive baseline's."""

from __future__ import annotations

import pytest


def test_playback_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.analytics_playback import main

    rows = main(["--smoke"])
    assert [(r.step, r.frames) for r in rows] == [("day", 7), ("hour", 168)] * 2
    assert all(r.equal for r in rows), rows
    assert sum(r.incidents for r in rows) > 0
    assert all(r.median_ms > 0 and r.baseline_first_s > 0 for r in rows)
    out = capsys.readouterr().out
    assert "naive/frame" in out and "county" in out
