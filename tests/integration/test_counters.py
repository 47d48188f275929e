"""The counters the writers keep stay exact, and the wall's figures read from them are
those read from the cases: the open cases per street x status x lead department
(migration 0032_open_case_counts) and the cases received and resolved per street x hour
(migration 0033_hour_counts).

The writes of ``test_rollup.RollupMachine`` (intake single and bulk, verify, reject,
merge, dispatch, resolve and rate, the resident's reopen, corrections of status and grid,
moves, deletes, one UPDATE of many rows), plus changes of the lead department, of the
received, resolved and due times, and compactions of both delta logs at random points;
after each step the counters plus the pending deltas equal a direct GROUP BY, and for
random instants (clocks run out or not; windows starting and ending inside an hour or on
it) and scopes (city, county, street; a community reads the cases) the wall's open cases
by status, department and overdue, and its counts of today against yesterday, equal those
counted from the cases.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule
from sqlalchemy import text

from geodata.db import get_admin_engine, session_scope
from geodata.queries import open_counts as oq
from geodata.queries import wall as wq
from governance import rollup
from governance import wall as gw
from governance.uow import unit_of_work
from tests.integration.test_rollup import (  # noqa: F401  (fixtures)
    RollupMachine,
    city,
    small_chunks,
)

SCOPES = [None, "441502", "441502001", "441502001001"]


def open_drift() -> rollup.Drift:
    with unit_of_work(admin=True) as s:
        return rollup.check_open(s)


def hour_drift() -> rollup.Drift:
    with unit_of_work(admin=True) as s:
        return rollup.check_hours(s)


class CountersMachine(RollupMachine):
    """The rollup test's writes, plus department and time changes and compactions."""

    @rule()
    def compact_open(self) -> None:
        with unit_of_work(admin=True) as s:
            rollup.compact_open(s)

    @rule()
    def compact_hours(self) -> None:
        with unit_of_work(admin=True) as s:
            rollup.compact_hours(s)

    @rule(
        data=st.data(),
        column=st.sampled_from(["reported_at", "resolved_at", "resolve_due_at"]),
        minutes=st.integers(-60 * 30, 60 * 30),
    )
    def shift_time(self, data: st.DataObject, column: str, minutes: int) -> None:
        """A correction of a case's received, resolved or due time (SQL): its counts move
        to another hour, or it becomes on time or late."""
        picked = self._pick(data)
        if picked is None:
            return
        with session_scope(admin=True) as s:
            s.execute(
                text(
                    f"UPDATE incident SET {column} = {column} + make_interval(mins => :m) "
                    "WHERE id = :i"
                ),
                {"m": minutes, "i": picked},
            )

    @rule(data=st.data())
    def change_department(self, data: st.DataObject) -> None:
        """A transfer to another department, or none (SQL, as a correction would)."""
        picked = self._pick(data)
        if picked is None:
            return
        with session_scope(admin=True) as s:
            depts = s.execute(text("SELECT id FROM department ORDER BY id LIMIT 4")).scalars()
            dept = data.draw(st.sampled_from([None, *depts]))
            s.execute(
                text("UPDATE incident SET lead_department_id = :d WHERE id = :i"),
                {"d": dept, "i": picked},
            )

    @invariant()
    def counters_are_exact(self) -> None:
        d = open_drift()
        assert d.exact, d
        h = hour_drift()
        assert h.exact, h

    @rule(data=st.data(), hours=st.integers(-72, 72), scope=st.sampled_from(SCOPES))
    def wall_agrees(self, data: st.DataObject, hours: int, scope: str | None) -> None:
        at = self.now + timedelta(hours=hours, minutes=data.draw(st.integers(0, 59)))
        with session_scope(admin=True) as s:
            fast = wq.open_cases(s, at, scope)
            raw = wq.open_cases(s, at, scope, counters=False)
        assert fast == raw

    @rule(
        data=st.data(),
        hours=st.integers(-60, 24),
        minute=st.sampled_from([0, 0, 1, 17, 59]),
        scope=st.sampled_from(SCOPES),
    )
    def today_agrees(self, data: st.DataObject, hours: int, minute: int, scope: str | None) -> None:
        base = self.now.replace(minute=0, second=0, microsecond=0)
        now = base + timedelta(hours=hours, minutes=minute)
        b = gw.bounds(now)
        with session_scope(admin=True) as s:
            fast = wq.window_counts(s, b, scope)
            raw = wq.window_counts(s, b, scope, kept=False)
        assert fast == raw


def test_the_counters_follow_every_write_and_the_wall_agrees(
    city: dict[str, Any],  # noqa: F811
    small_chunks: None,  # noqa: F811
) -> None:
    CountersMachine.city = city
    machine = CountersMachine.TestCase
    machine.settings = settings(
        max_examples=10,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine().runTest()


def test_the_wall_reads_the_counters_for_the_demo_city() -> None:
    """On the demo city as loaded, for each scope the counters serve: the same groups,
    the same counts of today and yesterday (at the hour and within it)."""
    with session_scope(admin=True) as s:
        at = s.execute(text("SELECT now()")).scalar_one()
        for scope in SCOPES:
            assert oq.serves(scope) == (scope is None or len(scope) <= 9)
            fast = wq.open_cases(s, at, scope)
            assert fast == wq.open_cases(s, at, scope, counters=False)
            for now in (at, at.replace(minute=0, second=0, microsecond=0)):
                b = gw.bounds(now)
                assert wq.window_counts(s, b, scope) == wq.window_counts(s, b, scope, kept=False)
        assert sum(g.n for g in wq.open_cases(s, at, None)) > 0
        day = wq.window_counts(s, gw.bounds(at - timedelta(hours=12)), None)
        assert (day["today"] or 0) + (day["today_prev"] or 0) > 0  # something was counted


def test_two_writers_of_the_same_street_do_not_wait_for_each_other() -> None:
    """Two open transactions each move a case of the same street, status and department;
    neither waits for the other (the triggers only append deltas), and after both commit
    and a compaction the counters are exact."""
    with session_scope(admin=True) as s:
        ids = (
            s.execute(
                text("""SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
                         WHERE i.status = 'registered' AND left(g.code, 9) = (
                               SELECT left(g2.code, 9) FROM incident i2
                               JOIN area g2 ON g2.id = i2.grid_id
                               WHERE i2.status = 'registered'
                               GROUP BY 1 HAVING count(*) >= 2 ORDER BY 1 LIMIT 1)
                         ORDER BY i.id LIMIT 2""")
            )
            .scalars()
            .all()
        )
    assert len(ids) == 2
    engine = get_admin_engine()
    first = engine.connect()
    tx = first.begin()
    try:
        first.execute(text("UPDATE incident SET status = 'verified' WHERE id = :i"), {"i": ids[0]})
        done = threading.Event()

        def second() -> None:
            with engine.begin() as c:
                c.execute(text("SET LOCAL lock_timeout = '5s'"))
                c.execute(
                    text("UPDATE incident SET status = 'verified' WHERE id = :i"), {"i": ids[1]}
                )
            done.set()

        t = threading.Thread(target=second)
        t.start()
        t.join(30)
        assert done.is_set(), "the second writer waited for the first"
        tx.rollback()  # the first one's change never happened
    finally:
        first.close()
    with unit_of_work(admin=True) as s:
        s.execute(text("UPDATE incident SET status = 'registered' WHERE id = :i"), {"i": ids[1]})
    with unit_of_work(admin=True) as s:
        rollup.compact_open(s)
    assert open_drift().exact
