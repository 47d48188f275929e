"""A department's inbox: what it must act on, in which order, with honest counts.

The query (``geodata/queries/inbox.py``) is tested on cases written in a rolled-back
transaction at a fixed instant; the service and the callback on committed cases, as the
browser reaches them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from geodata.queries import case_state as cs
from geodata.queries.inbox import ACT, PAUSED, department_inbox
from governance.filters import LOCAL_TZ
from pages.map_ids import MapIds
from tests.conftest import signed_in_client
from tests.integration.test_persons_ui import _post, _raw
from tests.integration.test_workflow import _principal, new_incident, state, transition
from tests.integration.test_workflow_ui import inbox_body

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=LOCAL_TZ)
HOUR = timedelta(hours=1)


def _departments(session: Any) -> tuple[int, int]:
    """(the demo department's id, another department's id)."""
    urban = session.execute(text("SELECT id FROM department WHERE code = 'urban_mgmt'")).scalar()
    other = session.execute(
        text("SELECT id FROM department WHERE id <> :d ORDER BY id LIMIT 1"), {"d": urban}
    ).scalar()
    return int(urban), int(other)


def _case(session: Any, status: str, lead: int | None, **cols: Any) -> int:
    """A case in the demo grid worker's grid with the given status and columns."""
    cols = {"assist_department_ids": [], **cols}
    names = ", ".join(cols)
    values = ", ".join(f":{k}" for k in cols)
    return int(
        session.execute(
            text(f"""
            INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
                grid_id, status, priority, description, address, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version, lead_department_id, {names})
            SELECT 'grid', 'inbox-' || gen_random_uuid(), i.category_code, :at, :at,
                   i.grid_id, :status, 3, '测试事件', i.address, i.geom,
                   i.h3_6, i.h3_7, i.h3_8, i.h3_9, i.h3_10, 1, :lead, {values}
            FROM incident i JOIN app_user u ON u.username = 'gridworker'
            WHERE i.grid_id = u.area_id LIMIT 1
            RETURNING id"""),
            {"status": status, "lead": lead, "at": NOW - 48 * HOUR, **cols},
        ).scalar_one()
    )


def _expected_sections(session: Any, dept: int) -> dict[str, tuple[int, int]]:
    """(total, overdue) per section, counted by the one definition, written out apart."""
    rows = session.execute(
        text(f"""
        SELECT CASE WHEN i.status = 'suspended' OR i.extension_requested_until IS NOT NULL
                    THEN 'paused' ELSE 'act' END, count(*),
               count(*) FILTER (WHERE {cs.overdue()})
        FROM incident i
        WHERE (i.lead_department_id = :d OR :d = ANY(i.assist_department_ids))
          AND i.status IN ('dispatched', 'accepted', 'in_progress', 'suspended')
        GROUP BY 1"""),
        {"d": dept, "now": NOW},
    ).all()
    return {str(k): (int(n), int(o)) for k, n, o in rows}


