"""The closed loop on the real database: the state machine by role, versions, concurrency.

The expected behaviour is written out here independently of governance/workflow.py
(EXPECTED and WHO below), from the issue: which states each action starts from and leads
to, and which roles may take it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import text

from geodata.db import session_scope
from governance import workflow
from governance.access import Principal
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.uow import unit_of_work
from tests.conftest import signed_in_client


def transition(incident_id: int, action: str, *, principal: Principal | None, **kw: Any) -> Any:
    """:func:`governance.workflow.transition` in a unit of work of its own, as a route
    opens it (committed, or rolled back on a refusal)."""
    with unit_of_work(principal) as s:
        return workflow.transition(s, incident_id, action, principal=principal, **kw)


def transition_steps(incident_id: int, steps: Any, **kw: Any) -> Any:
    """:func:`governance.workflow.transition_steps` in a unit of work of its own."""
    with unit_of_work(kw.get("principal")) as s:
        return workflow.transition_steps(s, incident_id, steps, **kw)


def departments(lang: str = "zh-CN") -> list[dict[str, Any]]:
    """:func:`governance.workflow.departments`, read in a unit of work of its own."""
    with unit_of_work() as s:
        return workflow.departments(s, lang)


def resident_feedback(incident_id: int, rating: str, comment: str | None = None) -> Any:
    """:func:`governance.workflow.resident_feedback` in a unit of work of its own (a
    resident: no principal)."""
    with unit_of_work() as s:
        return workflow.resident_feedback(s, incident_id, rating, comment)


# action -> (from states, to state or None for "unchanged" / "resume")
EXPECTED: dict[str, tuple[set[str], str | None]] = {
    "verify": ({"registered"}, "verified"),
    "reject": ({"registered", "verified"}, "rejected"),
    "escalate": ({"registered", "verified"}, "verified"),
    "merge": ({"registered", "verified"}, "merged"),
    "dispatch": ({"verified"}, "dispatched"),
    "transfer": ({"dispatched", "accepted", "in_progress"}, "dispatched"),
    "accept": ({"dispatched"}, "accepted"),
    "return": ({"dispatched", "accepted"}, "verified"),
    "start": ({"accepted"}, "in_progress"),
    "request_extension": ({"accepted", "in_progress"}, None),
    "approve_extension": ({"accepted", "in_progress"}, None),
    "deny_extension": ({"accepted", "in_progress"}, None),
    "resolve": ({"accepted", "in_progress"}, "resolved"),
    "suspend": ({"dispatched", "accepted", "in_progress"}, "suspended"),
    "resume": ({"suspended"}, None),
    "close": ({"resolved"}, "closed"),
    "fail_verification": ({"resolved"}, "in_progress"),
    "reopen": ({"closed", "evaluated"}, "in_progress"),
}
DISPATCHER = {"commander", "supervisor"}
# action -> roles that may take it ("lead" = staff of the lead department only)
WHO: dict[str, set[str]] = {
    "verify": {"commander", "supervisor", "grid_worker"},
    "reject": DISPATCHER,
    "escalate": {"supervisor", "grid_worker"},
    "merge": DISPATCHER,
    "dispatch": DISPATCHER,
    "transfer": DISPATCHER,
    "accept": {"lead"},
    "return": {"lead"},
    "start": {"lead"},
    "request_extension": {"lead"},
    "approve_extension": DISPATCHER,
    "deny_extension": DISPATCHER,
    "resolve": {"lead"},
    "suspend": DISPATCHER,
    "resume": DISPATCHER,
    "close": {"commander", "supervisor", "grid_worker"},
    "fail_verification": {"commander", "supervisor", "grid_worker"},
    "reopen": DISPATCHER,
}
NEEDS_NOTE = {
    "reject",
    "escalate",
    "transfer",
    "return",
    "request_extension",
    "deny_extension",
    "resolve",
    "suspend",
    "fail_verification",
    "reopen",
}


def _principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        user = s.query(AppUser).filter_by(username=username).one()
        return principal_of(s, user)


@pytest.fixture(scope="module")
def actors() -> dict[str, Principal]:
    """The demo users, plus staff of a second department (no account needed here)."""
    out = {name: _principal(name) for name in ("commander", "supervisor", "gridworker", "dept")}
    with session_scope(admin=True) as s:
        other = s.execute(
            text("SELECT id FROM department WHERE id <> :d ORDER BY id LIMIT 1"),
            {"d": out["dept"].department_id},
        ).scalar_one()
    out["dept2"] = replace(out["dept"], user_id=0, username="dept2", department_id=other)
    auditor = _principal("auditor")
    out["auditor"] = auditor
    return out


def new_incident(status: str = "registered", lead: int | None = None) -> int:
    """A fresh incident in the demo grid worker's grid (so every demo role covers it)."""
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("""
            INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
                grid_id, status, priority, description, address, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version, lead_department_id)
            SELECT 'grid', 'wf-' || gen_random_uuid(), i.category_code, now(), now(),
                   i.grid_id, :status, 3, '测试事件', i.address, i.geom,
                   i.h3_6, i.h3_7, i.h3_8, i.h3_9, i.h3_10, 1, :lead
            FROM incident i JOIN app_user u ON u.username = 'gridworker'
            WHERE i.grid_id = u.area_id LIMIT 1
            RETURNING id"""),
                {"status": status, "lead": lead},
            ).scalar_one()
        )


