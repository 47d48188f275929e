"""The reporter block of the incident panel over hand-made callback requests: masked for
every map role, in clear only through the reveal callback, for permitted roles, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from geodata.queries.incidents import reporter_row
from pages.reveal_dialog import RevealDialog
from tests.conftest import signed_in_client
from tests.integration.test_persons_ui import _post, _raw, panel_body
from tests.integration.test_persons_ui import reveal_body as persons_reveal_body

REASON = "电话回访处置结果"


def reveal_body(incident: Any, reason: str | None) -> dict:
    return persons_reveal_body(incident, reason, kind="reporter")


def _incident(session, inside: bool = True) -> int:  # type: ignore[no-untyped-def]
    return session.execute(
        text(f"""
        SELECT i.id FROM incident i JOIN incident_reporter r ON r.incident_id = i.id
        JOIN area g ON g.id = i.grid_id
        JOIN app_user u ON u.username = 'supervisor' JOIN area s ON s.id = u.area_id
        WHERE {"" if inside else "NOT"} starts_with(g.code, left(s.code, 9))
        ORDER BY i.id LIMIT 1""")
    ).scalar_one()


def test_incident_panel_shows_the_reporter_masked(session) -> None:  # type: ignore[no-untyped-def]
    iid = _incident(session)
    clear = reporter_row(session, iid)
    assert clear is not None
    for user in ("commander", "supervisor", "dept"):
        resp = _post(signed_in_client(user), panel_body({"kind": "incident", "id": iid}))
        assert resp.status_code == 200, user
        raw = _raw(resp)
        assert clear["name"] not in raw and clear["phone"] not in raw
        assert clear["phone"][-4:] in raw and "反映人" in raw
        assert (RevealDialog.ids.BUTTON in raw) is (user != "dept"), user


def test_reveal_callback_checks_role_scope_reason_and_audits(session) -> None:  # type: ignore[no-untyped-def]
    iid = _incident(session)
    clear = reporter_row(session, iid)
    assert clear is not None
    for user in ("dept", "gridworker"):
        resp = _post(signed_in_client(user), reveal_body(iid, REASON))
        assert clear["name"] not in _raw(resp) and clear["phone"] not in _raw(resp)
    sup = signed_in_client("supervisor")
    short = _raw(_post(sup, reveal_body(iid, "看")))
    assert clear["phone"] not in short and "至少" in short
    outside = _incident(session, inside=False)
    refused = _raw(_post(sup, reveal_body(outside, REASON)))
    assert "不在" in refused or "范围" in refused
    for bad in ("x", None, [1], 10**20):
        assert _post(sup, reveal_body(bad, REASON)).status_code in (200, 204)
    shown = _post(sup, reveal_body(iid, REASON))
    assert shown.status_code == 200
    raw = _raw(shown)
    assert clear["name"] in raw and clear["phone"] in raw
    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        reasons = s.execute(
            text("""SELECT username, reason FROM audit_log WHERE action = 'view_clear'
                    AND object_type = 'incident_reporter' AND object_id = :id"""),
            {"id": str(iid)},
        ).all()
    assert ("supervisor", REASON) in [tuple(r) for r in reasons]
    assert all(u == "supervisor" for u, _ in reasons)  # dept and grid worker wrote nothing
