"""The browser benchmark's smoke mode (bench/redraw.py --smoke) against the e2e server:
it runs in its own process (its own Chromium), prints both figures, and what it measured
is what it says: the baseline draws every card again, the refresh as it is now keeps every
card that looks the same."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ["--smoke"]


def test_redraw_benchmark_smoke(live_server: str) -> None:
    run = subprocess.run(
        [sys.executable, "bench/redraw.py", *SMOKE, "--base", live_server],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    print(out)
    assert "all drawn (baseline)" in out and "changed only (now)" in out, out
    cards = re.search(r"rows in (\d+) list cards", out)
    assert cards and int(cards.group(1)) == 5, out
    kept = re.search(r"the same after a refresh: (\d+) .*kept \(not drawn again\): (\d+); "
                     r"after an all-drawn refresh kept: (\d+)", out)  # fmt: skip
    assert kept, out
    same, kept_same, kept_full = (int(x) for x in kept.groups())
    assert same >= 1 and kept_same == same and kept_full == 0, out
