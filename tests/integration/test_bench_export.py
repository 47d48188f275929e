"""The export benchmark's smoke mode (bench/export.py --smoke) runs on the test database,
so the benchmark cannot rot: both ways of masking export the same rows, and the detector's
figures are there."""

from __future__ import annotations

import pytest


def test_export_benchmark_smoke(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.export import main, pattern_redact

    figures = main(["--smoke"])
    assert figures.rows > 0
    assert figures.baseline_s > 0 and figures.detector_s > 0 and figures.detector_us > 0
    out = capsys.readouterr().out
    assert "detector + known names" in out and "baseline" in out
    assert pattern_redact("电话13812345678") == "电话138****5678"  # the baseline still masks
