"""The benchmark databases: where they are, and seeding them to a size in committed chunks.

    python bench/seed.py --incidents 10000000      # seed (or resume seeding) the 10M city
    python bench/seed.py --incidents 1000000 --dry-run

Every benchmark measures a database of its own, never the app's: ``<name>_bench`` holds
the 1M city, ``<name>_bench10m`` the 10M one (:func:`suffix_for`), and the scripts with
their own small data use their own suffixes. :func:`bench_database` refuses a name that is
not a benchmark's.

Seeding a large city is done in chunks of incidents (with their reporters and timelines,
the demo's own generator), each committed on its own, so a stopped seed keeps what it
wrote and the next run resumes after it. Every chunk is drawn from a random stream keyed
by its first incident id, and the city's "now" is written on the database (``COMMENT ON
DATABASE``) by the first run, so a resumed seed draws exactly what an uninterrupted one
would have.

For a large seed the secondary indexes and the foreign keys of the incident tables are
set aside while the chunks go in and built again once at the end (PostgreSQL's advice for
populating a database: one sort per index, one check per key, instead of a look-up and an
index insert per row). Their definitions are written into the same database comment
before they are dropped, in the same transaction, so a seed stopped half-way still knows
what to build again; the schema is Alembic's again when the seed ends. The rollups'
triggers are set aside the same way: the rollups are rebuilt once at the end, beside the
index builds. The next chunks are drawn and rendered by two forked processes while the
server stores this one (``_Drawer``): 16 min 56 s for 10M on this machine (docs/scale.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import Settings, get_settings  # noqa: E402

CHUNK = 250_000  # incidents per committed chunk
# Above this many incidents to add, indexes and foreign keys are set aside for the load.
SET_ASIDE_ABOVE = 2_000_000
LOADED = ("incident", "incident_reporter", "incident_event", "incident_feedback")
# rebuilt after a large load (their triggers were off)
ROLLUPS = ("incident_rollup", "incident_coarse", "open_case_count", "incident_hour_count")
DRAWERS = 2  # processes drawing the next chunks while one is written
SEED_LOCK = 20261216  # one seeder per database at a time
STATE_KEY = "minqing_bench"  # the key of the JSON in the database comment


class WrongDatabase(SystemExit):
    """A benchmark was pointed at a database that is not a benchmark's."""


def suffix_for(incidents: int) -> str:
    """The database suffix of a city of ``incidents``: ``_bench`` up to a million (the
    database the benchmarks have always used), ``_bench10m`` for ten million, and so on."""
    if incidents <= 1_000_000:
        return "_bench"
    return f"_bench{round(incidents / 1_000_000)}m"


def bench_database(name_suffix: str = "_bench") -> tuple[str, str]:
    """(app url, owner url) of a benchmark database: the app is measured as it runs, as
    the unprivileged role; the owner migrates and seeds. Refuses a suffix that does not
    name a benchmark database, so no benchmark ever writes into the app's data."""
    if not name_suffix.startswith("_bench"):
        raise WrongDatabase(f"not a benchmark database suffix: {name_suffix!r}")
    base = _app_settings()
    if base.database_url:
        from sqlalchemy.engine import make_url

        def renamed(raw: str) -> str:
            url = make_url(raw)
            return url.set(database=f"{url.database}{name_suffix}").render_as_string(False)

        app, owner = (
            renamed(base.database_url),
            renamed(base.admin_database_url or base.database_url),
        )
        if make_url(app).database == make_url(base.database_url).database:
            raise WrongDatabase("the benchmark database would be the app's")
        return app, owner
    from geodata.embedded import EmbeddedCluster

    cluster = EmbeddedCluster.from_settings(base)
    cluster.start()
    name = base.database_name + name_suffix
    cluster.ensure_database(name)
    return cluster.url(name, user=base.app_db_role), cluster.url(name)


# The app's database settings as they were before :func:`use` pointed this process at a
# benchmark database: every benchmark database is named after the app's, never after
# another benchmark's.
_APP_URLS: dict[str, str | None] = {}
_URL_VARS = ("MINQING_DATABASE_URL", "MINQING_ADMIN_DATABASE_URL")


