"""The key-persons layer and the "show in clear" dialog of the map, over hand-made
``/_dash-update-component`` requests (what a browser, or anyone, can POST).

Clear values are taken from the API as a permitted user (the supervisor, in scope), so
these tests do not depend on how identity is stored.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from sqlalchemy import text

from governance.persons import MIN_REASON
from pages.map_ids import MapIds
from pages.reveal_dialog import RevealDialog
from tests.conftest import signed_in_client
from tests.dash_requests import item as dash_item

CITY = "110,18,120,25"
CITY_BOUNDS = [[18.0, 110.0], [25.0, 120.0]]
MAP_ROLES = ("commander", "supervisor", "gridworker", "dept")
REASON = "入户走访核实身份"


# ----------------------------------------------------------------------------- helpers
def _post(client, body: dict) -> Any:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value},
    )


def _raw(resp: Any) -> str:
    """A callback response as text, non-ASCII unescaped (so Chinese text can be found)."""
    try:
        return json.dumps(resp.get_json(), ensure_ascii=False)
    except Exception:  # noqa: BLE001  (204 and errors: the body as sent)
        return resp.get_data(as_text=True)


def _callback_map() -> dict[str, Any]:
    app_module: Any = importlib.import_module("app")
    signed_in_client("commander").get("/")  # the callback map is filled at first request
    return dict(app_module.app.callback_map)


def _key(fragment: str) -> str:
    """The callback-map key (Dash's ``output`` field) of the callback writing ``fragment``."""
    # "output@hash" keys are other callbacks writing the same output (allow_duplicate)
    keys = [k for k in _callback_map() if fragment in k and "@" not in k]
    assert len(keys) == 1, keys
    return keys[0]


def _prop_id(cid: dict[str, Any], prop: str) -> str:
    return json.dumps(cid, sort_keys=True, separators=(",", ":")) + "." + prop


def reveal_body(person: Any, reason: str | None, kind: Any = "person") -> dict:
    """The body the browser POSTs when the "show in clear" button of the reveal dialog
    (pages/reveal_dialog.py) of a ``kind`` object is clicked."""
    ids = RevealDialog.ids

    def pid(part: str) -> dict[str, Any]:
        return ids.part(part, kind, person)

    return {
        "output": _key(ids.MESSAGE),
        "outputs": [
            {"id": pid(ids.VIEW), "property": "children"},
            {"id": pid(ids.MESSAGE), "property": "children"},
        ],
        "inputs": [
            {"id": pid(ids.BUTTON), "property": "n_clicks", "value": 1},
            {"id": pid(ids.REASON), "property": "n_submit", "value": None},
        ],
        "state": [{"id": pid(ids.REASON), "property": "value", "value": reason}],
        "changedPropIds": [_prop_id(pid(ids.BUTTON), "n_clicks")],
    }


def panel_body(selection: dict[str, Any]) -> dict:
    """The body of the side-panel callback for ``selection``."""
    outputs = [
        {"id": MapIds.PANEL_BODY, "property": "children"},
        {"id": MapIds.PANEL, "property": "className"},
        {"id": MapIds.FLY, "property": "data"},
    ]
    return {
        "output": _key(f"{MapIds.PANEL_BODY}.children"),
        "outputs": outputs,
        "inputs": [
            {"id": MapIds.SELECTION, "property": "data", "value": selection},
            {"id": MapIds.WINDOW, "property": "value", "value": "30d"},
            {"id": MapIds.DATES, "property": "start_date", "value": None},
            {"id": MapIds.DATES, "property": "end_date", "value": None},
            {"id": MapIds.CATEGORIES, "property": "value", "value": []},
        ],
        "changedPropIds": [f"{MapIds.SELECTION}.data"],
        "state": [],
    }


def select_body(feature: dict[str, Any]) -> dict:
    """The body of the click -> selection callback for a click on a persons feature."""
    key = _key(f"{MapIds.SELECTION}.data")
    spec = _callback_map()[key]
    values = {(MapIds.LAYER_PERSONS, "n_clicks"): 1, (MapIds.LAYER_PERSONS, "clickData"): feature}

    def item(dep: dict) -> Any:
        return dash_item(dep, values.get((dep["id"], dep["property"])))

    return {
        "output": key,
        "outputs": {"id": MapIds.SELECTION, "property": "data"},
        "inputs": [item(d) for d in spec["inputs"]],
        "state": [item(d) for d in spec["state"]],
        "changedPropIds": [f"{MapIds.LAYER_PERSONS}.n_clicks"],
    }


def layer_urls_body(visible: list[str]) -> dict:
    """The body of the layer-URL callback for the whole city at zoom 12."""
    key = _key(f"{MapIds.LAYER_PERSONS}.url")
    spec = _callback_map()[key]
    values = {
        (MapIds.MAP, "bounds"): CITY_BOUNDS,
        (MapIds.MAP, "zoom"): 12,
        (MapIds.LAYERS, "value"): visible,
        (MapIds.WINDOW, "value"): "30d",
    }
    outputs = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop})
    return {
        "output": key,
        "outputs": outputs,
        "inputs": [
            {
                "id": d["id"],
                "property": d["property"],
                "value": values.get((d["id"], d["property"])),
            }
            for d in spec["inputs"]
        ],
        "state": [],
        "changedPropIds": [f"{MapIds.LAYERS}.value"],
    }


