"""The front-desk form (/frontdesk) over hand-made callback requests: a registration is
one incident (source grid, the user in its timeline, the reporter encrypted); a double
submit of one form is a replay; points outside the user's area, missing fields and
garbage are refused with translated messages and write nothing; roles without
INCIDENT_REGISTER get 403 on the page and on every desk- callback."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from pages.frontdesk_ids import DeskIds as D
from tests.conftest import signed_in_client
from tests.integration.test_persons_ui import _callback_map, _post, _raw

STATES = [
    (D.CATEGORY, "value", "category"),
    (D.DESCRIPTION, "value", "description"),
    (D.ADDRESS, "value", "address"),
    (D.LOCATION, "data", "location"),
    (D.OCCURRED, "value", "occurred_at"),
    (D.PRIORITY, "value", "priority"),
    (D.REPORTER_NAME, "value", "reporter_name"),
    (D.REPORTER_PHONE, "value", "reporter_phone"),
    (D.FORM_ID, "data", "form_id"),
]


def _outputs(key: str) -> list[dict[str, str]]:
    out = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        out.append({"id": cid, "property": prop})
    return out


def _body(button: str, output_fragment: str, form: dict[str, Any]) -> dict[str, Any]:
    key = next(k for k in _callback_map() if k.startswith(output_fragment))
    outputs = _outputs(key)
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "state": [{"id": i, "property": p, "value": form.get(k)} for i, p, k in STATES],
        "changedPropIds": [f"{button}.n_clicks"],
    }


def submit_body(form: dict[str, Any]) -> dict[str, Any]:
    return _body(D.SUBMIT, f"..{D.MESSAGE}.children", form)


def check_body(form: dict[str, Any]) -> dict[str, Any]:
    return _body(D.CHECK, f"{D.DUPLICATES}.children", form)


def _point(username: str, *, own: bool = True) -> dict[str, float]:
    """A point inside the user's grid, or inside another street's grid."""
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
                    SELECT ST_PointOnSurface(a.geom) AS p FROM area a, app_user u
                    WHERE u.username = :u AND a.level = 'grid'
                      AND (a.id = u.area_id) = :own
                      AND left(a.code, 9) <> CASE WHEN :own THEN '' ELSE
                          (SELECT left(code, 9) FROM area WHERE id = u.area_id) END
                    ORDER BY a.code LIMIT 1) s"""),
            {"u": username, "own": own},
        ).one()
    return {"lon": float(row.lon), "lat": float(row.lat)}


def _category() -> str:
    with session_scope(admin=True) as s:
        return str(
            s.execute(
                text("""SELECT code FROM incident_category WHERE parent_code IS NOT NULL
                        ORDER BY sort_order DESC, code LIMIT 1""")
            ).scalar_one()
        )


def form(**over: Any) -> dict[str, Any]:
    base = {
        "category": _category(),
        "description": "居民来电：楼道堆放杂物，影响通行",
        "address": "香洲街道幸福路12号",
        "location": _point("gridworker"),
        "occurred_at": None,
        "priority": None,
        "reporter_name": "王小明",
        "reporter_phone": "13800138000",
        "form_id": f"desk-{uuid.uuid4().hex}",
    }
    return {**base, **over}


def rows(form_id: str) -> list[dict[str, Any]]:
    with session_scope(admin=True) as s:
        return [
            dict(r)
            for r in s.execute(
                text("""SELECT i.id, i.source, i.grid_id, i.status, i.priority,
                        r.name_enc, r.phone_enc,
                        (SELECT area_id FROM app_user WHERE username = 'gridworker') AS own_grid
                        FROM incident i LEFT JOIN incident_reporter r ON r.incident_id = i.id
                        WHERE i.source = 'grid' AND i.external_id = :e"""),
                {"e": form_id},
            ).mappings()
        ]


@pytest.fixture(scope="module")
def grid_worker() -> Any:
    return signed_in_client("gridworker")


def test_page_opens_for_the_roles_that_register() -> None:
    for username in ("gridworker", "supervisor", "commander"):
        page = signed_in_client(username).get("/frontdesk")
        assert page.status_code == 200, username


