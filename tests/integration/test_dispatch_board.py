"""The dispatch board on the real database: its figures against direct SQL, scope, SLA
lights, one-click dispatch through the state machine (stale versions, double clicks,
overrides, refusals) and the board's callbacks over HTTP."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import dispatch_board as board_service
from governance.access import Principal
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.filters import LOCAL_TZ
from governance.masking import redact_contacts
from governance.uow import unit_of_work
from governance.workflow_apply import suggest_departments
from pages.dispatch_ids import DispatchIds
from tests.conftest import signed_in_client

DONE = ("closed", "evaluated", "rejected", "merged")


def _board(who: Principal, **kw: Any) -> board_service.Board:
    """The board as its callback reads it: in the principal's own unit of work."""
    with unit_of_work(who) as s:
        return board_service.board(s, who, **kw)


def _principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


def seed_queue(hours_ago: tuple[float, ...], status: str = "verified") -> list[int]:
    """Queued cases in the demo grid worker's grid (inside the supervisor's street too),
    reported ``hours_ago``; a small demo city may have none of its own there."""
    with session_scope(admin=True) as s:
        return [
            int(
                s.execute(
                    text("""
            INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
                grid_id, status, priority, description, address, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version)
            SELECT 'grid', 'dq-' || gen_random_uuid(), i.category_code, now() - :ago,
                   now() - :ago, i.grid_id, :status, 3, '测试事件', i.address, i.geom,
                   i.h3_6, i.h3_7, i.h3_8, i.h3_9, i.h3_10, 1
            FROM incident i JOIN app_user u ON u.username = 'gridworker'
            WHERE i.grid_id = u.area_id ORDER BY i.id LIMIT 1
            RETURNING id"""),
                    {"ago": timedelta(hours=h), "status": status},
                ).scalar_one()
            )
            for h in hours_ago
        ]


def _dispatch(principal: Principal, *args: Any, **kw: Any) -> dict[str, Any]:
    """:func:`governance.dispatch_board.dispatch` in a unit of work of its own, as the
    board's callback opens it (committed, or rolled back on a refusal)."""
    with unit_of_work(principal) as s:
        return board_service.dispatch(s, principal, *args, **kw)


@pytest.fixture(scope="module")
def people() -> dict[str, Principal]:
    seed_queue((30, 20, 2, 0.5))
    seed_queue((25,), "registered")
    # an escalated case (上报) still open: the demo city escalates none by itself
    (escalated,) = seed_queue((3,))
    with session_scope(admin=True) as s:
        s.execute(text("UPDATE incident SET escalation_level = 1 WHERE id = :i"), {"i": escalated})
    return {n: _principal(n) for n in ("commander", "supervisor", "gridworker", "dept")}


def _scope_sql(p: Principal) -> tuple[str, dict[str, Any]]:
    if p.scope is None:
        return "TRUE", {}
    return "g.code LIKE :p", {"p": p.scope + "%"}


def expected_lists(p: Principal, now: datetime) -> dict[str, list[int]]:
    """The four lists' ids in order, written independently of the board's SQL."""
    midnight = datetime.combine(now.astimezone(LOCAL_TZ).date(), time(), LOCAL_TZ)
    where, params = _scope_sql(p)
    sql = {
        "intake": f"""SELECT i.id FROM incident i LEFT JOIN area g ON g.id = i.grid_id
            WHERE {where} AND i.reported_at >= :mid AND i.reported_at < :now
              AND i.status NOT IN ('merged', 'rejected')
            ORDER BY i.reported_at DESC, i.id DESC""",
        "queue": f"""SELECT i.id FROM incident i LEFT JOIN area g ON g.id = i.grid_id
            WHERE {where} AND i.status IN ('registered', 'verified')
            ORDER BY i.reported_at, i.id""",
        "overdue": f"""SELECT i.id FROM incident i LEFT JOIN area g ON g.id = i.grid_id
            WHERE {where} AND ((i.status = 'dispatched' AND i.accept_due_at < :now)
               OR (i.status IN ('accepted', 'in_progress') AND i.resolve_due_at < :now))
            ORDER BY CASE WHEN i.status = 'dispatched' THEN i.accept_due_at
                          ELSE i.resolve_due_at END, i.id""",
        "escalated": f"""SELECT i.id FROM incident i LEFT JOIN area g ON g.id = i.grid_id
            WHERE {where} AND i.escalation_level > 0 AND i.status NOT IN :done
            ORDER BY i.escalation_level DESC, i.reported_at, i.id""",
    }
    from sqlalchemy import bindparam

    out = {}
    with session_scope(admin=True) as s:
        for kind, q in sql.items():
            stmt = text(q)
            if ":done" in q:
                stmt = stmt.bindparams(bindparam("done", expanding=True))
            rows = s.execute(stmt, {**params, "mid": midnight, "now": now, "done": list(DONE)})
            out[kind] = [int(r[0]) for r in rows]
    return out


