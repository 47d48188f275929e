"""The benchmark seeder (bench/seed.py): it never writes into the app's database, and a
seed stopped half-way resumes to exactly the city an uninterrupted seed writes, with the
indexes and foreign keys it set aside for the load built again."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import seed as bench_seed
from settings import get_settings

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
SUFFIXES = ("_bench_seed_a", "_bench_seed_b")


@pytest.fixture
def bench_databases(owner_url: str) -> Iterator[dict[str, str]]:
    """Two empty benchmark databases next to the test database, suffix -> owner URL
    (dropped afterwards); the settings are pointed back at the test database whatever the
    seeder did."""
    saved = {v: os.environ[v] for v in ("MINQING_DATABASE_URL", "MINQING_ADMIN_DATABASE_URL")}
    base = make_url(owner_url)
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    names = {sfx: f"{base.database}{sfx}" for sfx in SUFFIXES}

    def drop() -> None:
        with server.connect() as c:
            for name in names.values():
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with server.connect() as c:
        for name in names.values():
            c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield {sfx: base.set(database=name).render_as_string(False) for sfx, name in names.items()}
    finally:
        os.environ.update(saved)
        bench_seed.use(saved["MINQING_DATABASE_URL"], saved["MINQING_ADMIN_DATABASE_URL"])
        drop()
        server.dispose()


def test_a_benchmark_database_is_never_the_apps() -> None:
    for wrong in ("", "_test", "bench", "_prod"):
        with pytest.raises(bench_seed.WrongDatabase):
            bench_seed.bench_database(wrong)
    app, _ = bench_seed.bench_database(SUFFIXES[0])
    assert make_url(app).database != make_url(get_settings().database_url).database
    # nor does a benchmark migrate the app's database (or any that is not a benchmark's)
    for url in (get_settings().database_url, get_settings().admin_database_url):
        if url:
            with pytest.raises(bench_seed.WrongDatabase):
                bench_seed.migrate(url)


def _fingerprint(owner: str) -> dict[str, object]:
    eng = create_engine(owner)
    with eng.connect() as c:
        out = {
            "incidents": c.execute(
                text("""SELECT count(*), md5(string_agg(id::text || source || external_id
                        || status || ST_AsEWKB(geom)::text || occurred_at::text, ',' ORDER BY id))
                        FROM incident""")
            ).one(),
            "events": c.execute(
                text("""SELECT count(*), md5(string_agg(incident_id::text || action || at::text,
                        ',' ORDER BY incident_id, at, action)) FROM incident_event""")
            ).one(),
            "indexes": sorted(
                c.execute(
                    text("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'incident%'")
                ).scalars()
            ),
            "foreign_keys": sorted(
                c.execute(text("SELECT conname FROM pg_constraint WHERE contype = 'f'")).scalars()
            ),
        }
    eng.dispose()
    return out


@pytest.mark.commits  # the seeder commits chunk by chunk, in databases of its own
def test_a_stopped_seed_resumes_to_the_city_an_uninterrupted_one_writes(
    bench_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from geodata import demo

    kw = {"chunk": 400, "quiet": True, "now": NOW, "set_aside_above": 0}
    bench_seed.seed(1_200, suffix=SUFFIXES[1], **kw)  # type: ignore[arg-type]
    whole = _fingerprint(bench_databases[SUFFIXES[1]])

    real = demo.seed_incidents
    calls = []

    def stops_at_the_second_chunk(*a: object, **k: object) -> int:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("the operator stopped the seed")
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "seed_incidents", stops_at_the_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        bench_seed.seed(1_200, suffix=SUFFIXES[0], **kw)  # type: ignore[arg-type]
    owner = bench_databases[SUFFIXES[0]]
    stopped = _fingerprint(owner)
    assert stopped["incidents"][0] == 800  # type: ignore[index]  # two chunks kept
    assert len(stopped["indexes"]) < len(whole["indexes"])  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "seed_incidents", real)
    bench_seed.seed(1_200, suffix=SUFFIXES[0], **kw)  # type: ignore[arg-type]
    assert _fingerprint(owner) == whole
    assert whole["incidents"][0] == 1_200  # type: ignore[index]
    # what the seed reports on disk: each loaded table, partitioned (the timeline) or not
    url, _ = bench_seed.seed(1_200, suffix=SUFFIXES[0], **kw)  # type: ignore[arg-type]
    sizes = bench_seed.disk(url)
    assert set(sizes) == {"database", *bench_seed.LOADED}
    assert all(v > 0 for v in sizes.values()), sizes
    assert sizes["database"] >= sum(v for k, v in sizes.items() if k != "database")