def _app_settings() -> Settings:
    if not _APP_URLS:
        return Settings()
    return Settings(
        database_url=_APP_URLS["MINQING_DATABASE_URL"],
        admin_database_url=_APP_URLS["MINQING_ADMIN_DATABASE_URL"],
    )


def use(url: str, owner: str) -> None:
    """Point this process's settings at a benchmark database."""
    if not _APP_URLS:
        _APP_URLS.update({v: os.environ.get(v) or None for v in _URL_VARS})
    os.environ["MINQING_DATABASE_URL"] = url
    os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
    get_settings.cache_clear()
    from geodata import db

    for cached in (db.get_engine, db.get_admin_engine, db._sessionmaker):
        clear = getattr(cached, "cache_clear", None)
        if clear is not None:
            clear()


def refuse_unless_bench(url: str) -> None:
    """Raise :class:`WrongDatabase` unless ``url`` names a benchmark database, never the
    app's: what a benchmark migrates or seeds."""
    from sqlalchemy.engine import make_url

    name = make_url(url).database or ""
    app = _app_settings()
    apps = {make_url(u).database for u in (app.database_url, app.admin_database_url) if u}
    if "_bench" not in name or name in apps | {app.database_name}:
        raise WrongDatabase(f"not a benchmark database: {name!r}")


def migrate(owner: str) -> None:
    """Bring a benchmark database to this tree's head, unless ``MINQING_BENCH_MIGRATE=0``:
    a branch measuring against a benchmark database that another branch has migrated
    further (a revision this tree does not know) leaves its schema as it is."""
    refuse_unless_bench(owner)
    if os.environ.get("MINQING_BENCH_MIGRATE", "1") == "0":
        print("MINQING_BENCH_MIGRATE=0: the benchmark database is not migrated", flush=True)
        return
    from geodata import migrate as migrations

    migrations.upgrade(owner)


@dataclass
class Progress:
    incidents: int
    seconds: float
    chunks: int