@pytest.mark.parametrize("username", ["commander", "supervisor"])
def test_board_lists_equal_direct_sql(people: dict[str, Principal], username: str) -> None:
    p = people[username]
    now = datetime.now(LOCAL_TZ)
    board = _board(p, now=now, limit=10_000)
    expected = expected_lists(p, now)
    for kind, ids in expected.items():
        assert [r.id for r in board.lists[kind]] == ids, kind
        assert board.totals[kind] == len(ids), kind
    assert expected["queue"], "the demo city has undispatched cases"
    assert expected["escalated"]
    # intake by source, against SQL
    where, params = _scope_sql(p)
    midnight = datetime.combine(now.date(), time(), LOCAL_TZ)
    with session_scope(admin=True) as s:
        by_source = s.execute(
            text(f"""SELECT i.source, count(*) FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                     WHERE {where} AND i.reported_at >= :mid AND i.reported_at < :now
                       AND i.status NOT IN ('merged', 'rejected')
                     GROUP BY 1"""),
            {**params, "mid": midnight, "now": now},
        ).all()
    assert sum(n for _, n in board.by_source) == sum(n for _, n in by_source)
    assert sorted(n for _, n in board.by_source) == sorted(n for _, n in by_source)


def test_scoped_board_holds_only_its_area(people: dict[str, Principal]) -> None:
    sup, cmd = people["supervisor"], people["commander"]
    assert sup.scope
    scoped = _board(sup, limit=10_000)
    city = _board(cmd, limit=10_000)
    ids = {r.id for rows in scoped.lists.values() for r in rows}
    with session_scope(admin=True) as s:
        codes = s.execute(
            text("""SELECT g.code FROM incident i JOIN area g ON g.id = i.grid_id
                    WHERE i.id = ANY(:ids)"""),
            {"ids": list(ids)},
        ).scalars()
        assert all(c.startswith(sup.scope) for c in codes)
    assert city.totals["queue"] > scoped.totals["queue"]


def test_queue_rows_carry_suggestion_and_wait_light(people: dict[str, Principal]) -> None:
    p = people["commander"]
    now = datetime.now(LOCAL_TZ)
    board = _board(p, now=now, limit=40)
    rows = board.lists["queue"]
    assert rows
    with session_scope(admin=True) as s:
        for r in rows:
            cat, grid, prio, reported = s.execute(
                text("""SELECT i.category_code, g.code, i.priority, i.reported_at
                        FROM incident i LEFT JOIN area g ON g.id = i.grid_id WHERE i.id = :id"""),
                {"id": r.id},
            ).one()
            assert r.suggested_id == suggest_departments(s, cat, grid)["lead"]
            hours = s.execute(
                text("""SELECT accept_hours FROM sla_policy
                        WHERE (category_code = :c OR category_code IS NULL)
                          AND (priority = :p OR priority IS NULL)
                        ORDER BY category_code IS NULL, priority IS NULL LIMIT 1"""),
                {"c": cat, "p": prio},
            ).scalar()
            hours = hours or {1: 1, 2: 2, 3: 4, 4: 8}[prio]
            left = (reported + timedelta(hours=hours) - now).total_seconds()
            want = "red" if left < 0 else "amber" if left < hours * 3600 * 0.2 else "green"
            assert r.sla_state == want, r.id
    # the oldest first: the first rows have waited longest, hence red in the demo city
    assert rows[0].sla_state == "red"
    assert [r.reported_at for r in rows] == sorted(r.reported_at for r in rows)


def _oldest(p: Principal, status: str) -> tuple[int, int]:
    where, params = _scope_sql(p)
    with session_scope(admin=True) as s:
        row = s.execute(
            text(f"""SELECT i.id, i.version FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                     WHERE {where} AND i.status = :st ORDER BY i.reported_at, i.id LIMIT 1"""),
            {**params, "st": status},
        ).one()
    return int(row[0]), int(row[1])


