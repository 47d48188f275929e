"""The deterministic demo city of 汕尾市 (Shanwei).

Real county boundaries, a Voronoi hierarchy of towns, communities and grids below
them, key sites and persons with visibly fake identities, and a year of incidents.
The same ``seed`` and ``now`` give byte-identical rows. Each incident's history through
the closed loop is drawn as a whole path and cut at ``now`` (``backlog.py`` states what the
backlog looks like then), so nothing is dated after the moment of seeding.

Example
-------
>>> from geodata.db import session_scope
>>> from geodata import demo
>>> with session_scope() as s:                       # doctest: +SKIP
...     print(demo.seed(s, incidents=200_000))
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.demo import lifecycle, timeline, workflow, writer
from geodata.demo.catalog import DEPARTMENTS, LEAF_CODES, category_rows
from geodata.demo.hierarchy import build_city
from geodata.demo.incidents import IncidentBatch, Placer, generate
from geodata.demo.sites_persons import build_persons, build_sites, hotspot_points
from geodata.demo.spatial import CityModel, city_model, load_city_model
from geodata.demo.texts import AddressBook
from geodata.demo.workcal import Rules, WorkCalendar, load_rules
from geodata.models import AreaLevel, SiteType
from geodata.queries import partitions

__all__ = [
    "DemoError",
    "SeedReport",
    "checkpoint",
    "is_empty",
    "lock_seeding",
    "reset",
    "seed",
    "seed_incidents",
]

log = logging.getLogger(__name__)

INCIDENT_CHUNK = 250_000  # incidents generated and written per batch
# what a seed of an empty city bulk-loads (their foreign keys are checked once, after)
LOADED_TABLES = ("incident", "incident_reporter", "incident_event", "incident_feedback")


class DemoError(Exception):
    """The demo city cannot be written (for example: the database is not empty)."""


@dataclass
class SeedReport:
    """Row counts written by :func:`seed` and seconds spent per stage."""

    counties: int = 0
    streets: int = 0
    communities: int = 0
    grids: int = 0
    sites: int = 0
    persons: int = 0
    incidents: int = 0
    departments: int = 0
    categories: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class _Clock:
    def __init__(self, seconds: dict[str, float]) -> None:
        self.seconds = seconds
        self.t = self.t0 = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + now - self.t, 3)
        self.t = now

    def total(self) -> None:
        self.seconds["total"] = round(time.perf_counter() - self.t0, 3)


def _default_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if now.tzinfo is None:
        raise DemoError("`now` must be timezone-aware")
    return now.astimezone(UTC)


SEED_LOCK = 7_302_001  # pg_advisory_xact_lock key: one seeder at a time


def lock_seeding(session: Session) -> None:
    """Wait until no other transaction seeds, and keep others waiting until this one ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEED_LOCK})


def checkpoint() -> None:
    """Write the seed's pages to their files now. A seed writes ~1.6 GB of write-ahead
    log; without a checkpoint a crash soon after it replays all of that at the next start
    (about a minute of 503s)."""
    from geodata.db import get_admin_engine

    with get_admin_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("CHECKPOINT"))


def is_empty(session: Session) -> bool:
    """True if there is no ``area`` row."""
    return not session.execute(text("SELECT EXISTS (SELECT 1 FROM area)")).scalar_one()


def has_accounts(session: Session) -> bool:
    """True if any account exists (an installation started by ``init --empty`` has its
    administrators before it has areas: ``run`` must not seed the demo city into it)."""
    return bool(session.execute(text("SELECT EXISTS (SELECT 1 FROM app_user)")).scalar_one())


def reset(session: Session) -> None:
    """Remove every demo row: TRUNCATE the demo tables, RESTART IDENTITY CASCADE.

    CASCADE also empties any other table holding a foreign key to these tables.
    """
    session.execute(text(f"TRUNCATE {', '.join(writer.DEMO_TABLES)} RESTART IDENTITY CASCADE"))


