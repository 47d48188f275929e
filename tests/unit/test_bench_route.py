"""The walking-order benchmark's smoke mode (bench/route.py --smoke) runs with no database,
so the benchmark cannot rot: every row is there, its times and ratios make sense, and the
walk is never longer than the nearest-neighbour walk nor shorter than the shortest."""

from __future__ import annotations

import pytest


def test_route_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.route import BOXES, main

    rows = main(["--smoke"])
    assert [(r.box, r.stops) for r in rows] == [(b[0], n) for b in BOXES for n in (4, 10)]
    for r in rows:
        assert r.sets == 5
        assert 0 < r.p50_ms <= r.p95_ms and r.nn_p50_ms > 0
        assert 0 < r.vs_nn_best <= r.vs_nn_mean <= 1 + 1e-9
        assert r.vs_shortest_mean is not None and r.vs_shortest_worst is not None
        assert 1 - 1e-9 <= r.vs_shortest_mean <= r.vs_shortest_worst <= 1.5
        assert r.shortest_share is not None and 0 <= r.shortest_share <= 1
        if r.stops == 4:  # a handful of stops: the shortest walk itself
            assert r.vs_shortest_worst == pytest.approx(1.0) and r.shortest_share == 1
    out = capsys.readouterr().out
    assert "order p50 / p95" in out and "vs NN" in out and "vs shortest" in out
    assert "grid ~2 km" in out and "county ~50 km" in out
