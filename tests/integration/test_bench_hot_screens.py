"""The hot screens benchmark's smoke mode (bench/hot_screens.py --smoke) runs on the test
database, so it cannot rot: every screen is built through its service as a city-wide
commander, and a saved figure is compared against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_hot_screens_benchmark_smoke(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from bench.hot_screens import main

    saved = tmp_path / "figures.json"
    first = main(["--smoke", "--save", str(saved)])
    assert set(first) == {
        "wall",
        "dispatch board",
        "weekly packet",
        "monthly scorecards",
        "daily briefing",
    }
    assert all(v > 0 for v in first.values()) and json.loads(saved.read_text()) == first
    main(["--smoke", "--against", str(saved)])
    out = capsys.readouterr().out
    assert "slowest statement" in out and out.count("x  ") >= 5