def seed(
    session: Session, *, incidents: int = 200_000, seed: int = 42, now: datetime | None = None
) -> SeedReport:
    """Write the whole demo city in the caller's transaction (the caller commits).

    Parameters
    ----------
    session
        An open session; nothing is committed here.
    incidents
        Number of incidents over the 365 days before ``now``.
    seed
        Seed of every random draw.
    now
        End of the incident window; default: the current hour (UTC).

    Raises
    ------
    DemoError
        If any demo table already has rows.
    """
    now = _default_now(now)
    report = SeedReport()
    clock = _Clock(report.seconds)
    busy = [
        t
        for t in writer.DEMO_TABLES
        if session.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t})")).scalar_one()
    ]
    if busy:
        raise DemoError(f"the database is not empty (rows in {', '.join(busy)}); reset it first")
    rng = np.random.default_rng([seed, 1])
    city = build_city(rng)
    clock.lap("hierarchy")
    writer.write_areas(session, city.areas)
    counts = {lv: len(city.level(lv)) for lv in AreaLevel}
    report.counties, report.streets = counts[AreaLevel.COUNTY], counts[AreaLevel.STREET]
    report.communities, report.grids = counts[AreaLevel.COMMUNITY], counts[AreaLevel.GRID]
    clock.lap("copy_areas")
    report.departments, report.categories = _write_catalog(session)
    clock.lap("catalog")
    model = city_model(
        [
            (
                a.id,
                a.code,
                a.name,
                a.level,
                a.parent_id,
                a.is_urban,
                a.population,
                a.geom,
                a.label.x,
                a.label.y,
            )
            for a in city.areas
        ]
    )
    book = AddressBook(model)
    rng = np.random.default_rng([seed, 2])
    sites = build_sites(rng, model, book)
    persons, identities = build_persons(rng, model, book)
    clock.lap("sites_persons")
    report.sites = writer.copy_rows(session, "key_site", writer.SITE_COLUMNS, sites)
    report.persons = writer.copy_rows(session, "key_person", writer.PERSON_COLUMNS, persons)
    writer.write_identities(session, identities)
    clock.lap("copy_sites_persons")
    workflow.seed_rules(session)  # the timelines are computed from them
    src = _source(session, model, book, hotspot_points(sites), now)
    with writer.foreign_keys_set_aside(session, LOADED_TABLES):  # checked once, at the end
        report.incidents = _add_incidents(session, src, incidents, seed, "demo", clock)
    clock.lap("foreign_keys")
    writer.sync_sequences(session, ["area", "department", "key_site", "key_person", "incident"])
    writer.analyze(session, [*writer.DEMO_TABLES, "incident_event", "incident_feedback"])
    clock.lap("analyze")
    clock.total()
    log.info("demo city written: %s", report)
    return report


def seed_incidents(
    session: Session,
    *,
    n: int,
    seed: int = 42,
    now: datetime | None = None,
    external_prefix: str = "demo",
    analyze: bool = True,
) -> int:
    """Add ``n`` incidents to the city already in the database; returns ``n``.

    Serials continue after the highest one used by ``external_prefix`` per source, so
    ``(source, external_id)`` stays unique. Deterministic for the same database
    state, ``seed`` and ``now``. ``analyze=False`` leaves the tables' statistics to the
    caller (a load in many chunks analyzes once, at the end).
    """
    now = _default_now(now)
    clock = _Clock({})
    written = _add_incidents(
        session, incident_source(session, now), n, seed, external_prefix, clock
    )
    writer.sync_sequences(session, ["incident"])
    if analyze:
        writer.analyze(session, ["incident", "incident_event", "incident_feedback"])
    clock.total()
    log.info("added %d incidents in %s", written, clock.seconds)
    return written


def _add_incidents(
    session: Session, src: IncidentSource, n: int, seed: int, prefix: str, clock: _Clock
) -> int:
    """Draw and write ``n`` incidents after the highest id, their serials after the
    highest one under ``prefix``."""
    first = session.execute(text("SELECT COALESCE(max(id), 0) + 1 FROM incident")).scalar_one()
    serials: dict[str, int] = dict(
        session.execute(
            text(
                "SELECT source, COALESCE(max(substring(external_id FROM '-([0-9]+)$')::bigint), 0) "
                "FROM incident WHERE starts_with(external_id, :p) GROUP BY source"
            ),
            {"p": prefix + "-"},
        ).all()
    )
    written = 0
    for batch, cut in draw_incidents(src, n, seed, int(first), prefix, serials, clock):
        writer.write_incidents(session, batch, cut)
        clock.lap("copy_incidents")
        writer.write_reporters(session, batch)
        clock.lap("copy_reporters")
        writer.write_timelines(session, cut)
        clock.lap("copy_timelines")
        written += len(batch.ids)
    return written