def state(incident_id: int) -> dict[str, Any]:
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT status, version, lead_department_id, extension_requested_until,
                    resolve_due_at, (SELECT count(*) FROM incident_event e
                                     WHERE e.incident_id = i.id) AS events
                    FROM incident i WHERE id = :id"""),
            {"id": incident_id},
        ).mappings()
        return dict(row.one())


def params_for(action: str, incident_id: int, actors: dict[str, Principal]) -> dict[str, Any]:
    st_ = state(incident_id)
    d1, d2 = actors["dept"].department_id, actors["dept2"].department_id
    if action == "dispatch":
        return {"lead_department_id": d1}
    if action == "transfer":
        return {"lead_department_id": d2 if st_["lead_department_id"] == d1 else d1}
    if action == "request_extension":
        base = st_["resolve_due_at"] or datetime.now().astimezone()
        return {"until": (base + timedelta(days=2)).isoformat()}
    if action == "merge":
        return {"into": new_incident()}
    return {}


# ------------------------------------------------------------------------ the walk-through
def test_the_closed_loop_over_the_api(actors: dict[str, Principal]) -> None:
    iid = new_incident()
    sup, dept = signed_in_client("supervisor"), signed_in_client("dept")

    def post(client, action: str, **body: Any):  # type: ignore[no-untyped-def]
        version = client.get(f"/api/v1/incidents/{iid}").get_json()["workflow"]["version"]
        return client.post(
            f"/api/v1/incidents/{iid}/transitions",
            data=json.dumps({"action": action, "expected_version": version, **body}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": client.get_cookie("_csrf_token").value,
            },
        )

    detail = sup.get(f"/api/v1/incidents/{iid}").get_json()
    assert detail["workflow"]["actions"] == ["verify", "reject", "escalate", "merge"]
    assert post(sup, "verify").status_code == 200
    suggestion = sup.get(f"/api/v1/incidents/{iid}").get_json()["workflow"]["suggestion"]
    assert suggestion["lead"] is not None
    r = post(sup, "dispatch", lead_department_id=actors["dept"].department_id)
    assert r.status_code == 200 and r.get_json()["status"] == "dispatched"
    flow = dept.get(f"/api/v1/incidents/{iid}").get_json()["workflow"]
    assert flow["sla"]["stage"] == "accept" and flow["sla"]["state"] == "green"
    assert "accept" in flow["actions"] and "dispatch" not in flow["actions"]
    assert post(dept, "accept").status_code == 200
    assert post(dept, "resolve").status_code == 400  # a note is required
    assert post(dept, "resolve", note="已清理完毕").status_code == 200
    assert post(sup, "close").status_code == 200
    flow = sup.get(f"/api/v1/incidents/{iid}").get_json()["workflow"]
    assert flow["status"] == "closed" and flow["sla"] is None
    steps = [(e["action"], e["to_status"], e["version"]) for e in flow["timeline"]]
    assert steps == [
        ("verify", "verified", 2),
        ("dispatch", "dispatched", 3),
        ("accept", "accepted", 4),
        ("resolve", "resolved", 5),
        ("close", "closed", 6),
    ]
    assert flow["timeline"][3]["note"] == "已清理完毕"
    with session_scope(admin=True) as s:
        changes = s.execute(
            text("""SELECT count(*) FROM audit_log WHERE action = 'data_change'
                    AND object_type = 'incident' AND object_id = :id"""),
            {"id": str(iid)},
        ).scalar_one()
    assert changes == 5


def test_a_stale_version_is_409_and_changes_nothing(actors: dict[str, Principal]) -> None:
    iid = new_incident()
    transition(iid, "verify", expected_version=1, principal=actors["gridworker"])
    before = state(iid)
    with pytest.raises(Conflict) as err:
        transition(iid, "reject", expected_version=1, principal=actors["supervisor"], note="重复")
    assert err.value.status == 409 and err.value.to_dict("en")["current_version"] == 2
    assert state(iid) == before
    sup = signed_in_client("supervisor")
    resp = sup.post(
        f"/api/v1/incidents/{iid}/transitions",
        data=json.dumps({"action": "reject", "expected_version": 1, "note": "重复"}),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": sup.get_cookie("_csrf_token").value,
        },
    )
    assert resp.status_code == 409 and resp.get_json()["current_version"] == 2
    assert "刷新" in resp.get_json()["message"]
    assert state(iid) == before


def test_wrong_department_scope_and_bad_input_change_nothing(
    actors: dict[str, Principal],
) -> None:
    iid = new_incident("dispatched", lead=actors["dept"].department_id)
    before = state(iid)
    with pytest.raises(Forbidden) as err:
        transition(iid, "accept", expected_version=1, principal=actors["dept2"])
    assert err.value.key == "error.not_lead_department"
    with session_scope(admin=True) as s:  # a supervisor of another street
        other = s.execute(
            text("""SELECT a.id, a.code, a.level, a.name FROM area a WHERE a.level = 'street'
                    AND NOT starts_with(:mine, left(a.code, 9)) LIMIT 1"""),
            {"mine": actors["supervisor"].area_code},
        ).one()
    outsider = replace(
        actors["supervisor"], area_id=other[0], area_code=other[1], area_level=other[2]
    )
    with pytest.raises(Forbidden) as err:
        transition(iid, "suspend", expected_version=1, principal=outsider, note="越权")
    assert err.value.key == "error.out_of_scope"
    for action, kwargs in (
        ("accept", {"expected_version": "1"}),
        ("teleport", {"expected_version": 1}),
        ("transfer", {"expected_version": 1, "note": "x" * 2001}),
        (
            "transfer",
            {"expected_version": 1, "note": "换部门", "params": {"lead_department_id": "abc"}},
        ),
        (
            "transfer",
            {"expected_version": 1, "note": "换部门", "params": {"lead_department_id": 10**6}},
        ),
    ):
        who = actors["dept"] if action == "accept" else actors["commander"]
        with pytest.raises(InvalidInput):
            transition(iid, action, principal=who, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        transition(iid, "accept", expected_version=1, principal=actors["auditor"])
    assert state(iid) == before


@pytest.mark.commits
def test_fifty_concurrent_accepts_make_one_change(actors: dict[str, Principal]) -> None:
    """Needs commits: fifty threads on their own connections race for one row (the
    incident is deleted after the test)."""
    iid = new_incident("dispatched", lead=actors["dept"].department_id)
    barrier = threading.Barrier(50)
    results: list[str] = []
    lock = threading.Lock()

    def accept() -> None:
        barrier.wait()
        try:
            transition(iid, "accept", expected_version=1, principal=actors["dept"])
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome = repr(exc)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=accept) for _ in range(50)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert sorted(results) == ["conflict"] * 49 + ["ok"]
    after = state(iid)
    assert after["status"] == "accepted" and after["version"] == 2 and after["events"] == 1


def test_resident_feedback_closes_or_reopens(actors: dict[str, Principal]) -> None:
    iid = new_incident("dispatched", lead=actors["dept"].department_id)
    dept = actors["dept"]
    transition(iid, "accept", expected_version=1, principal=dept)
    transition(iid, "resolve", expected_version=2, principal=dept, note="已处理")
    assert resident_feedback(iid, "dissatisfied", "还是很吵")["status"] == "in_progress"
    transition(iid, "resolve", expected_version=4, principal=dept, note="加装隔音")
    assert resident_feedback(iid, "satisfied")["status"] == "closed"
    assert resident_feedback(iid, "basic")["status"] == "evaluated"
    with pytest.raises(InvalidInput):
        resident_feedback(iid, "satisfied")  # evaluated: nothing left to rate
    with pytest.raises(InvalidInput):
        resident_feedback(iid, "great")
    with session_scope(admin=True) as s:
        reopened = s.execute(
            text("SELECT reopen_count FROM incident WHERE id = :id"), {"id": iid}
        ).scalar_one()
        ratings = (
            s.execute(
                text("SELECT rating FROM incident_feedback WHERE incident_id = :id ORDER BY id"),
                {"id": iid},
            )
            .scalars()
            .all()
        )
    assert reopened == 1 and ratings == ["dissatisfied", "satisfied", "basic"]


def test_sla_due_dates_follow_the_working_day_calendar() -> None:
    from governance.filters import LOCAL_TZ
    from governance.sla import add_workdays

    friday = datetime(2026, 9, 18, 15, 0, tzinfo=LOCAL_TZ)
    # no overrides: Friday + 1 working day = end of Monday
    assert add_workdays(friday, 1, {}) == datetime(2026, 9, 22, tzinfo=LOCAL_TZ)
    # Sunday 20 Sep a working day (调休), Monday 21 a holiday
    overrides = {datetime(2026, 9, 20).date(): True, datetime(2026, 9, 21).date(): False}
    assert add_workdays(friday, 1, overrides) == datetime(2026, 9, 21, tzinfo=LOCAL_TZ)
    assert add_workdays(friday, 2, overrides) == datetime(2026, 9, 23, tzinfo=LOCAL_TZ)


# ------------------------------------------------------------- the state machine, by role
ROLE_OF = {
    "commander": "commander",
    "supervisor": "supervisor",
    "gridworker": "grid_worker",
    "dept": "dept_staff",
    "dept2": "dept_staff",
    "auditor": "auditor",
}


class Loop(RuleBasedStateMachine):
    """Random (actor, action, note?) steps on one incident, checked against EXPECTED/WHO:
    allowed steps move it as expected; every other step is refused and changes nothing."""

    actors: dict[str, Principal] = {}

    @initialize()
    def fresh(self) -> None:
        self.iid = new_incident()
        self.status = "registered"
        self.lead: int | None = None
        self.pending = False
        self.suspended_from: str | None = None

    @rule(
        who=st.sampled_from(sorted(ROLE_OF)),
        action=st.sampled_from(sorted(EXPECTED)),
        with_note=st.booleans(),
    )
    def step(self, who: str, action: str, with_note: bool) -> None:
        actor = self.actors[who]
        before = state(self.iid)
        sources, target = EXPECTED[action]
        roles = WHO[action]
        role_ok = ROLE_OF[who] in roles or (
            "lead" in roles and who.startswith("dept") and actor.department_id == self.lead
        )
        ext_ok = (action not in ("approve_extension", "deny_extension") or self.pending) and (
            action != "request_extension" or not self.pending
        )
        ok = (
            role_ok
            and self.status in sources
            and ext_ok
            and (with_note or action not in NEEDS_NOTE)
        )
        params = params_for(action, self.iid, self.actors)
        try:
            result = transition(
                self.iid,
                action,
                expected_version=before["version"],
                principal=actor,
                note="测试说明" if with_note else None,
                params=params,
            )
        except (Forbidden, InvalidInput) as err:
            assert not ok, f"{who} {action} in {self.status} refused: {err.key}"
            assert state(self.iid) == before
            return
        assert ok, f"{who} {action} in {self.status} was allowed"
        if action == "resume":
            expected = self.suspended_from
        else:
            expected = target or self.status
        assert result["status"] == expected and result["version"] == before["version"] + 1
        if action == "suspend":
            self.suspended_from = self.status
        if action in ("dispatch", "transfer"):
            self.lead = params["lead_department_id"]
        if action == "return":
            self.lead = None
        if action == "request_extension":
            self.pending = True
        if action in ("approve_extension", "deny_extension", "dispatch", "transfer"):
            self.pending = False
        self.status = str(expected)

    @invariant()
    def one_event_per_change(self) -> None:
        if hasattr(self, "iid"):
            st_ = state(self.iid)
            assert st_["status"] == self.status and st_["events"] == st_["version"] - 1


@pytest.fixture
def loop_machine(actors: dict[str, Principal]) -> Iterator[type[Loop]]:
    Loop.actors = actors
    yield Loop


def test_state_machine_by_role(loop_machine: type[Loop]) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        loop_machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_steps_in_one_transaction_all_or_none(actors: dict[str, Principal]) -> None:
    from governance.workflow import Step

    iid = new_incident()
    sup = actors["supervisor"]
    nowhere = Step("dispatch", params={"lead_department_id": 999_999})
    with pytest.raises(InvalidInput):  # verify passes, the dispatch is refused: neither
        transition_steps(iid, [Step("verify"), nowhere], expected_version=1, principal=sup)
    assert (state(iid)["status"], state(iid)["version"], state(iid)["events"]) == (
        "registered",
        1,
        0,
    )
    with pytest.raises(Forbidden):  # every step's capability is checked before anything
        transition_steps(
            iid, [Step("escalate", note="上报"), Step("accept")], expected_version=1, principal=sup
        )
    lead = {"lead_department_id": actors["dept"].department_id}
    done = transition_steps(
        iid, [Step("verify"), Step("dispatch", params=lead)], expected_version=1, principal=sup
    )
    assert [(r["status"], r["version"]) for r in done] == [("verified", 2), ("dispatched", 3)]
    assert state(iid)["events"] == 2
