"""The benchmark seeder (bench/seed.py): it never writes into the app's database, and a
seed stopped half-way resumes to exactly the city an uninterrupted seed writes, with the
indexes and foreign keys it set aside for the load built again."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

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
            "triggers off": sorted(
                c.execute(
                    text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'")
                ).scalars()
            ),
        }
    eng.dispose()
    return out


@pytest.mark.commits  # the seeder commits chunk by chunk, in databases of its own
def test_a_stopped_seed_resumes_to_the_city_an_uninterrupted_one_writes(
    bench_databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kw = {"chunk": 400, "quiet": True, "now": NOW, "set_aside_above": 0}
    bench_seed.seed(1_200, suffix=SUFFIXES[1], **kw)  # type: ignore[arg-type]
    whole = _fingerprint(bench_databases[SUFFIXES[1]])

    real = bench_seed._write_chunk
    calls = []

    def stops_at_the_third_chunk(*a: object, **k: object) -> None:
        calls.append(1)  # the first chunk is the demo city's own
        if len(calls) == 2:
            raise KeyboardInterrupt("the operator stopped the seed")
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(bench_seed, "_write_chunk", stops_at_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        bench_seed.seed(1_200, suffix=SUFFIXES[0], **kw)  # type: ignore[arg-type]
    owner = bench_databases[SUFFIXES[0]]
    stopped = _fingerprint(owner)
    assert stopped["incidents"][0] == 800  # type: ignore[index]  # two chunks kept
    assert len(stopped["indexes"]) < len(whole["indexes"])  # type: ignore[arg-type]

    # the rollups' triggers were off for the load: the stopped seed left them off
    assert "incident_rollup_ins" in stopped["triggers off"]  # type: ignore[operator]

    monkeypatch.setattr(bench_seed, "_write_chunk", real)
    bench_seed.seed(1_200, suffix=SUFFIXES[0], **kw)  # type: ignore[arg-type]
    assert _fingerprint(owner) == whole
    assert whole["incidents"][0] == 1_200  # type: ignore[index]
    assert whole["triggers off"] == []
    # ... and the rollups were rebuilt: equal to a direct GROUP BY
    from geodata.queries import coarse, hour_counts, open_counts, rollup

    eng = create_engine(owner)
    with Session(eng) as s:
        assert rollup.check(s).exact, rollup.check(s)
        assert coarse.check(s).exact, coarse.check(s)
        assert open_counts.check(s).exact, open_counts.check(s)
        assert hour_counts.check(s).exact, hour_counts.check(s)
        assert "open_case_ins" in stopped["triggers off"]  # type: ignore[operator]
        assert s.execute(text("SELECT count(*) FROM incident_rollup")).scalar_one() > 0
        # the benchmarks show the screens at the city's last 18:00, not at the real time
        from governance.filters import LOCAL_TZ

        at = bench_seed.measured_instant(s)
        assert at is not None and at.astimezone(LOCAL_TZ).hour == bench_seed.MEASURED_HOUR
        assert at <= NOW < at + timedelta(days=1)
        # ... and vacuumed with what was loaded: every page all-visible, so index-only
        # scans do not visit the heap (pg_visibility counts the map itself)
        s.execute(text("CREATE EXTENSION IF NOT EXISTS pg_visibility"))
        for t in (*bench_seed.LOADED, *bench_seed.ROLLUPS):
            parts = (
                s.execute(  # the table, or its partitions
                    text("""SELECT relid::text FROM pg_partition_tree(:t) WHERE isleaf
                        UNION ALL SELECT :t FROM pg_class
                        WHERE oid = CAST(:t AS regclass) AND relkind = 'r'"""),
                    {"t": t},
                )
                .scalars()
                .all()
            )
            total = 0
            for part in parts:
                pages, visible = s.execute(
                    text("""SELECT count(*), count(*) FILTER (WHERE all_visible)
                            FROM pg_visibility_map(CAST(:p AS regclass))"""),
                    {"p": part},
                ).one()
                assert visible == pages, (part, visible, pages)
                total += pages
            assert total > 0, t
    eng.dispose()
    # what the seed reports on disk: each loaded table, partitioned (the timeline) or not
    url, _ = bench_seed.seed(1_200, suffix=SUFFIXES[0], **kw)  # type: ignore[arg-type]
    sizes = bench_seed.disk(url)
    assert set(sizes) == {"database", *bench_seed.LOADED}
    assert all(v > 0 for v in sizes.values()), sizes
    assert sizes["database"] >= sum(v for k, v in sizes.items() if k != "database")


@pytest.mark.commits
def test_a_chunk_drawn_beside_the_load_is_the_one_the_demo_writes(
    bench_databases: dict[str, str],
) -> None:
    """The seeder draws the next chunk in a second process while it writes this one;
    what it writes is what ``demo.seed_incidents`` writes into the same city."""
    from geodata import demo
    from geodata.db import session_scope

    bench_seed.seed(800, suffix=SUFFIXES[0], chunk=400, quiet=True, now=NOW)
    by_hand = bench_databases[SUFFIXES[1]]
    bench_seed.use(by_hand, by_hand)  # only the owner writes here
    bench_seed.migrate(by_hand)
    with session_scope(admin=True) as s:
        demo.seed(s, incidents=400, now=NOW)
    with session_scope(admin=True) as s:
        demo.seed_incidents(s, n=400, seed=401, now=NOW, external_prefix="bench400")
    drawn, written = _fingerprint(bench_databases[SUFFIXES[0]]), _fingerprint(by_hand)
    assert drawn["incidents"] == written["incidents"]
    assert drawn["events"] == written["events"]
    assert drawn["incidents"][0] == 800  # type: ignore[index]
