"""Key persons: points vs counts by role, masking, and audited clear views."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from geodata.queries.persons import person_row
from tests.conftest import signed_in_client

CITY = "110,18,120,25"


def csrf_headers(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "Content-Type": "application/json",
        "X-CSRFToken": client.get_cookie("_csrf_token").value,
    }


def test_commander_sees_counts_per_grid_never_points(session) -> None:
    body = signed_in_client("commander").get(f"/api/v1/layers/persons?bbox={CITY}&z=12").get_json()
    feats = body["features"]
    assert feats and all(
        "grid_id" in f["properties"] and "category" not in f["properties"] for f in feats
    )
    total = session.execute(text("SELECT count(*) FROM key_person")).scalar_one()
    assert sum(f["properties"]["count"] for f in feats) == total
    label_points = {tuple(round(c, 5) for c in f["geometry"]["coordinates"]) for f in feats}
    homes = {
        tuple(round(c, 5) for c in r)
        for r in session.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM key_person"))
    }
    assert not (label_points & homes)  # no residence leaks through the counts


def test_department_staff_get_no_persons_at_all() -> None:
    resp = signed_in_client("dept").get(f"/api/v1/layers/persons?bbox={CITY}&z=12")
    assert resp.status_code == 403


def test_grid_worker_sees_points_in_their_grid_only(session) -> None:
    client = signed_in_client("gridworker")
    feats = client.get(f"/api/v1/layers/persons?bbox={CITY}&z=15").get_json()["features"]
    grid = session.execute(
        text("""SELECT u.area_id FROM app_user u
        WHERE u.username = 'gridworker'""")
    ).scalar_one()
    expected = session.execute(
        text("SELECT count(*) FROM key_person WHERE grid_id = :g"), {"g": grid}
    ).scalar_one()
    assert len(feats) == expected
    assert all(f["properties"]["grid_id"] == grid for f in feats)
    assert all("full_name" not in f["properties"] for f in feats)


def _person_in_scope(session, username: str) -> int:  # type: ignore[no-untyped-def]
    return session.execute(
        text("""SELECT p.id FROM key_person p JOIN area g ON g.id = p.grid_id
        JOIN app_user u ON u.username = :u JOIN area s ON s.id = u.area_id
        WHERE g.code LIKE left(s.code, 9) || '%' ORDER BY p.id LIMIT 1"""),
        {"u": username},
    ).scalar_one()


def test_detail_is_masked_and_reveal_needs_a_reason_and_is_audited(session) -> None:
    client = signed_in_client("supervisor")
    pid = _person_in_scope(session, "supervisor")
    clear = SimpleNamespace(**person_row(session, pid))
    masked = client.get(f"/api/v1/persons/{pid}").get_json()
    assert masked["masked"] is True and masked["can_reveal"] is True
    raw = json.dumps(masked, ensure_ascii=False)
    assert clear.full_name not in raw and clear.id_number not in raw and clear.phone not in raw
    assert masked["id_number"][:3] == clear.id_number[:3] and "*" in masked["id_number"]

    no_reason = client.post(
        f"/api/v1/persons/{pid}/reveal",
        data=json.dumps({"reason": " "}),
        headers=csrf_headers(client),
    )
    assert no_reason.status_code == 400 and no_reason.get_json()["key"] == "error.reason_required"
    before = session.execute(
        text("SELECT count(*) FROM audit_log WHERE action = 'view_clear' AND object_id = :p"),
        {"p": str(pid)},
    ).scalar_one()
    shown = client.post(
        f"/api/v1/persons/{pid}/reveal",
        data=json.dumps({"reason": "入户走访核实身份"}),
        headers=csrf_headers(client),
    )
    assert shown.status_code == 200
    body = shown.get_json()
    assert body["masked"] is False and body["full_name"] == clear.full_name
    from geodata.db import session_scope

    with session_scope() as s:
        rows = s.execute(
            text("""SELECT username, role, reason FROM audit_log
            WHERE action = 'view_clear' AND object_id = :p ORDER BY id"""),
            {"p": str(pid)},
        ).all()
    assert len(rows) == before + 1
    assert rows[-1] == ("supervisor", "supervisor", "入户走访核实身份")


def test_reveal_out_of_scope_or_by_the_wrong_role_is_refused(session) -> None:
    outside = session.execute(
        text("""SELECT p.id FROM key_person p JOIN area g ON g.id = p.grid_id
        JOIN app_user u ON u.username = 'supervisor' JOIN area s ON s.id = u.area_id
        WHERE g.code NOT LIKE left(s.code, 9) || '%' LIMIT 1""")
    ).scalar_one()
    sup = signed_in_client("supervisor")
    resp = sup.post(
        f"/api/v1/persons/{outside}/reveal",
        data=json.dumps({"reason": "核实情况"}),
        headers=csrf_headers(sup),
    )
    assert resp.status_code == 403 and resp.get_json()["key"] == "error.out_of_scope"
    cmd = signed_in_client("commander")
    assert cmd.get(f"/api/v1/persons/{outside}").status_code == 403
    resp = cmd.post(
        f"/api/v1/persons/{outside}/reveal",
        data=json.dumps({"reason": "核实情况"}),
        headers=csrf_headers(cmd),
    )
    assert resp.status_code == 403


@pytest.mark.parametrize("username", ["supervisor", "gridworker"])
def test_reveal_without_csrf_is_refused(username: str, session) -> None:
    client = signed_in_client(username)
    pid = _person_in_scope(session, username)
    resp = client.post(
        f"/api/v1/persons/{pid}/reveal",
        data=json.dumps({"reason": "核实情况"}),
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 403