@dataclass(frozen=True)
class IncidentSource:
    """What drawing more incidents for the city in the database takes from it, read once
    (:func:`incident_source`): the city, its hot sites, the workflow's rules and the work
    calendar around ``now``. Drawing from it (:func:`draw_incidents`) reads nothing more,
    so it can run in another process while the last draw is written."""

    model: CityModel
    book: AddressBook
    hot: np.ndarray
    rules: Rules
    cal: WorkCalendar
    now: datetime


def incident_source(session: Session, now: datetime) -> IncidentSource:
    """Read what :func:`draw_incidents` needs, and make sure the timeline's months of the
    history before ``now`` exist before its rows go in (not the default partition, whence
    the upkeep would have to move them)."""
    if is_empty(session):
        raise DemoError("there is no city to add incidents to; run seed() first")
    model = load_city_model(session)
    hot = session.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM key_site WHERE site_type IN (:a, :b) ORDER BY id"),
        {"a": SiteType.MARKET.value, "b": SiteType.ENTERTAINMENT.value},
    ).all()
    points = np.asarray(hot, dtype=float).reshape(-1, 2)
    return _source(session, model, AddressBook(model), points, _default_now(now))


def _source(
    session: Session, model: CityModel, book: AddressBook, hot: np.ndarray, now: datetime
) -> IncidentSource:
    partitions.ensure(session, today=now.date(), since=(now - timedelta(days=400)).date())
    cal = WorkCalendar.load(
        session, (now - timedelta(days=400)).date(), (now + timedelta(days=400)).date()
    )
    return IncidentSource(
        model=model,
        book=book,
        hot=hot,
        rules=load_rules(session, LEAF_CODES),
        cal=cal,
        now=now,
    )


def draw_incidents(
    src: IncidentSource,
    n: int,
    seed: int,
    first: int,
    prefix: str,
    serials: dict[str, int],
    clock: _Clock | None = None,
) -> Iterator[tuple[IncidentBatch, timeline.Cut]]:
    """``n`` incidents with ids from ``first`` and their paths through the loop, in
    batches of :data:`INCIDENT_CHUNK`; ``serials`` (the last external serial per source
    under ``prefix``) is moved on past each batch. The same arguments draw the same."""
    clock = clock or _Clock({})
    placer = Placer(src.model, src.hot, seed)
    written = 0
    while written < n:
        k = min(INCIDENT_CHUNK, n - written)
        rng = np.random.default_rng([seed, 3, first + written])
        batch = generate(
            rng, src.model, src.book, placer, k, src.now, first + written, serials, prefix
        )
        clock.lap("incidents_generate")
        rng = np.random.default_rng([seed, 4, first + written])
        cut = _history(rng, batch, src.rules, src.cal, src.now)
        clock.lap("timelines")
        yield batch, cut
        for s in batch.source:  # serials continue in the next batch
            serials[s] = serials.get(s, 0) + 1
        written += k


def _history(
    rng: np.random.Generator, batch: IncidentBatch, rules: Rules, cal: WorkCalendar, now: datetime
) -> timeline.Cut:
    """Each incident's path through the loop, cut at ``now``."""
    reported = batch.reported.astype(np.int64)
    now_s = int(now.timestamp())
    paths = lifecycle.simulate(
        rng, ids=batch.ids, reported=reported, sources=batch.source, leaves=batch.leaf,
        priority=batch.priority, grid_ids=batch.grid_id, rules=rules, cal=cal, now=now_s,
    )  # fmt: skip
    return timeline.cut(
        paths, reported=reported, sources=batch.source, leaves=batch.leaf,
        routes=rules.routing.routes, now=now_s,
    )  # fmt: skip


def _write_catalog(session: Session) -> tuple[int, int]:
    depts = [(i, code, zh, en, None) for i, (code, zh, en) in enumerate(DEPARTMENTS, start=1)]
    writer.copy_rows(session, "department", writer.DEPARTMENT_COLUMNS, depts)
    cats = category_rows({code: i for i, code, *_ in depts})
    writer.copy_rows(session, "incident_category", writer.CATEGORY_COLUMNS, cats)
    return len(depts), len(cats)
