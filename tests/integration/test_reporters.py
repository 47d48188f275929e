"""Who reported an incident: masked by default, in clear only with a reason, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from geodata.queries.incidents import reporter_row
from tests.conftest import signed_in_client


def _headers(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "Content-Type": "application/json",
        "X-CSRFToken": client.get_cookie("_csrf_token").value,
    }


def _reported_incident(session, username: str, inside: bool = True) -> int:  # type: ignore[no-untyped-def]
    """A hotline/public incident inside (or outside) ``username``'s area."""
    return session.execute(
        text(f"""
        SELECT i.id FROM incident i JOIN incident_reporter r ON r.incident_id = i.id
        JOIN area g ON g.id = i.grid_id
        JOIN app_user u ON u.username = :u JOIN area s ON s.id = u.area_id
        WHERE {"" if inside else "NOT"} starts_with(g.code, left(s.code, 9))
        ORDER BY i.id LIMIT 1"""),
        {"u": username},
    ).scalar_one()


def _audit_count(session, incident_id: int) -> int:  # type: ignore[no-untyped-def]
    return session.execute(
        text("""SELECT count(*) FROM audit_log WHERE action = 'view_clear'
                AND object_type = 'incident_reporter' AND object_id = :id"""),
        {"id": str(incident_id)},
    ).scalar_one()


def test_detail_masks_the_reporter_for_every_role(session) -> None:  # type: ignore[no-untyped-def]
    iid = _reported_incident(session, "supervisor")
    clear = reporter_row(session, iid)
    assert clear and clear["name"].endswith("（演示）")
    for user in ("supervisor", "gridworker", "commander", "dept"):
        body = signed_in_client(user).get(f"/api/v1/incidents/{iid}")
        if user == "gridworker":  # the grid worker's area is one grid: maybe not this one
            assert body.status_code in (200, 403)
            if body.status_code == 403:
                continue
        assert body.status_code == 200, (user, body.get_data(as_text=True)[:200])
        data = body.get_json()
        raw = json.dumps(data, ensure_ascii=False)
        assert clear["name"] not in raw and clear["phone"] not in raw
        assert data["reporter"]["masked"] is True and "*" in data["reporter"]["phone"]
        assert data["reporter"]["phone"][-4:] == clear["phone"][-4:]
        assert data["can_reveal_reporter"] is (user in ("supervisor", "commander"))


def test_reveal_needs_the_role_the_scope_and_a_reason(session) -> None:  # type: ignore[no-untyped-def]
    iid = _reported_incident(session, "supervisor")
    clear = reporter_row(session, iid)
    assert clear is not None
    url = f"/api/v1/incidents/{iid}/reporter/reveal"
    reason = json.dumps({"reason": "回访核实处置结果"})
    for user in ("dept", "gridworker", "auditor", "wall"):
        c = signed_in_client(user)
        resp = c.post(url, data=reason, headers=_headers(c))
        assert resp.status_code == 403, user
        assert clear["name"] not in resp.get_data(as_text=True)
    sup = signed_in_client("supervisor")
    before = _audit_count(session, iid)
    short = sup.post(url, data=json.dumps({"reason": "看"}), headers=_headers(sup))
    assert short.status_code == 400 and short.get_json()["key"] == "error.reason_required"
    assert _audit_count(session, iid) == before
    shown = sup.post(url, data=reason, headers=_headers(sup))
    assert shown.status_code == 200
    body = shown.get_json()
    assert body["reporter"] == {"name": clear["name"], "phone": clear["phone"], "masked": False}
    from geodata.db import session_scope

    with session_scope(admin=True) as s:  # the rolled-back test session cannot see the commit
        row = s.execute(
            text("""SELECT username, reason FROM audit_log WHERE action = 'view_clear'
                    AND object_type = 'incident_reporter' AND object_id = :id
                    ORDER BY id DESC LIMIT 1"""),
            {"id": str(iid)},
        ).one()
    assert tuple(row) == ("supervisor", "回访核实处置结果")


@pytest.mark.parametrize("path", ["", "/reporter/reveal"])
def test_out_of_scope_incident_is_refused(session, path: str) -> None:  # type: ignore[no-untyped-def]
    iid = _reported_incident(session, "supervisor", inside=False)
    sup = signed_in_client("supervisor")
    if path:
        resp = sup.post(
            f"/api/v1/incidents/{iid}{path}",
            data=json.dumps({"reason": "越权尝试一下"}),
            headers=_headers(sup),
        )
    else:
        resp = sup.get(f"/api/v1/incidents/{iid}")
    assert resp.status_code == 403 and resp.get_json()["key"] == "error.out_of_scope"