def _scope_prefix(session, username: str) -> str:  # type: ignore[no-untyped-def]
    code, level = session.execute(
        text("""SELECT a.code, a.level FROM app_user u JOIN area a ON a.id = u.area_id
        WHERE u.username = :u"""),
        {"u": username},
    ).one()
    return str(code)[: {"street": 9, "community": 12, "grid": 15}[level]]


def _persons(session, prefix: str, *, inside: bool, limit: int) -> list[int]:  # type: ignore[no-untyped-def]
    op = "LIKE" if inside else "NOT LIKE"
    return [
        r[0]
        for r in session.execute(
            text(f"""SELECT p.id FROM key_person p JOIN area g ON g.id = p.grid_id
            WHERE g.code {op} :p ORDER BY p.id LIMIT :n"""),
            {"p": prefix + "%", "n": limit},
        )
    ]


def _view_clear_rows(session, person_id: int) -> list[Any]:  # type: ignore[no-untyped-def]
    return session.execute(
        text("""SELECT username, role, reason FROM audit_log
        WHERE action = 'view_clear' AND object_id = :p ORDER BY id"""),
        {"p": str(person_id)},
    ).all()


@pytest.fixture(scope="module")
def clear_values(seeded_database: str) -> dict[int, dict[str, str]]:
    """Clear identity of persons in the supervisor's street (via the API, as the
    supervisor with a reason: the permitted way)."""
    from geodata.db import get_admin_engine
    from tests.conftest import OWNER_URL

    with get_admin_engine(OWNER_URL).connect() as conn:
        from sqlalchemy.orm import Session

        s = Session(bind=conn)
        ids = _persons(s, _scope_prefix(s, "supervisor"), inside=True, limit=12)
    assert ids
    sup = signed_in_client("supervisor")
    out = {}
    for pid in ids:
        resp = sup.post(
            f"/api/v1/persons/{pid}/reveal",
            data=json.dumps({"reason": "测试用例比对明文"}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": sup.get_cookie("_csrf_token").value,
            },
        )
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        body = resp.get_json()
        out[pid] = {k: body[k] for k in ("full_name", "id_number")}
    return out


def _leaks(raw: str, clear: dict[int, dict[str, str]]) -> list[str]:
    return [v for c in clear.values() for v in c.values() if v and v in raw]


# ----------------------------------------------------------------------------- reveal
def test_supervisor_reveals_in_scope_with_a_reason_and_it_is_audited(
    session, clear_values: dict[int, dict[str, str]]
) -> None:
    pid = next(iter(clear_values))
    before = len(_view_clear_rows(session, pid))
    resp = _post(signed_in_client("supervisor"), reveal_body(pid, f"  {REASON}  "))
    assert resp.status_code == 200
    raw = _raw(resp)
    assert clear_values[pid]["full_name"] in raw and clear_values[pid]["id_number"] in raw
    assert "mq-person-clear" in raw and "mq-reveal-button" not in raw  # the form is gone
    rows = _view_clear_rows(session, pid)
    assert len(rows) == before + 1 and tuple(rows[-1]) == ("supervisor", "supervisor", REASON)


@pytest.mark.parametrize("reason", [None, "", "   ", "a" * (MIN_REASON - 1)])
def test_reveal_without_a_reason_is_a_message_not_a_view(
    session, clear_values: dict[int, dict[str, str]], reason: str | None
) -> None:
    pid = next(iter(clear_values))
    before = len(_view_clear_rows(session, pid))
    resp = _post(signed_in_client("supervisor"), reveal_body(pid, reason))
    raw = _raw(resp)
    assert resp.status_code == 200 and f"至少 {MIN_REASON} 个字" in raw
    assert not _leaks(raw, clear_values)
    assert len(_view_clear_rows(session, pid)) == before