def test_sections_order_and_counts(session: Any) -> None:
    urban, other = _departments(session)
    overdue = _case(session, "dispatched", urban, accept_due_at=NOW - 2 * HOUR)
    near = _case(session, "accepted", urban, resolve_due_at=NOW + HOUR)
    assisting = _case(
        session, "in_progress", other, resolve_due_at=NOW + 72 * HOUR, assist_department_ids=[urban]
    )
    # suspended a week ago with deadlines long past: its clocks stand still, never overdue
    suspended = _case(
        session,
        "suspended",
        urban,
        suspended_from="accepted",
        suspended_at=NOW - 7 * 24 * HOUR,
        accept_due_at=NOW - 30 * 24 * HOUR,
        resolve_due_at=NOW - 20 * 24 * HOUR,
    )
    # an extension asked for: waiting for the dispatcher, its clock still runs
    extension = _case(
        session,
        "accepted",
        urban,
        resolve_due_at=NOW - HOUR,
        extension_requested_until=NOW + 48 * HOUR,
    )
    not_mine = [
        _case(session, "dispatched", other, accept_due_at=NOW - 3 * HOUR),
        _case(session, "resolved", urban, resolve_due_at=NOW - 3 * HOUR),
        _case(session, "registered", None),
    ]
    rows = department_inbox(session, department_id=urban, scope=None, now=NOW, limit=100_000)
    by_id = {r["id"]: r for r in rows}
    assert not set(not_mine) & set(by_id)
    assert {by_id[i]["section"] for i in (overdue, near, assisting)} == {ACT}
    assert {by_id[i]["section"] for i in (suspended, extension)} == {PAUSED}
    assert by_id[suspended]["overdue"] is False and by_id[suspended]["due"] is None
    assert by_id[extension]["overdue"] is True and by_id[overdue]["overdue"] is True
    assert by_id[assisting]["lead"] is False and by_id[near]["lead"] is True
    # the act section first, then paused; in each, overdue first, then the nearest deadline
    sections = [r["section"] for r in rows]
    assert sections == sorted(sections, key=lambda s: s == PAUSED)
    for key in (ACT, PAUSED):
        mine = [r for r in rows if r["section"] == key]
        running = [(not r["overdue"], r["due"]) for r in mine if r["due"] is not None]
        assert running == sorted(running)
        assert [r["rank"] for r in mine] == list(range(1, len(mine) + 1))
        assert all(r["due"] is not None for r in mine[: len(running)])  # then suspensions
    order = [r["id"] for r in rows]
    assert order.index(overdue) < order.index(near) < order.index(assisting)
    assert order.index(extension) < order.index(suspended)
    # honest counts: every case of the section, by the definition, whatever is listed
    expected = _expected_sections(session, urban)
    for r in rows:
        assert (r["section_total"], r["section_overdue"]) == expected[r["section"]]
    few = department_inbox(session, department_id=urban, scope=None, now=NOW, limit=1)
    assert len(few) == 2 and [r["section_total"] for r in few] == [
        expected[ACT][0],
        expected[PAUSED][0],
    ]


def test_scope_limits_the_inbox(session: Any) -> None:
    urban, _other = _departments(session)
    iid = _case(session, "dispatched", urban, accept_due_at=NOW + HOUR)
    far = department_inbox(session, department_id=urban, scope="999", now=NOW, limit=100_000)
    assert far == []
    grid = session.execute(
        text("SELECT g.code FROM incident i JOIN area g ON g.id = i.grid_id WHERE i.id = :id"),
        {"id": iid},
    ).scalar_one()
    near = department_inbox(session, department_id=urban, scope=grid, now=NOW, limit=100_000)
    assert iid in {r["id"] for r in near}


@pytest.fixture
def urban() -> int:
    from tests.integration.test_workflow import departments

    return int(next(d["id"] for d in departments() if d["code"] == "urban_mgmt"))


def test_a_dispatched_case_is_in_the_inbox_where_its_deadline_puts_it(urban: int) -> None:
    iid = new_incident("verified")
    transition(
        iid,
        "dispatch",
        expected_version=1,
        principal=_principal("commander"),
        params={"lead_department_id": urban},
    )
    now = datetime.now(LOCAL_TZ)
    with session_scope(admin=True) as s:
        rows = department_inbox(s, department_id=urban, scope=None, now=now, limit=100_000)
    (row,) = [r for r in rows if r["id"] == iid]
    assert row["section"] == ACT and row["status"] == "dispatched" and row["lead"] is True
    ahead = [r for r in rows if r["section"] == ACT and r["rank"] < row["rank"]]
    assert all(r["overdue"] or r["due"] <= row["due"] for r in ahead)


