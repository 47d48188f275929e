"""The cases open at a past instant, read the fast way (``case_state.states_at(...,
open_only=True)``: the first transition after the instant says where a case stood, and
only cases whose deadlines were set since read their history), equal the replay of the
raw timeline (``wall_helpers.states_at``, written from the definition) at every instant
of random histories written through the real state machine: before, at and between each
of their events, in the supervisor's street and city-wide.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from geodata.queries import case_state as cs
from geodata.queries.layers import scope_filter
from tests.integration.test_case_state import _new_case, _walk, forget, people  # noqa: F401
from tests.integration.wall_helpers import states_at as replayed

OPEN = set(cs.OPEN)
US = timedelta(microseconds=1)


def _registered(iid: int) -> None:
    """The register event intake writes (``_new_case`` inserts the row alone)."""
    with session_scope(admin=True) as s:
        s.execute(
            text("""INSERT INTO incident_event (incident_id, at, action, from_status,
                        to_status, version)
                    SELECT id, reported_at, 'register', NULL, 'registered', 1
                    FROM incident WHERE id = :i"""),
            {"i": iid},
        )


def _instants(ids: list[int]) -> list[datetime]:
    """Each event's time, a microsecond before it, and the start (before the cases)."""
    with session_scope(admin=True) as s:
        times = [
            t
            for (t,) in s.execute(
                text("SELECT DISTINCT at FROM incident_event WHERE incident_id = ANY(:ids)"),
                {"ids": ids},
            )
        ]
    out = {t for t in times} | {t - timedelta(microseconds=1) for t in times}
    return sorted(out)


def _fast(s: Any, prefix: str, at: datetime) -> dict[int, tuple[Any, ...]]:
    where, params = scope_filter(prefix or None)
    sql = f"SELECT * FROM ({cs.states_at(':at', where, open_only=True)}) s"
    return {int(r[0]): tuple(r[1:]) for r in s.execute(text(sql), {"at": at, **params})}


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=8),
        min_size=1,
        max_size=3,
    )
)
def test_open_at_an_instant_equals_the_replayed_timeline(people, walks) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    anchor = _new_case()
    _registered(anchor)
    ids = [anchor]
    for choices in walks:
        iid = _new_case()
        _registered(iid)
        _walk(iid, choices, people, anchor)
        ids.append(iid)
    street = people["sup"].scope
    try:
        with session_scope(admin=True) as s:
            for at in _instants(ids):
                for prefix in (street, ""):
                    want = {k: v for k, v in replayed(s, prefix, at, ids).items() if v[0] in OPEN}
                    got = {k: v for k, v in _fast(s, prefix, at).items() if k in ids}
                    assert got == want, (at, prefix)
    finally:
        forget(ids)


# ------------------------------------------------------------------ the wall's past counts
def _spread(iid: int, t0: datetime, gap: timedelta) -> None:
    """Move a case's history into the past, its k-th event to ``t0 + k * gap``: each
    deadline an event set moves with that event, and the case's current deadlines with
    the last event that set them (the case is received at ``t0``)."""
    moved: dict[str, timedelta] = {}
    with session_scope(admin=True) as s:
        events = s.execute(
            text("""SELECT id, at, action, detail FROM incident_event
                    WHERE incident_id = :i ORDER BY at, id"""),
            {"i": iid},
        ).all()
        for k, (eid, at, action, detail) in enumerate(events):
            delta = t0 + k * gap - at
            shifted = dict(detail or {})
            for key in ("accept_due_at", "resolve_due_at", "until"):
                value = shifted.get(key)
                if isinstance(value, str):
                    shifted[key] = (datetime.fromisoformat(value) + delta).isoformat()
                elif isinstance(value, dict):
                    shifted[key] = {
                        w: (datetime.fromisoformat(v) + delta).isoformat() for w, v in value.items()
                    }
                else:
                    continue
                if key != "until" or action == "approve_extension":
                    moved[key if key != "until" else "resolve_due_at"] = delta
            s.execute(
                text(
                    "UPDATE incident_event SET at = :at, detail = CAST(:d AS jsonb) WHERE id = :e"
                ),
                {
                    "at": at + delta,
                    "d": json.dumps(shifted) if detail is not None else None,
                    "e": eid,
                },
            )
        s.execute(
            text("""UPDATE incident SET reported_at = :t0, occurred_at = :t0,
                        accept_due_at = accept_due_at + :a, resolve_due_at = resolve_due_at + :r
                    WHERE id = :i"""),
            {
                "i": iid,
                "t0": t0,
                "a": moved.get("accept_due_at", timedelta()),
                "r": moved.get("resolve_due_at", timedelta()),
            },
        )


