"""The area import benchmark's smoke mode (bench/import.py --smoke) runs on the test
database, so the benchmark cannot rot: the generated province imports whole (every area
new, in a rolled-back transaction) and the baseline loads the same file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "import.py"


def _bench():  # type: ignore[no-untyped-def]
    """bench/import.py as a module ("import" is a keyword: it cannot be imported by name)."""
    spec = importlib.util.spec_from_file_location("bench_area_import", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_area_import"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_area_import_benchmark_smoke(session, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import text

    before = session.execute(text("SELECT count(*) FROM area")).scalar_one()
    figures = _bench().main(["--smoke"])
    assert figures.features == 1 + 1 + 10 + 1_000  # county, street, communities, grids
    assert figures.import_s > 0 and figures.baseline_s > 0 and figures.ratio > 0
    out = capsys.readouterr().out
    assert "import end to end" in out and "baseline GDAL + COPY" in out
    assert session.execute(text("SELECT count(*) FROM area")).scalar_one() == before