def test_the_service_gives_every_row_its_clock(urban: int) -> None:
    from governance.inbox import department_queue
    from governance.uow import unit_of_work

    overdue = new_incident("dispatched", lead=urban)
    assisting = new_incident("in_progress", lead=None)
    suspended = new_incident("suspended", lead=urban)
    with session_scope(admin=True) as s:  # long overdue: the most urgent cases of all
        s.execute(
            text("UPDATE incident SET accept_due_at = '2000-01-01' WHERE id = :id"),
            {"id": overdue},
        )
        s.execute(
            text("""UPDATE incident SET resolve_due_at = '2000-01-02', accepted_at = now(),
                    assist_department_ids = ARRAY[:d] WHERE id = :id"""),
            {"id": assisting, "d": urban},
        )
        s.execute(
            text("""UPDATE incident SET suspended_from = 'accepted', suspended_at = '2000-01-01',
                    accept_due_at = '1999-12-01', resolve_due_at = '1999-12-02' WHERE id = :id"""),
            {"id": suspended},
        )
    who = _principal("dept")
    with unit_of_work(who) as s:
        queue = department_queue(s, who)
    act, paused = queue["sections"]
    assert (act["key"], paused["key"]) == (ACT, PAUSED)
    assert queue["total"] == act["total"] + paused["total"]
    items = {i["id"]: i for s in queue["sections"] for i in s["items"]}
    assert items[overdue]["sla"]["state"] == "red" and items[overdue]["overdue"] is True
    assert items[overdue]["sla"]["seconds_left"] < 0
    assert items[assisting]["lead"] is False and items[assisting]["sla"]["stage"] == "resolve"
    assert items[suspended]["sla"] is None and items[suspended]["overdue"] is False
    assert items[suspended]["suspended_at"] is not None
    assert act["items"][0]["overdue"] and act["overdue"] >= 2
    for section in queue["sections"]:
        assert len(section["items"]) <= section["total"]


def test_the_inbox_callback_over_http(urban: int) -> None:
    iid = new_incident("dispatched", lead=urban)
    with session_scope(admin=True) as s:
        s.execute(
            text("UPDATE incident SET accept_due_at = '2000-01-01' WHERE id = :id"), {"id": iid}
        )
    raw = _raw(_post(signed_in_client("dept"), inbox_body()))
    assert f'"incident": {iid}' in raw and "待办理" in raw and "超时" in raw
    assert "mq-sla-red" in raw  # its chip: overdue, and by how long
    # the panel's version stores as Dash lists them (any values) change nothing
    versions = [
        {"id": {"type": "map-flow-version", "incident": iid}, "property": "data", "value": v}
        for v in (1, "x", None)
    ]
    assert _post(signed_in_client("dept"), inbox_body(versions)).status_code == 200
    # a tick that would draw the same inbox again leaves it alone (pages/redraw.py): the
    # answer is empty (204); any other value in the store draws it
    # (drawn to the minute: a minute may turn over between two calls, not three times)
    for _ in range(3):
        drawn = _post(signed_in_client("dept"), inbox_body()).get_json()["response"]
        mark = drawn[MapIds.INBOX_SHOWN]["data"]
        assert isinstance(mark, str) and drawn[MapIds.INBOX]["children"]
        if _post(signed_in_client("dept"), inbox_body(shown=mark)).status_code == 204:
            break
    else:
        raise AssertionError("a tick with the inbox's own fingerprint drew it again")
    for other in ("x", None, 1, [mark], {"a": mark}, mark[:-1]):
        again = _post(signed_in_client("dept"), inbox_body(shown=other)).get_json()
        assert f'"incident": {iid}' in json.dumps(again["response"][MapIds.INBOX]["children"])
    # a case that changes is drawn again, whatever the store says
    with session_scope(admin=True) as s:
        s.execute(
            text("UPDATE incident SET accept_due_at = '2001-01-01' WHERE id = :id"), {"id": iid}
        )
    changed = _post(signed_in_client("dept"), inbox_body(shown=mark))
    assert changed.status_code == 200 and MapIds.INBOX in changed.get_json()["response"]
    # other roles have no inbox: an empty list, nothing from the queue
    for user in ("commander", "supervisor"):
        assert str(iid) not in _raw(_post(signed_in_client(user), inbox_body()))
    assert state(iid)["status"] == "dispatched"