def _checked_instants(ids: list[int], now: datetime) -> list[datetime]:
    """Each event's time and a microsecond before it, each hour they span, and each
    deadline of the cases and a microsecond before it (where an overdue count turns),
    in the past."""
    out: set[datetime] = set(_instants(ids))
    with session_scope(admin=True) as s:
        dues = s.execute(
            text("""SELECT unnest(ARRAY[accept_due_at, resolve_due_at]) FROM incident
                    WHERE id = ANY(:ids)"""),
            {"ids": ids},
        ).scalars()
        out |= {d - delta for d in dues if d is not None for delta in (timedelta(), US)}
    hour = min(out).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while hour < max(out):
        out.add(hour)
        hour += timedelta(hours=1)
    return sorted(t for t in out if t < now)


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=8),
            st.integers(min_value=0, max_value=150),  # received this many minutes after t0
            st.integers(min_value=0, max_value=35),  # minutes between its events
        ),
        min_size=1,
        max_size=3,
    )
)
def test_the_walls_past_counts_equal_a_full_rebuild(people, cases) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """``wall.open_counts_at`` (an hour's kept counts moved forward by the cases changed
    since) equals the counts of the full rebuild at that instant (``wall.checkpoint``,
    whose rows the test above holds to the replayed timeline), at every instant of
    random histories spread over several hours: at and just before each event, each
    deadline and each hour, in the supervisor's street and city-wide."""
    from geodata.queries import wall

    now = datetime.now(UTC)
    t0 = now - timedelta(hours=8)
    ids = []
    for choices, after, gap in cases:
        iid = _new_case()
        _registered(iid)
        _walk(iid, choices, people, iid)
        _spread(iid, t0 + timedelta(minutes=after), timedelta(minutes=gap))
        ids.append(iid)
    # _spread rewrites when the cases were received, which the app never does (history
    # loaded later is inserted: the next test), so the hours kept before are forgotten
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM kept_figure WHERE kind = :k"), {"k": wall.CHECKPOINT_KIND})
    street = people["sup"].scope
    try:
        with session_scope(admin=True) as s:
            instants = _checked_instants(ids, now)
            for at in instants:
                for prefix in (street, None):
                    want = wall.checkpoint(s, at, prefix).counts
                    assert wall.open_counts_at(s, at, prefix) == want, (at, prefix)
            kept_hours = s.execute(
                text("SELECT count(*) FROM kept_figure WHERE kind = :k"),
                {"k": wall.CHECKPOINT_KIND},
            ).scalar_one()
            hours = {
                at.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for at in instants
            }
            assert kept_hours >= 2 * len(hours)  # both scopes, each hour asked about
    finally:
        forget(ids)  # their deletion drops the kept hours too


def test_history_loaded_later_drops_the_kept_hour(people) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A case received before a kept hour but inserted afterwards (an import) is in the
    past counts at once: the kept hour is dropped and rebuilt."""
    from geodata.queries import wall

    at = datetime.now(UTC) - timedelta(hours=3, minutes=20)
    street = people["sup"].scope
    iid = None
    try:
        with session_scope(admin=True) as s:
            before = wall.open_counts_at(s, at, street)
        with session_scope(admin=True) as s:
            assert wall.open_counts_at(s, at, street) == before  # read back
        iid = _new_case(received=at - timedelta(hours=2))  # waiting since
        _registered(iid)
        with session_scope(admin=True) as s:
            got = wall.open_counts_at(s, at, street)
            assert got == wall.checkpoint(s, at, street).counts
        assert got["awaiting"] == before["awaiting"] + 1
    finally:
        if iid is not None:
            forget([iid])


def test_the_sweep_keeps_the_next_marks_before_a_wall_asks(people) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Once a wall of a scope has read a mark, ``keep_marks_ahead`` (the sweep, each round)
    keeps the marks its "yesterday at this time" wants next: the one nearest to now - 24 h
    and the two after, each equal to a rebuild; nothing for a scope no wall asked about,
    nothing again once kept."""
    from geodata.queries import kept, wall

    street = people["sup"].scope
    now = datetime.now(UTC)
    day_ago = now - timedelta(days=1)
    floor = day_ago - (day_ago - datetime(1970, 1, 1, tzinfo=UTC)) % wall.MARK
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM kept_figure WHERE kind = :k"), {"k": wall.CHECKPOINT_KIND})
        assert wall.keep_marks_ahead(s, now) == 0  # no wall has asked
        wall.open_counts_at(s, day_ago, street)  # a wall of the street: its nearest mark
        assert wall.keep_marks_ahead(s, now) == 2  # the other two
        assert wall.keep_marks_ahead(s, now) == 0
        for k in range(3):
            hour = floor + k * wall.MARK
            got = kept.get_json(
                s, wall.CHECKPOINT_KIND, street, kept.ALL_BEFORE, hour, "v2", wall.Checkpoint.load
            )
            assert got is not None, hour
            assert got == wall.checkpoint(s, hour, street), hour
        city = s.execute(
            text("SELECT count(*) FROM kept_figure WHERE kind = :k AND scope = ''"),
            {"k": wall.CHECKPOINT_KIND},
        ).scalar_one()
        assert city == 0  # no city-wide wall asked
