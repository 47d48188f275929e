"""The live benchmark's smoke mode (bench/live.py --smoke) on the test database: ~20 real
SSE streams of three scopes on the stream server, a few changes, every in-scope change at
every stream and nothing out of scope, so the benchmark cannot rot."""

from __future__ import annotations

import pytest


@pytest.mark.commits
def test_live_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.live import main

    figures = main(["--smoke"])
    out = capsys.readouterr().out
    assert figures is not None
    assert figures["connected"] == figures["streams"] == 20
    assert figures["expected"] > 0 and figures["lost"] == 0 and figures["leaked"] == 0
    assert "deliveries" in out and "commit to client" in out and "no stream open" in out