def _state(s: Any) -> dict[str, Any]:
    from sqlalchemy import text

    raw = s.execute(
        text(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
    ).scalar_one()
    try:
        got = json.loads(raw or "{}")
    except ValueError:
        return {}
    return dict(got.get(STATE_KEY, {})) if isinstance(got, dict) else {}


MEASURED_HOUR = 18  # local hour of the day the benchmarks show the screens at


def measured_instant(s: Any) -> datetime | None:
    """The instant the benchmarks show the screens at (the wall, the dispatch board; the
    daily briefing is of the day before): the latest 18:00 local time at or before the
    city's end of time, so that "today" is 18 hours of either city whatever the hour the
    benchmark runs at. None for a database this seed did not write (the smoke runs on
    the configured database: real time). Until 2026-12-07 the screens were shown at the
    real time: "today" held 14 hours of the 1M city and 20 of the 10M city at 23:00, and
    nothing of either after midnight."""
    from datetime import timedelta

    from governance.filters import LOCAL_TZ

    raw = _state(s).get("now")
    if not raw:
        return None
    end = datetime.fromisoformat(raw).astimezone(LOCAL_TZ)
    at = end.replace(hour=MEASURED_HOUR, minute=0, second=0, microsecond=0)
    return at if at <= end else at - timedelta(days=1)


def _save_state(s: Any, state: dict[str, Any]) -> None:
    from sqlalchemy import text

    body = json.dumps({STATE_KEY: state}, sort_keys=True).replace("'", "''")
    name = s.execute(text("SELECT current_database()")).scalar_one()
    s.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{body}'"))


def _set_aside(s: Any, state: dict[str, Any]) -> None:
    """Record and drop the secondary indexes and foreign keys of the loaded tables
    (constraint-backed indexes stay: the primary and unique keys guard every chunk)."""
    from sqlalchemy import text

    indexes = s.execute(
        text("""SELECT c.relname, pg_get_indexdef(c.oid)
                  FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                 WHERE x.indrelid = ANY(CAST(:t AS regclass[]))
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
                 ORDER BY c.relname"""),
        {"t": list(LOADED)},
    ).all()
    keys = s.execute(
        text("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                  FROM pg_constraint
                 WHERE contype = 'f' AND conparentid = 0  -- a partition's copy goes with its parent's
                   AND (conrelid = ANY(CAST(:t AS regclass[]))
                                          OR confrelid = ANY(CAST(:t AS regclass[])))
                 ORDER BY 1, 2"""),
        {"t": list(LOADED)},
    ).all()
    triggers = s.execute(
        text("""SELECT tgrelid::regclass::text, tgname FROM pg_trigger
                 WHERE tgrelid = ANY(CAST(:t AS regclass[])) AND NOT tgisinternal
                   AND tgenabled <> 'D'
                 ORDER BY 1, 2"""),
        {"t": list(LOADED)},
    ).all()
    state["indexes"] = [[n, d] for n, d in indexes]
    state["foreign_keys"] = [[t, n, d] for t, n, d in keys]
    state["triggers"] = [[t, n] for t, n in triggers]
    _save_state(s, state)
    for t, n, _ in keys:
        s.execute(text(f'ALTER TABLE {t} DROP CONSTRAINT IF EXISTS "{n}"'))
    for n, _ in indexes:
        s.execute(text(f'DROP INDEX IF EXISTS "{n}"'))
    for t, n in triggers:
        s.execute(text(f'ALTER TABLE {t} DISABLE TRIGGER "{n}"'))


def _rebuild_rollups(say: Any) -> None:
    """Recompute the rollups whose triggers were off for the load, in a transaction of
    its own (run beside the index builds: both only read ``incident``, under locks that
    do not conflict, so the two cores share the work)."""
    from sqlalchemy import text

    from geodata.db import session_scope
    from geodata.queries import coarse, hour_counts, open_counts, rollup

    with session_scope(admin=True) as r:
        r.execute(text("SET LOCAL work_mem = '256MB'"))
        for name, rebuild in (
            ("incident_rollup", rollup.rebuild),
            ("incident_coarse", coarse.rebuild),
            ("open_case_count", open_counts.rebuild),
            ("incident_hour_count", hour_counts.rebuild),
        ):
            t0 = time.perf_counter()
            rows = rebuild(r)
            say(f"  rebuilt {name}: {rows:,} rows in {time.perf_counter() - t0:.1f}s")
    _vacuum(ROLLUPS, say)


def _vacuum(tables: tuple[str, ...], say: Any) -> None:
    """``VACUUM (ANALYZE)`` of ``tables``, as autovacuum would in time: it sets the
    visibility map, without which every index-only scan of the layers, the wall and the
    hot cells visits the heap. Rows written at the end of a seed are not visible to
    all until a vacuum says so: with the rebuilt rollups unvacuumed (2026-12-07), a
    street at zoom 15 took 243 ms at 10M instead of 25 (the planner gave up the covering
    index for a bitmap of 355k points), and autovacuum does not come for a table whose
    statistics a restart of the cluster has reset. Tables autovacuum has already been
    through during the load cost a skim of their visibility map."""
    from sqlalchemy import text

    from geodata.db import get_admin_engine

    with get_admin_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for t in tables:
            t0 = time.perf_counter()
            c.execute(text(f"VACUUM (ANALYZE) {t}"))
            say(f"  vacuumed {t} in {time.perf_counter() - t0:.1f}s")


def _restore(s: Any, state: dict[str, Any], say: Any) -> None:
    """Build the indexes and foreign keys set aside, recompute the rollups (beside the
    indexes, on a second connection) and turn their triggers back on."""
    from sqlalchemy import text

    rebuilt: Future[None] | None = None
    pool = ThreadPoolExecutor(max_workers=1)
    if state.get("triggers"):
        rebuilt = pool.submit(_rebuild_rollups, say)
    try:
        _build_indexes(s, state, say)
        if rebuilt is not None:
            rebuilt.result()
    finally:
        pool.shutdown(wait=True)
    _add_keys(s, state, say)  # after the rebuild: adding a key waits for its SHARE lock
    for table, name in state.get("triggers", []):
        s.execute(text(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"'))
    # figures kept before the load were not told about it (their trigger was off)
    s.execute(text("DELETE FROM kept_figure"))
    state.pop("triggers", None)
    state.pop("indexes", None)
    state.pop("foreign_keys", None)
    _save_state(s, state)


def _build_indexes(s: Any, state: dict[str, Any], say: Any) -> None:
    from sqlalchemy import text

    s.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    for name, definition in state.get("indexes", []):
        t0 = time.perf_counter()
        # a partitioned table's index is defined "ON ONLY" the parent: built here on all
        sql = definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)
        s.execute(text(sql.replace(" ON ONLY ", " ON ", 1)))
        say(f"  index {name}: {time.perf_counter() - t0:.1f}s")


def _add_keys(s: Any, state: dict[str, Any], say: Any) -> None:
    from sqlalchemy import text

    for table, name, definition in state.get("foreign_keys", []):
        exists = s.execute(
            text(
                "SELECT 1 FROM pg_constraint WHERE conname = :n AND conrelid = CAST(:t AS regclass)"
            ),
            {"n": name, "t": table},
        ).first()
        if not exists:
            t0 = time.perf_counter()
            s.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
            say(f"  foreign key {name}: {time.perf_counter() - t0:.1f}s")


# What the drawing process draws from (demo.IncidentSource): set before it is forked, so it
# inherits it instead of receiving it pickled.
_SOURCE: Any = None


def _draw(have: int, k: int) -> list[tuple[str, list[str], bytes]]:
    """In the drawing process: the chunk of ``k`` incidents after the first ``have``,
    rendered for COPY, table by table in the order they are written. It is what
    ``demo.seed_incidents(n=k, seed=have + 1, external_prefix=f"bench{have}")`` writes
    into a city of ``have`` incidents: ids from ``have + 1`` (chunks are committed
    whole, so the ids are 1..have), and no serial under that prefix yet (a chunk that
    had written one would have made the city larger than ``have``)."""
    from geodata import demo
    from geodata.demo import writer

    out: dict[str, tuple[list[str], list[bytes]]] = {}
    for batch, cut in demo.draw_incidents(_SOURCE, k, have + 1, have + 1, f"bench{have}", {}):
        for table, columns, rows in writer.chunk_tables(batch, cut):
            out.setdefault(table, (columns, []))[1].append(writer.render_csv(rows))
    return [(t, cols, b"".join(parts)) for t, (cols, parts) in out.items()]


class _Drawer:
    """Draws and renders the next chunks in :data:`DRAWERS` other processes while the
    server stores this one (drawing and formatting are the seeder's share of a chunk,
    about 15 s of a core against the server's 8-12 s of COPY: on two cores they overlap
    instead of taking turns, and two drawers keep the server from waiting for one)."""

    def __init__(self, source: Any) -> None:
        global _SOURCE
        _SOURCE = source
        self._pool = ProcessPoolExecutor(max_workers=DRAWERS, mp_context=get_context("fork"))
        self._asked: dict[tuple[int, int], Future[list[tuple[str, list[str], bytes]]]] = {}

    def ask(self, have: int, k: int) -> None:
        if (have, k) not in self._asked:
            self._asked[(have, k)] = self._pool.submit(_draw, have, k)

    def ahead(self, have: int, incidents: int, chunk: int) -> None:
        """Ask for the chunks after the first ``have`` incidents, one per drawer."""
        for _ in range(DRAWERS):
            if have >= incidents:
                return
            k = min(chunk, incidents - have)
            self.ask(have, k)
            have += k

    def take(self, have: int, k: int) -> list[tuple[str, list[str], bytes]]:
        self.ask(have, k)
        drawn = self._asked.pop((have, k)).result()
        for key in [key for key in self._asked if key[0] < have + k]:
            self._asked.pop(key).cancel()  # a chunk the city has passed
        return drawn

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _write_chunk(s: Any, have: int, drawn: list[tuple[str, list[str], bytes]]) -> None:
    """COPY a drawn chunk into a city of ``have`` incidents (checked: its ids follow)."""
    from sqlalchemy import text

    from geodata.demo import writer

    top = s.execute(text("SELECT coalesce(max(id), 0) FROM incident")).scalar_one()
    if top != have:
        raise RuntimeError(f"the city's ids end at {top}, not at its {have} incidents")
    for table, columns, data in drawn:
        writer.copy_csv(s, table, columns, data)
    writer.sync_sequences(s, ["incident"])


def seed(
    incidents: int,
    *,
    suffix: str | None = None,
    chunk: int = CHUNK,
    quiet: bool = False,
    now: datetime | None = None,
    set_aside_above: int = SET_ASIDE_ABOVE,
) -> tuple[str, Progress]:
    """Migrate the benchmark database for ``incidents`` and seed it up to that many
    (resuming a stopped seed); returns its app URL and what this call did. ``now`` is
    the city's end of time for a database seeded for the first time (default: this
    hour); later runs keep the one written then."""
    from sqlalchemy import text

    from geodata import demo
    from geodata.db import get_admin_engine, session_scope

    def say(msg: str) -> None:
        if not quiet:
            print(msg, flush=True)

    url, owner = bench_database(suffix or suffix_for(incidents))
    use(url, owner)
    migrate(owner)
    t_all = time.perf_counter()
    chunks = 0
    # One seeder per database: a session-level lock on a connection of its own, held
    # across the chunks (the session below hands its connection back at every commit).
    drawer: _Drawer | None = None
    with get_admin_engine().connect() as held, session_scope(admin=True) as s:
        held.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SEED_LOCK})
        held.commit()
        try:
            # counted once (a count of the whole table per chunk took 3-5 s at 7M), then
            # followed chunk by chunk: each one is committed whole or not at all
            have = int(s.execute(text("SELECT count(*) FROM incident")).scalar_one())
            while True:
                state = _state(s)
                if have >= incidents:
                    break
                if "now" not in state:
                    first = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
                    state["now"] = first.isoformat()
                    _save_state(s, state)
                city_now = datetime.fromisoformat(state["now"])
                if incidents - have > set_aside_above and "indexes" not in state:
                    _set_aside(s, state)
                    s.commit()
                    say(
                        f"set aside {len(state['indexes'])} indexes, {len(state['foreign_keys'])} foreign keys"
                    )
                k = min(chunk, incidents - have)
                t0 = time.perf_counter()
                if demo.is_empty(s):
                    demo.seed(s, incidents=k, now=city_now)
                    s.commit()
                    have = int(s.execute(text("SELECT count(*) FROM incident")).scalar_one())
                    say(f"{have:>12,} incidents  (+{have:,} in {time.perf_counter() - t0:.1f}s)")
                else:
                    if drawer is None:
                        drawer = _Drawer(demo.incident_source(s, city_now))
                        s.commit()  # the timeline's months
                    drawn = drawer.take(have, k)
                    waited = time.perf_counter() - t0
                    drawer.ahead(have + k, incidents, chunk)  # while this one is written
                    _write_chunk(s, have, drawn)
                    s.commit()
                    say(
                        f"{have + k:>12,} incidents  (+{k:,} in {time.perf_counter() - t0:.1f}s, "
                        f"{waited:.1f}s of it waiting for the draw)"
                    )
                    have += k
                chunks += 1
            state = _state(s)
            if "indexes" in state:
                t0 = time.perf_counter()
                say("building the indexes and foreign keys set aside:")
                _restore(s, state, say)
                s.commit()
                say(f"  built in {time.perf_counter() - t0:.1f}s")
            if chunks:
                _vacuum(LOADED + ROLLUPS, say)
        finally:
            if drawer is not None:
                drawer.close()
            s.rollback()
            held.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SEED_LOCK})
            held.commit()
    done = Progress(incidents, time.perf_counter() - t_all, chunks)
    if chunks:
        say(f"seeded to {incidents:,} incidents: {chunks} chunks in {done.seconds:.0f}s")
    return url, done


def disk(url: str) -> dict[str, int]:
    """Bytes on disk: the database, and each loaded table with its indexes."""
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        out = {
            "database": int(
                s.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )
        }
        for t in LOADED:  # a partitioned table's size is its partitions' (a plain table
            # has no partition tree: pg_partition_tree gives no row for it)
            out[t] = int(
                s.execute(
                    text(
                        "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) "
                        f"FROM pg_partition_tree('{t}')), pg_total_relation_size('{t}'))"
                    )
                ).scalar_one()
            )
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--incidents", type=int, default=10_000_000)
    ap.add_argument("--chunk", type=int, default=CHUNK)
    args = ap.parse_args(argv)
    logging.basicConfig(format="  %(message)s")
    logging.getLogger("geodata.demo").setLevel(logging.INFO)  # each chunk's laps
    url, done = seed(args.incidents, chunk=args.chunk)
    sizes = disk(url)
    print("disk: " + ", ".join(f"{k} {v / 2**30:.2f} GiB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