def _state(incident_id: int) -> dict[str, Any]:
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT i.status, i.version, i.lead_department_id, i.category_code,
                           g.code AS grid_code,
                           (SELECT array_agg(e.action ORDER BY e.id) FROM incident_event e
                             WHERE e.incident_id = i.id) AS actions
                    FROM incident i LEFT JOIN area g ON g.id = i.grid_id WHERE i.id = :id"""),
            {"id": incident_id},
        ).mappings()
        return dict(row.one())


def test_one_click_dispatch_and_double_click(people: dict[str, Principal]) -> None:
    sup = people["supervisor"]
    iid, version = _oldest(sup, "verified")
    before = _state(iid)
    with session_scope(admin=True) as s:
        lead = suggest_departments(s, before["category_code"], before["grid_code"])["lead"]
    done = _dispatch(sup, iid, expected_version=version)
    after = _state(iid)
    assert after["status"] == "dispatched" and after["lead_department_id"] == lead
    assert done["lead_department_id"] == lead and done["version"] == after["version"]
    assert after["actions"][-1] == "dispatch"
    assert len(after["actions"] or []) == len(before["actions"] or []) + 1
    # the same click again (same version): refused, nothing written
    with pytest.raises(Conflict):
        _dispatch(sup, iid, expected_version=version)
    assert _state(iid) == after
    assert iid not in {r.id for r in _board(sup).lists["queue"]}


def test_registered_case_is_verified_then_dispatched(people: dict[str, Principal]) -> None:
    cmd = people["commander"]
    iid, version = _oldest(cmd, "registered")
    before = _state(iid)
    _dispatch(cmd, iid, expected_version=version)
    after = _state(iid)
    assert after["status"] == "dispatched"
    assert after["actions"][-2:] == ["verify", "dispatch"]
    assert after["version"] == before["version"] + 2


def test_override_department(people: dict[str, Principal]) -> None:
    cmd = people["commander"]
    iid, version = _oldest(cmd, "verified")
    other = people["dept"].department_id
    _dispatch(cmd, iid, expected_version=version, department_id=str(other))
    assert _state(iid)["lead_department_id"] == other


def test_refusals_change_nothing(people: dict[str, Principal]) -> None:
    sup, cmd = people["supervisor"], people["commander"]
    iid, version = _oldest(cmd, "verified")
    before = _state(iid)
    with pytest.raises(Conflict):
        _dispatch(cmd, iid, expected_version=version - 1)
    with pytest.raises(InvalidInput):
        _dispatch(cmd, iid, expected_version=version, department_id=999_999)
    with pytest.raises(InvalidInput):
        _dispatch(cmd, iid, expected_version="1")
    with pytest.raises(Forbidden):
        _dispatch(people["gridworker"], iid, expected_version=version)
    with pytest.raises(Forbidden):
        _board(people["dept"])
    # a case outside the supervisor's street
    assert sup.scope
    with session_scope(admin=True) as s:
        outside = s.execute(
            text("""SELECT i.id, i.version FROM incident i JOIN area g ON g.id = i.grid_id
                    WHERE i.status = 'verified' AND g.code NOT LIKE :p LIMIT 1"""),
            {"p": sup.scope + "%"},
        ).one()
    with pytest.raises(Forbidden):
        _dispatch(sup, outside[0], expected_version=outside[1])
    assert _state(outside[0])["status"] == "verified"
    assert _state(iid) == before


def test_descriptions_have_contacts_redacted(people: dict[str, Principal]) -> None:
    cmd = people["commander"]
    iid, _ = _oldest(cmd, "verified")
    raw = "居民反映噪音，联系电话13812345678，身份证110101199003071234"
    with session_scope(admin=True) as s:
        old = s.execute(text("SELECT description FROM incident WHERE id = :i"), {"i": iid}).scalar()
        s.execute(text("UPDATE incident SET description = :d WHERE id = :i"), {"d": raw, "i": iid})
    try:
        row = next(r for r in _board(cmd).lists["queue"] if r.id == iid)
        assert "13812345678" not in row.description and "110101199003071234" not in row.description
        assert row.description == redact_contacts(raw)
    finally:
        with session_scope(admin=True) as s:
            s.execute(
                text("UPDATE incident SET description = :d WHERE id = :i"), {"d": old, "i": iid}
            )


def _post(client: Any, payload: dict) -> Any:
    cookie = client.get_cookie("_csrf_token")
    headers = {"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""}
    return client.post("/_dash-update-component", data=json.dumps(payload), headers=headers)


def _click(incident_id: int, version: int) -> dict:
    go = DispatchIds.go(incident_id, version)
    outputs = [
        {"id": DispatchIds.MESSAGE, "property": "children"},
        {"id": DispatchIds.MESSAGE, "property": "className"},
        {"id": DispatchIds.DONE, "property": "data"},
    ]
    return {
        "output": f"..{DispatchIds.MESSAGE}.children...{DispatchIds.MESSAGE}.className..."
        f"{DispatchIds.DONE}.data..",
        "outputs": outputs,
        "inputs": [[{"id": go, "property": "n_clicks", "value": 1}]],
        "state": [[{"id": DispatchIds.dept(incident_id), "property": "value", "value": None}]],
        "changedPropIds": [json.dumps(go, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
    }


def test_callback_dispatches_and_reports_a_stale_click(people: dict[str, Principal]) -> None:
    client = signed_in_client("supervisor")
    assert client.get("/dispatch").status_code == 200
    sup = _principal("supervisor")
    iid, version = _oldest(sup, "verified")
    resp = _post(client, _click(iid, version))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    body = resp.get_json()["response"]
    assert "mq-dispatch-ok" in json.dumps(body, ensure_ascii=False)
    assert _state(iid)["status"] == "dispatched"
    after = _state(iid)
    resp = _post(client, _click(iid, version))  # the double click
    text_ = json.dumps(resp.get_json()["response"], ensure_ascii=False)
    assert "mq-dispatch-error" in text_ and "已被他人更新" in text_
    assert _state(iid) == after
    # a role without the capability is refused by the guard
    grid = signed_in_client("gridworker")
    assert _post(grid, _click(iid, after["version"])).status_code == 403
    assert grid.get("/dispatch").status_code == 403
