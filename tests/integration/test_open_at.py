"""The cases open at a past instant, read the fast way (``case_state.states_at(...,
open_only=True)``: the first transition after the instant says where a case stood, and
only cases whose deadlines were set since read their history), equal the replay of the
raw timeline (``wall_helpers.states_at``, written from the definition) at every instant
of random histories written through the real state machine: before, at and between each
of their events, in the supervisor's street and city-wide.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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