def test_grid_worker_registers_one_incident(grid_worker: Any) -> None:
    f = form()
    resp = _post(grid_worker, submit_body(f))
    assert "response" in resp.get_json(), resp.get_data(as_text=True)[:1500]
    out = resp.get_json()["response"]
    got = rows(f["form_id"])
    assert len(got) == 1
    row = got[0]
    assert f"#{row['id']}" in _raw(resp) and "已登记" in _raw(resp)
    assert row["source"] == "grid" and row["grid_id"] == row["own_grid"]
    assert row["status"] == "registered"
    assert b"13800138000" not in bytes(row["phone_enc"]) and row["name_enc"]
    # the form is reset with a new form id
    assert out[D.FORM_ID]["data"] != f["form_id"] and out[D.DESCRIPTION]["value"] == ""
    with session_scope(admin=True) as s:
        event = s.execute(
            text("""SELECT e.action, e.actor_role, u.username, e.detail FROM incident_event e
                    JOIN app_user u ON u.id = e.actor_user_id WHERE e.incident_id = :i"""),
            {"i": row["id"]},
        ).one()
    assert event.action == "register" and event.username == "gridworker"
    assert event.actor_role == "grid_worker" and event.detail == {"via": "frontdesk"}


def test_double_submit_is_one_incident(grid_worker: Any) -> None:
    f = form()
    first = _raw(_post(grid_worker, submit_body(f)))
    second = _raw(_post(grid_worker, submit_body(f)))
    got = rows(f["form_id"])
    assert len(got) == 1
    assert "已登记，事件编号" in first and "已登记过" in second and f"#{got[0]['id']}" in second


def test_point_outside_the_users_area_is_refused(grid_worker: Any) -> None:
    f = form(location=_point("gridworker", own=False))
    text_ = _raw(_post(grid_worker, submit_body(f)))
    assert "位置不在您的管辖区域" in text_ and "未登记" in text_
    assert rows(f["form_id"]) == []


def test_missing_fields_are_named(grid_worker: Any) -> None:
    f = form(category=None, description="  ", location=None)
    text_ = _raw(_post(grid_worker, submit_body(f)))
    assert "事件类别" in text_ and "情况描述" in text_ and "位置" in text_ and "请填写" in text_
    assert rows(f["form_id"]) == []
    en = signed_in_client("gridworker")
    en.set_cookie("minqing_lang", "en")
    assert "Description" in _raw(_post(en, submit_body(f)))


def test_check_lists_open_incidents_nearby_and_the_repeated_address(grid_worker: Any) -> None:
    first = form(address="幸福路１２号 Ａ栋")
    _post(grid_worker, submit_body(first))
    iid = rows(first["form_id"])[0]["id"]
    found = _raw(_post(grid_worker, check_body(form(address="幸福路12号A栋"))))
    assert "可能重复的事件" in found and f"#{iid}" in found
    assert "同址重复" in found
    assert "幸福路" not in found and "王小明" not in found  # no address or reporter shown
    with session_scope(admin=True) as s:
        other = s.execute(
            text("""SELECT code FROM incident_category WHERE parent_code IS NOT NULL
                    AND code <> :c ORDER BY code LIMIT 1"""),
            {"c": first["category"]},
        ).scalar_one()
    none = _raw(_post(grid_worker, check_body(form(category=other, address="别处1号"))))
    assert f"#{iid}" not in none


@pytest.mark.parametrize("username", ["dept", "auditor", "wall", "admin"])
def test_roles_without_register_are_refused(username: str) -> None:
    client = signed_in_client(username)
    assert client.get("/frontdesk").status_code == 403
    f = form()
    for body in (submit_body(f), check_body(f)):
        resp = _post(client, body)
        assert resp.status_code == 403 and resp.get_json()["key"] == "error.forbidden"
    assert rows(f["form_id"]) == []


GARBAGE: list[Any] = [None, "", 0, -1, True, [], {}, [1, 2], {"lon": "x"}, "x" * 5000, 1e308]


def test_callbacks_never_fail_on_garbage(grid_worker: Any) -> None:
    for value in GARBAGE:
        for key in (
            "category",
            "description",
            "location",
            "occurred_at",
            "priority",
            "reporter_phone",
            "form_id",
        ):
            f = form(**{key: value})
            for body in (submit_body(f), check_body(f)):
                resp = _post(grid_worker, body)
                assert resp.status_code in (200, 204), (key, value, resp.status_code)
    clicks = {
        "output": next(k for k in _callback_map() if D.LOCATION + ".data" in k),
        "outputs": [
            {"id": D.LOCATION, "property": "data"},
            {"id": D.MARKER, "property": "center"},
            {"id": D.LOCATION_TEXT, "property": "children"},
        ],
        "state": [],
        "changedPropIds": [f"{D.MAP}.clickData"],
    }
    for value in [*GARBAGE, {"latlng": {"lat": 22.8, "lng": 115.3}}]:
        body = dict(clicks, inputs=[{"id": D.MAP, "property": "clickData", "value": value}])
        assert _post(grid_worker, body).status_code in (200, 204), value
