"""The scale benchmark's smoke mode (bench/scale.py --smoke) runs on the test database, so
none of its probes (layers, wall, dispatch board, weekly packet, scorecards, briefing) can
stop working unnoticed: each raises on anything but a real answer; the screens of a closed
period print their first request (which computes and keeps their figures) apart."""

from __future__ import annotations

import pytest


def test_scale_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.scale import main

    main(["--smoke"])
    out = capsys.readouterr().out
    for row in ("density city 365 d z9", "incidents street 30 d z15", "areas city z9",
                "wall snapshot", "dispatch board"):  # fmt: skip
        assert out.count(row) == 2, row  # as measured, and in the table
    # a closed period's screens: also their first request, which counts and keeps
    assert "first request of a closed period" in out
    for row in ("weekly packet", "scorecards grids", "daily briefing (html)"):
        assert out.count(row) == 3, row
