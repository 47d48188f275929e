"""The storage layout for growth (issue 17): the timeline's monthly partitions never lose
a row dated outside every month they cover, their upkeep moves such rows into months of
their own, an attachment still needs a real event of its incident, and the migrations of
the layout go down and up again on a seeded city keeping every row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from geodata import migrate
from geodata.queries import partitions

# The revision before issue 17's storage migrations: down to it and up again.
BEFORE_SCALE = "0023_alerts"


def _incident(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.execute(text("SELECT min(id) FROM incident")).scalar_one())


def _event(session, incident_id: int, at: datetime) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    row = session.execute(
        text("""INSERT INTO incident_event (incident_id, at, action, version)
                VALUES (:i, :at, 'note', 1) RETURNING id, tableoid::regclass::text"""),
        {"i": incident_id, "at": at},
    ).one()
    return int(row[0]), str(row[1])


def test_an_event_dated_outside_every_partition_is_stored_and_later_given_its_month(
    session,  # type: ignore[no-untyped-def]
) -> None:
    incident = _incident(session)
    far = {
        datetime(1900, 1, 2, 3, tzinfo=UTC): "incident_event_y1900m01",
        datetime(2200, 3, 4, 5, tzinfo=UTC): "incident_event_y2200m03",
    }
    stored = {}
    for at in far:
        event_id, table = _event(session, incident, at)
        assert table == partitions.DEFAULT  # no month covers it: the default partition
        stored[event_id] = at
    done = partitions.ensure(session, today=date(2026, 12, 6))
    assert set(far.values()) == set(done.created) and done.moved == 2
    rows = session.execute(
        text("""SELECT id, at, tableoid::regclass::text FROM incident_event
                WHERE id = ANY(:ids)"""),
        {"ids": list(stored)},
    ).all()
    assert {(r[0], r[1], r[2]) for r in rows} == {
        (i, at, far[at]) for i, at in stored.items()
    }  # the same rows, each in its own month now
    assert partitions.counts(session)[partitions.DEFAULT] == 0
    again = partitions.ensure(session, today=date(2026, 12, 6))
    assert again.created == () and again.moved == 0  # idempotent


def test_the_coming_months_have_their_partitions(session) -> None:  # type: ignore[no-untyped-def]
    today = date(2031, 5, 17)
    done = partitions.ensure(session, today=today)
    have = partitions.existing(session)
    month = partitions.month_start(today)
    for _ in range(partitions.MONTHS_AHEAD + 1):
        assert partitions.name_of(month) in have
        month = partitions.next_month(month)
    assert partitions.name_of(date(2031, 5, 1)) in done.created
    _, table = _event(session, _incident(session), datetime(2031, 8, 31, 23, tzinfo=UTC))
    assert table == "incident_event_y2031m08"


def test_an_attachment_needs_an_event_of_its_own_incident(session) -> None:  # type: ignore[no-untyped-def]
    incident = _incident(session)
    event_id, _ = _event(session, incident, datetime.now(UTC))
    other = int(session.execute(text("SELECT max(id) FROM incident")).scalar_one())
    insert = text("""INSERT INTO incident_attachment
                       (incident_id, event_id, filename, content_type, size, sha256, data)
                     VALUES (:i, :e, 'a.jpg', 'image/jpeg', 1, repeat('0', 64), '\\x00')""")
    with session.begin_nested():
        session.execute(insert, {"i": incident, "e": event_id})  # its own event: fine
    for i, e in ((other, event_id), (incident, event_id + 10**9)):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(insert, {"i": i, "e": e})


@pytest.fixture
def seeded_scratch(owner_url: str) -> Iterator[str]:
    """A database of its own, at head, with a small demo city (dropped afterwards)."""
    from geodata import demo
    from tests.conftest import ADMIN_URL

    url = make_url(owner_url).set(database=make_url(owner_url).database + "_layout")
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    u = url.render_as_string(hide_password=False)
    try:
        migrate.upgrade(u)
        from geodata.db import session_scope

        with session_scope(u, admin=True) as s:
            demo.seed(s, incidents=1500, now=datetime(2026, 11, 30, 12, tzinfo=UTC))
        yield u
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


def _fingerprint(url: str) -> dict[str, object]:
    eng = create_engine(url)
    with eng.connect() as c:
        out = {
            "incidents": tuple(
                c.execute(
                    text("""SELECT count(*), md5(string_agg(id::text || ST_AsEWKB(geom)::text
                            || status || category_code, ',' ORDER BY id)) FROM incident""")
                ).one()
            ),
            "events": tuple(
                c.execute(
                    text("""SELECT count(*), md5(string_agg(id::text || incident_id::text
                            || at::text || action, ',' ORDER BY id)) FROM incident_event""")
                ).one()
            ),
            "reporters": c.execute(text("SELECT count(*) FROM incident_reporter")).scalar_one(),
            "feedback": c.execute(text("SELECT count(*) FROM incident_feedback")).scalar_one(),
        }
    eng.dispose()
    return out


@pytest.mark.commits  # migrations commit, in a database of their own
def test_the_layout_migrations_go_down_and_up_keeping_the_city(seeded_scratch: str) -> None:
    before = _fingerprint(seeded_scratch)
    assert before["incidents"][0] == 1500  # type: ignore[index]
    migrate.downgrade(seeded_scratch, BEFORE_SCALE)
    assert _fingerprint(seeded_scratch) == before
    migrate.upgrade(seeded_scratch)
    assert _fingerprint(seeded_scratch) == before
    # and a new event still gets a fresh id past every kept one
    eng = create_engine(seeded_scratch)
    with eng.begin() as c:
        top = c.execute(text("SELECT max(id) FROM incident_event")).scalar_one()
        new = c.execute(
            text("""INSERT INTO incident_event (incident_id, action, version)
                    SELECT min(id), 'note', 1 FROM incident RETURNING id""")
        ).scalar_one()
    eng.dispose()
    assert new > top
