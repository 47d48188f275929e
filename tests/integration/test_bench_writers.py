"""The concurrent writers benchmark's smoke mode (bench/writers.py --smoke) runs on the
test database, so it cannot rot: real transitions through the service layer from one and
four threads, each on its own connection, every case left in the state it started in,
and the audit chain of the run verified."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from geodata.db import session_scope


@pytest.mark.commits
def test_writers_benchmark_smoke(capsys: pytest.CaptureFixture[str], owner_url: str) -> None:
    from bench.writers import HANDLING, main

    count = text("SELECT status, count(*) FROM incident WHERE status = ANY(:s) GROUP BY 1")
    with session_scope(owner_url, admin=True) as s:
        before = dict(s.execute(count, {"s": list(HANDLING)}).all())
    rows = main(["--smoke"])
    assert [(r.label[:10], r.writers) for r in rows] == [
        ("transition", 1),
        ("transition", 4),
        ("audit appe", 1),
        ("audit appe", 4),
    ]
    assert all(r.done > 0 and r.failed == 0 for r in rows)
    out = capsys.readouterr().out
    assert "vs 1 writer" in out and "audit chain of the run: ok" in out
    with session_scope(owner_url, admin=True) as s:
        assert dict(s.execute(count, {"s": list(HANDLING)}).all()) == before


def test_the_bench_refuses_the_apps_database() -> None:
    from bench.writers import refuse_app_database
    from settings import Settings

    app = Settings().database_name
    with pytest.raises(SystemExit, match="refuses"):
        refuse_app_database(f"postgresql+psycopg2://postgres@/{app}?host=/tmp")
    refuse_app_database(f"postgresql+psycopg2://postgres@/{app}_bench_writers?host=/tmp")