def test_the_validation_message_is_translated(clear_values: dict[int, dict[str, str]]) -> None:
    client = signed_in_client("supervisor")
    client.set_cookie("minqing_lang", "en")
    raw = _raw(_post(client, reveal_body(next(iter(clear_values)), "ab")))
    assert f"at least {MIN_REASON} characters" in raw


@pytest.mark.parametrize("username", ["commander", "dept"])
def test_roles_without_reveal_are_refused_and_nothing_is_shown(
    session, clear_values: dict[int, dict[str, str]], username: str
) -> None:
    pid = next(iter(clear_values))
    before = len(_view_clear_rows(session, pid))
    resp = _post(signed_in_client(username), reveal_body(pid, REASON))
    raw = _raw(resp)
    assert resp.status_code in (200, 403)
    if resp.status_code == 200:
        assert "当前角色无权进行此操作" in raw and "mq-error" in raw
    assert not _leaks(raw, clear_values)
    assert len(_view_clear_rows(session, pid)) == before
    denied = session.execute(
        text("""SELECT detail FROM audit_log WHERE action = 'access_denied'
        AND username = :u ORDER BY id DESC LIMIT 1"""),
        {"u": username},
    ).scalar_one()
    assert denied["check"] == f"reveal person {pid}" and denied["key"] == "error.forbidden"


def test_supervisor_cannot_reveal_outside_their_street(session) -> None:
    outside = _persons(session, _scope_prefix(session, "supervisor"), inside=False, limit=1)[0]
    resp = _post(signed_in_client("supervisor"), reveal_body(outside, REASON))
    raw = _raw(resp)
    assert resp.status_code == 200 and "不在您的管辖范围内" in raw
    assert "mq-person-clear" not in raw and "mq-person-name" not in raw
    assert _view_clear_rows(session, outside) == []


@pytest.mark.parametrize("person", ["abc", None, 10**9])
def test_a_bad_person_id_is_a_message_not_a_500(person: Any) -> None:
    resp = _post(signed_in_client("supervisor"), reveal_body(person, REASON))
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:300]
    if resp.status_code == 200:
        assert "未找到" in _raw(resp)


# ----------------------------------------------------------------------------- no leaks
@pytest.mark.parametrize("username", MAP_ROLES)
def test_layer_and_panel_responses_never_carry_clear_identity(
    session, clear_values: dict[int, dict[str, str]], username: str
) -> None:
    client = signed_in_client(username)
    # the layer URL the map is given, and what that URL answers
    resp = _post(client, layer_urls_body(["areas", "persons"]))
    assert resp.status_code == 200
    url = resp.get_json()["response"][MapIds.LAYER_PERSONS]["url"]
    if username == "dept":
        assert url is None
        assert client.get(f"/api/v1/layers/persons?bbox={CITY}&z=12").status_code == 403
    else:
        assert ("mode=counts" in url) == (username == "commander")
        for layer_url in (url, url.replace("z=12", "z=17")):
            data = client.get(layer_url)
            assert data.status_code == 200
            raw = data.get_data(as_text=True)
            assert not _leaks(raw, clear_values)
            for f in data.get_json()["features"]:
                assert not {"full_name", "id_number", "phone", "address"} & set(f["properties"])
    # the side panel of each of those persons
    for pid in clear_values:
        raw = _raw(_post(client, panel_body({"kind": "person", "id": pid})))
        assert not _leaks(raw, clear_values), (username, pid)
        if username == "supervisor":
            assert "mq-person-masked" in raw and "mq-reveal-button" in raw
        elif username in ("commander", "dept"):
            assert "当前角色无权进行此操作" in raw and "mq-person-name" not in raw


def test_a_click_on_a_point_selects_the_person_and_on_a_count_its_grid() -> None:
    client = signed_in_client("supervisor")
    point = {"type": "Feature", "properties": {"id": 7, "category": "disabled", "care_level": 2}}
    resp = _post(client, select_body(point))
    assert resp.get_json()["response"][MapIds.SELECTION]["data"] == {"kind": "person", "id": 7}
    count = {"type": "Feature", "properties": {"grid_id": 70, "name": "x", "count": 3}}
    resp = _post(client, select_body(count))
    assert resp.get_json()["response"][MapIds.SELECTION]["data"] == {"kind": "area", "id": 70}


def test_the_persons_switch_is_offered_by_role() -> None:
    router = {  # the pages router rendering "/" (the map page's layout for this user)
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/"},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    for username in MAP_ROLES:
        resp = _post(signed_in_client(username), router)
        assert resp.status_code == 200
        raw = _raw(resp)
        assert ('"value": "persons"' in raw) == (username != "dept"), username
        assert MapIds.LAYER_PERSONS in raw  # the (empty) layer is always in the layout
