"""The intake benchmark's smoke mode (bench/ingest.py --smoke) runs on the test database:
one small batch through the whole app against plain COPY of the same rows, replayed, and
a few single incidents, so the benchmark of the bulk-intake target cannot rot unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import text


@pytest.mark.commits  # COPY and VACUUM on connections of their own; it cleans up after itself
def test_ingest_benchmark_smoke(capsys: pytest.CaptureFixture[str], session) -> None:  # type: ignore[no-untyped-def]
    from bench.ingest import PREFIX, main

    main(["--smoke"])
    out = capsys.readouterr().out
    assert "bulk intake, full app (new incidents)" in out
    assert "plain COPY into incident itself" in out and "one incident per request" in out
    left = session.execute(
        text("SELECT count(*) FROM incident WHERE external_id LIKE :p"), {"p": f"{PREFIX}%"}
    ).scalar_one()
    assert left == 0  # the benchmark deletes what it wrote
