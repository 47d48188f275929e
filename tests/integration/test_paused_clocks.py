"""Clocks that pause: a suspended case's deadlines stand still, in working time.

The rule is written out here from the issue, on the demo's 2026 calendar (中秋节 is Friday
25 September, 国庆节 1–7 October): a case suspended from Thursday 24 September to
Wednesday 30 September stood still for three working days (Thursday, Monday, Tuesday),
so both its deadlines move by exactly three working days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import sla
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from tests.integration.test_workflow import _principal, new_incident, transition

TZ = LOCAL_TZ
DAY = 86_400


def at(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def state(incident_id: int) -> dict:
    with session_scope(admin=True) as s:
        return dict(
            s.execute(
                text(
                    "SELECT status, version, accept_due_at, resolve_due_at, suspended_at "
                    "FROM incident WHERE id = :i"
                ),
                {"i": incident_id},
            )
            .mappings()
            .one()
        )


def test_three_working_days_across_a_weekend_and_a_holiday(session) -> None:  # type: ignore[no-untyped-def]
    accept_due = at(2026, 9, 24, 10)  # Thursday 10:00
    resolve_due = at(2026, 9, 30)  # the end of Tuesday 29 September
    shift = sla.shifted(session, at(2026, 9, 24), at(2026, 9, 30), accept_due, resolve_due)
    assert shift.working_seconds == 3 * DAY
    # Thursday 10:00 + 3 working days: the rest of Thursday, Monday, Tuesday, Wednesday 10:00
    assert shift.accept_due_at == at(2026, 9, 30, 10)
    # the end of Tuesday + 3 working days: Wednesday 30, (国庆节), Thursday 8, Friday 9 October
    assert shift.resolve_due_at == at(2026, 10, 10)


def test_a_working_weekend_counts_and_a_holiday_does_not(session) -> None:  # type: ignore[no-untyped-def]
    # Sunday 20 September 2026 is a working day (国庆节调休上班)
    shift = sla.shifted(session, at(2026, 9, 19), at(2026, 9, 21), None, None)
    assert shift.working_seconds == DAY
    # 1 to 7 October: no working day at all
    assert sla.shifted(session, at(2026, 10, 1), at(2026, 10, 8), None, None).working_seconds == 0


def _suspended_since(incident_id: int, since: datetime) -> None:
    with session_scope(admin=True) as s:
        s.execute(
            text("UPDATE incident SET suspended_at = :t WHERE id = :i"),
            {"t": since, "i": incident_id},
        )


def test_resume_moves_both_deadlines_and_says_so_in_the_timeline() -> None:
    sup, dept = _principal("supervisor"), _principal("dept")
    iid = new_incident("verified")
    v = state(iid)["version"]
    transition(iid, "dispatch", expected_version=v, principal=sup,
               params={"lead_department_id": dept.department_id})  # fmt: skip
    before = state(iid)
    transition(iid, "suspend", expected_version=before["version"], principal=sup,
               note="等待法院判决")  # fmt: skip
    assert state(iid)["status"] == "suspended"
    since = datetime.now(TZ) - timedelta(days=9)  # covers at least one weekend
    _suspended_since(iid, since)
    transition(iid, "resume", expected_version=state(iid)["version"], principal=sup)
    after = state(iid)
    assert after["status"] == "dispatched" and after["suspended_at"] is None
    with session_scope(admin=True) as s:
        paused = sla.shifted(
            s, since, datetime.now(TZ), before["accept_due_at"], before["resolve_due_at"]
        )
        detail = s.execute(
            text("SELECT detail FROM incident_event WHERE incident_id = :i AND action = 'resume'"),
            {"i": iid},
        ).scalar_one()
    # nine calendar days hold at least five working days, and at most nine
    assert 5 * DAY <= paused.working_seconds <= 9 * DAY
    moved = after["resolve_due_at"] - before["resolve_due_at"]
    assert moved >= timedelta(days=7)  # working time, so at least the calendar span
    assert abs((after["accept_due_at"] - paused.accept_due_at).total_seconds()) < 120
    assert detail["paused_working_hours"] == pytest.approx(paused.working_seconds / 3600, abs=0.2)
    assert detail["resolve_due_at"]["from"] == before["resolve_due_at"].isoformat()


def test_resume_of_an_accepted_case_moves_only_the_resolve_deadline() -> None:
    sup, dept = _principal("supervisor"), _principal("dept")
    iid = new_incident("verified")
    transition(iid, "dispatch", expected_version=state(iid)["version"], principal=sup,
               params={"lead_department_id": dept.department_id})  # fmt: skip
    transition(iid, "accept", expected_version=state(iid)["version"], principal=dept)
    before = state(iid)
    transition(iid, "suspend", expected_version=before["version"], principal=sup,
               note="等待鉴定结果")  # fmt: skip
    _suspended_since(iid, datetime.now(TZ) - timedelta(days=9))
    transition(iid, "resume", expected_version=state(iid)["version"], principal=sup)
    after = state(iid)
    # the case was accepted before it stood still: its accept-by is history
    assert after["accept_due_at"] == before["accept_due_at"]
    assert after["resolve_due_at"] - before["resolve_due_at"] >= timedelta(days=7)
    with session_scope(admin=True) as s:
        detail = s.execute(
            text("SELECT detail FROM incident_event WHERE incident_id = :i AND action = 'resume'"),
            {"i": iid},
        ).scalar_one()
    assert "accept_due_at" not in detail and "resolve_due_at" in detail


def test_a_suspended_case_is_never_reminded_and_is_reviewed_once_after_the_limit() -> None:
    from governance.sla_sweep import sweep
    from governance.uow import unit_of_work

    sup, dept = _principal("supervisor"), _principal("dept")
    iid = new_incident("verified")
    transition(iid, "dispatch", expected_version=state(iid)["version"], principal=sup,
               params={"lead_department_id": dept.department_id})  # fmt: skip
    transition(iid, "suspend", expected_version=state(iid)["version"], principal=sup,
               note="等待第三方检测")  # fmt: skip
    with session_scope(admin=True) as s:  # its accept deadline passed long ago
        s.execute(
            text("UPDATE incident SET accept_due_at = now() - interval '3 days' WHERE id = :i"),
            {"i": iid},
        )
    _suspended_since(iid, datetime.now(TZ) - timedelta(days=31))
    with unit_of_work() as s:
        sweep(s)
    with unit_of_work() as s:
        sweep(s)  # a second sweep adds nothing
    with session_scope(admin=True) as s:
        actions = s.execute(
            text("SELECT action FROM incident_event WHERE incident_id = :i ORDER BY id"),
            {"i": iid},
        ).scalars()
        steps = list(actions)
    assert "remind" not in steps and "supervise" not in steps
    assert steps.count("review") == 1


@pytest.mark.parametrize(
    ("until_days", "ok"),
    [(-1, False), (0, False), (10, True), (30, True), (31, False)],
)
def test_a_suspension_longer_than_the_policy_allows_is_refused(until_days: int, ok: bool) -> None:
    sup, dept = _principal("supervisor"), _principal("dept")
    iid = new_incident("verified")
    transition(iid, "dispatch", expected_version=state(iid)["version"], principal=sup,
               params={"lead_department_id": dept.department_id})  # fmt: skip
    v = state(iid)["version"]
    until = datetime.now(TZ) + timedelta(days=until_days, minutes=-1 if until_days else 0)
    params = {"until": until.isoformat(timespec="minutes")}
    if ok:
        transition(iid, "suspend", expected_version=v, principal=sup, note="等待", params=params)
        assert state(iid)["status"] == "suspended"
    else:
        with pytest.raises(InvalidInput):
            transition(iid, "suspend", expected_version=v, principal=sup, note="等待",
                       params=params)  # fmt: skip
        assert state(iid)["version"] == v


def test_bad_requests_change_nothing() -> None:
    sup, dept = _principal("supervisor"), _principal("dept")
    iid = new_incident("verified")
    transition(iid, "dispatch", expected_version=state(iid)["version"], principal=sup,
               params={"lead_department_id": dept.department_id})  # fmt: skip
    v = state(iid)["version"]
    with pytest.raises(InvalidInput):  # not suspended
        transition(iid, "resume", expected_version=v, principal=sup)
    with pytest.raises(InvalidInput):  # no reason
        transition(iid, "suspend", expected_version=v, principal=sup)
    assert state(iid)["version"] == v and state(iid)["status"] == "dispatched"
