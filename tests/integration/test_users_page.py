"""The account page (/admin/users), over HTTP without a browser.

Every demo role x {the page, the pages router, each ``users-`` callback}; each change
(create, disable / enable, reset a password, unlock, change permissions) done by the
right administrator and refused for the other one, with exactly one ``permission_change``
record when it happens and the database unchanged when it does not; 三员分立 rules, self
changes, kiosk accounts, bad input and stale forms. Requests are the bodies Dash's
renderer POSTs, built from the app's own callback map. The test database is shared by
the session, so every test works on accounts of its own (a uuid in the name).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import users_admin
from governance.demo_accounts import DEMO_ACCOUNTS
from i18n import t
from pages.users_ids import UsersIds as Ids
from tests.conftest import demo_password, signed_in_client
from tests.integration.test_duties import in_unit

ROLES = {a.username: a.role for a in DEMO_ACCOUNTS}
ADMINS = {"admin", "security"}
CITY = "110,18,120,25"
ACT = Ids.MESSAGE  # the change callback is found by its first output


# ----------------------------------------------------------------------------- requests
ROUTER = {  # Dash pages' router, asked to render the account page
    "output": ".._pages_content.children..._pages_store.data..",
    "outputs": [
        {"id": "_pages_content", "property": "children"},
        {"id": "_pages_store", "property": "data"},
    ],
    "inputs": [
        {"id": "_pages_location", "property": "pathname", "value": "/admin/users"},
        {"id": "_pages_location", "property": "search", "value": ""},
    ],
    "changedPropIds": ["_pages_location.pathname"],
    "state": [],
}


def _spec(first_output: str) -> dict[str, Any]:
    """The registered callback whose outputs start with ``first_output``."""
    from app import app

    for key, cb in app.callback_map.items():
        if key.strip(".").split("...")[0].rsplit(".", 1)[0] == first_output and "callback" in cb:
            return {**cb, "output": key}
    raise KeyError(first_output)


def body(first_output: str, trigger: str, values: dict[str, Any]) -> dict[str, Any]:
    """The request for a callback: ``values`` by "id.prop", ``trigger`` the changed one."""
    spec = _spec(first_output)
    outs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in spec["output"].strip(".").split("...")
    ]

    def dep(d: dict[str, Any]) -> dict[str, Any]:
        key = f"{d['id']}.{d['property']}"
        return {"id": d["id"], "property": d["property"], "value": values.get(key)}

    return {
        "output": spec["output"],
        "outputs": outs if len(outs) > 1 else outs[0],
        "inputs": [dep(d) for d in spec["inputs"]],
        "state": [dep(d) for d in spec["state"]],
        "changedPropIds": [trigger],
    }


def list_body(text_: str | None = None, role: str | None = None) -> dict[str, Any]:
    values = {f"{Ids.TEXT}.value": text_, f"{Ids.ROLE}.value": role, f"{Ids.SEARCH}.n_clicks": 1}
    return body(Ids.TABLE, f"{Ids.SEARCH}.n_clicks", values)


def pick_body(user_id: Any) -> dict[str, Any]:
    row = json.dumps({"type": Ids.ROW, "user": user_id}, separators=(",", ":"), sort_keys=True)
    return {
        "output": f"{Ids.PICK}.data",
        "outputs": {"id": Ids.PICK, "property": "data"},
        "inputs": [
            [{"id": {"type": Ids.ROW, "user": user_id}, "property": "n_clicks", "value": 1}],
        ],
        "state": [],
        "changedPropIds": [f"{row}.n_clicks"],
    }


def detail_body(user_id: Any) -> dict[str, Any]:
    values = {f"{Ids.PICK}.data": {"id": user_id, "n": "x"}}
    return body(Ids.DETAIL, f"{Ids.PICK}.data", values)


def act_body(
    button: str,
    *,
    new: dict[str, Any] | None = None,
    edit: dict[str, Any] | None = None,
    seen: Any = None,
    password: str | None = None,
) -> dict[str, Any]:
    new, edit = new or {}, edit or {}
    values: dict[str, Any] = {f"{button}.n_clicks": 1, f"{Ids.SEEN}.data": seen}
    values[f"{Ids.RESET_PASSWORD}.value"] = password
    fields = {
        Ids.NEW_USERNAME: new.get("username"),
        Ids.NEW_NAME: new.get("display_name"),
        Ids.NEW_PASSWORD: new.get("password"),
        Ids.EDIT_ROLE: edit.get("role"),
        Ids.EDIT_AREA: edit.get("area"),
        Ids.EDIT_DEPARTMENT: edit.get("department"),
    }
    values.update({f"{cid}.value": v for cid, v in fields.items()})
    return body(ACT, f"{button}.n_clicks", values)


def post(client: Any, payload: dict[str, Any]) -> Any:
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value},
    )


def answer(resp: Any) -> dict[str, Any]:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()["response"]


def strings(node: Any) -> list[str]:
    """Every text in a Dash component tree."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for n in node for s in strings(n)]
    if isinstance(node, dict):
        return strings(node.get("props", {}).get("children"))
    return []


def message(resp: Any) -> str:
    return " ".join(strings(answer(resp)[Ids.MESSAGE]["children"]))


# ----------------------------------------------------------------------------- database
def uname(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def codes() -> dict[str, str]:
    """A grid, a street, a department of the demo city."""
    with session_scope(admin=True) as s:
        grid = s.execute(text("SELECT code FROM area WHERE level = 'grid' LIMIT 1")).scalar_one()
        street = s.execute(
            text("SELECT code FROM area WHERE level = 'street' LIMIT 1")
        ).scalar_one()
        dept = s.execute(text("SELECT code FROM department ORDER BY code LIMIT 1")).scalar_one()
    return {"grid": grid, "street": street, "department": dept}


def make(role: str = "commander", **form: Any) -> tuple[int, str, str]:
    """A fresh account with a role, its own password in use: id, username, password.
    (Written as the seed writes accounts: the page's own creation gives no role.)"""
    from governance.accounts import create_user

    name, password = uname(), "Fresh-Account-2026!"
    with session_scope(admin=True) as s:
        create_user(
            s,
            username=name,
            password=password,
            role=role,
            area_code=form.get("area"),
            department_code=form.get("department"),
            display_name=form.get("display_name"),
        )
    return user_id(name), name, password


def principal(username: str) -> Any:
    """The signed-in principal of a demo account, as the page's callbacks get it."""
    from governance.accounts import load_principal
    from governance.uow import unit_of_work

    with unit_of_work() as s:
        return load_principal(s, user_id(username))


def duty_message(duty: str, target: str, lang: str = "zh-CN") -> str:
    from governance.duties import Duty, NotYourDuty

    return NotYourDuty(Duty(duty), target).user_message(lang)


def user_id(username: str) -> int:
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("SELECT id FROM app_user WHERE username = :u"), {"u": username}
            ).scalar_one()
        )


def db_state() -> tuple[Any, ...]:
    """Everything a refused change must leave alone: every account row (hash included),
    every session, and the permission_change records."""
    with session_scope(admin=True) as s:
        users = s.execute(text("SELECT * FROM app_user ORDER BY id")).all()
        sessions = s.execute(text("SELECT * FROM user_session ORDER BY sid_hash")).all()
        changes = s.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'permission_change'")
        ).scalar_one()
    return [tuple(r) for r in users], [tuple(r) for r in sessions], changes


def last_id() -> int:
    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


def changes_since(start: int) -> list[Any]:
    with session_scope(admin=True) as s:
        return s.execute(
            text("""SELECT username, role, object_type, object_id, detail FROM audit_log
                    WHERE id > :i AND action = 'permission_change' ORDER BY id"""),
            {"i": start},
        ).all()


def seen_for(client: Any, uid: int) -> dict[str, Any]:
    """The form state the page shows for account ``uid`` (from the detail callback)."""
    return answer(post(client, detail_body(uid)))[Ids.SEEN]["data"]


def refused_unchanged(client: Any, payload: dict[str, Any], key: str, **params: Any) -> None:
    """The change is refused with the translated message of ``key``; nothing is written."""
    refused_with(client, payload, t(key, "zh-CN", **params))


def refused_with(client: Any, payload: dict[str, Any], expected: str) -> None:
    before = db_state()
    got = message(post(client, payload))
    assert got == expected, got
    assert db_state() == before


@pytest.fixture(scope="module")
def admin() -> Any:
    return signed_in_client("admin")


@pytest.fixture(scope="module")
def security() -> Any:
    return signed_in_client("security")


# ----------------------------------------------------------------------------- access
@pytest.mark.parametrize("username", list(ROLES))
def test_page_and_every_callback_only_for_the_administrators(username: str) -> None:
    client = signed_in_client(username)
    allowed = username in ADMINS
    page = client.get("/admin/users")
    assert page.status_code == (200 if allowed else 403)
    uid = user_id("commander")
    payloads = [
        ROUTER,
        list_body(),
        pick_body(uid),
        detail_body(uid),
        *(act_body(b) for b in (Ids.CREATE, Ids.DISABLE, Ids.ENABLE, Ids.UNLOCK, Ids.RESET)),
        act_body(Ids.SAVE),
    ]
    before = db_state()
    for payload in payloads:
        resp = post(client, payload)
        if allowed:
            assert resp.status_code in (200, 204), (payload["output"], resp.status_code)
        else:
            assert resp.status_code == 403, (username, payload["output"])
            assert resp.get_json()["key"] == "error.forbidden"
    assert db_state() == before  # empty forms change nothing, for anyone


@pytest.mark.parametrize("username", sorted(ADMINS))
def test_administrators_land_on_the_account_page(username: str, anon_client) -> None:
    page = anon_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    resp = anon_client.post(
        "/login",
        data={
            "username": username,
            "password": demo_password(username),
            "csrf_token": token,
            "next": "/",
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/users")
    page = anon_client.get("/admin/users")
    assert page.status_code == 200 and "账号管理" in page.get_data(as_text=True)


def _find(node: Any, cid: str) -> dict[str, Any] | None:
    """The props of component ``cid`` in a Dash component tree."""
    if isinstance(node, list):
        return next((f for n in node if (f := _find(n, cid)) is not None), None)
    if isinstance(node, dict) and isinstance(node.get("props"), dict):
        if node["props"].get("id") == cid:
            return node["props"]
        return _find(node["props"].get("children"), cid)
    return None


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_each_administrator_sees_their_own_tools(lang: str) -> None:
    shown = {"admin": {Ids.CREATE_CARD, Ids.ACCOUNT_TOOLS}, "security": {Ids.PERMISSION_TOOLS}}
    for username, tools in shown.items():
        client = signed_in_client(username)
        client.set_cookie("minqing_lang", lang)
        page = answer(post(client, ROUTER))["_pages_content"]["children"]
        for cid in (Ids.CREATE_CARD, Ids.ACCOUNT_TOOLS, Ids.PERMISSION_TOOLS):
            props = _find(page, cid)
            assert props is not None and bool(props.get("hidden")) == (cid not in tools)
        texts = " ".join(strings(page))
        assert t("users.page.title", lang) in texts and t("users.duties", lang) in texts


def test_list_filters_and_never_sends_a_password_hash(admin) -> None:
    uid, name, _ = make("commander", display_name="筛选测试员")
    table = answer(post(admin, list_body(name)))[Ids.TABLE]["children"]
    raw = json.dumps(table, ensure_ascii=False)
    assert name in raw and "筛选测试员" in raw and "$argon2" not in raw
    assert "password_hash" not in raw
    rows = [s for s in strings(table) if s.startswith("t-")]
    assert rows == [name]
    role_only = json.dumps(answer(post(admin, list_body(None, "auditor")))[Ids.TABLE])
    assert '"auditor"' in role_only and '"commander"' not in role_only
    bad = answer(post(admin, list_body(None, "root")))[Ids.STATUS]["children"]
    assert strings(bad) == [t("error.users.unknown_role", "zh-CN", role="root")]
    detail = answer(post(admin, detail_body(uid)))
    assert "$argon2" not in json.dumps(detail) and detail[Ids.SEEN]["data"]["id"] == uid
    assert answer(post(admin, pick_body(uid)))[Ids.PICK]["data"]["id"] == uid


# ----------------------------------------------------------------------------- create
def test_sysadmin_creates_an_account_without_a_role(admin, anon_client) -> None:
    """三员分立: the system administrator's new account has no role (the security
    administrator gives one) and a one-time password its owner must replace."""
    name, start = uname("gw"), last_id()
    new = {"username": name, "display_name": "网格员甲"}
    out = answer(post(admin, act_body(Ids.CREATE, new=new)))
    assert strings(out[Ids.MESSAGE]["children"]) == [t("users.done.create", "zh-CN", username=name)]
    password = strings(out[Ids.SECRET]["children"])[-1]
    users_admin.accounts.check_password_strength(password)
    assert out[Ids.OUTCOME]["data"]["user"] == user_id(name)
    (rec,) = changes_since(start)
    assert (rec.username, rec.role, rec.object_type, rec.object_id) == (
        "admin",
        "sysadmin",
        "app_user",
        name,
    )
    assert rec.detail["command"] == "create" and rec.detail["before"] is None
    assert rec.detail["after"] == {
        "role": None,
        "area": None,
        "department": None,
        "disabled": False,
    }
    assert rec.detail["password"] == "generated" and password not in json.dumps(rec.detail)
    from tests.integration.test_access import try_login

    signed_in = try_login(anon_client, name, password)
    assert signed_in.status_code == 302 and "/password" in signed_in.headers["Location"]


def test_typed_password_is_not_shown(admin) -> None:
    name = uname()
    new = {"username": name, "password": "Typed-Pass-2026!"}
    out = answer(post(admin, act_body(Ids.CREATE, new=new)))
    assert out[Ids.SECRET]["children"] is None
    assert out[Ids.NEW_PASSWORD]["value"] == ""  # typed passwords leave the form
    assert out[Ids.NEW_USERNAME]["value"] == ""  # so does a created account
    again = answer(post(admin, act_body(Ids.CREATE, new=new)))
    assert Ids.NEW_USERNAME not in again  # a refused one stays, to be corrected
    assert again[Ids.NEW_PASSWORD]["value"] == ""


def test_secadmin_cannot_create(security) -> None:
    start, name = last_id(), uname()
    new = {"username": name}
    refused_unchanged(security, act_body(Ids.CREATE, new=new), "error.forbidden")
    with session_scope(admin=True) as s:
        denied = s.execute(
            text("""SELECT detail FROM audit_log WHERE id > :i AND action = 'access_denied'
                    AND username = 'security'"""),
            {"i": start},
        ).scalar_one()
    assert denied == {"check": f"users {Ids.CREATE}", "key": "error.forbidden"}


@pytest.mark.parametrize(
    ("form", "key", "params"),
    [
        ({"password": "weak"}, "error.weak_password", {"n": 10}),
        ({"username": "kiosk-77"}, "error.users.username_reserved", "k"),
        ({"username": "<b>x</b>"}, "error.users.username_format", {}),
        ({"username": ""}, "error.users.username_format", {}),
    ],
)
def test_create_refuses_bad_input(admin, form: dict, key: str, params: Any) -> None:
    form = {"username": uname(), **form}
    if params == "k":
        params = {"prefix": "kiosk-"}
    refused_unchanged(admin, act_body(Ids.CREATE, new=form), key, **params)


@pytest.mark.parametrize(
    ("form", "key", "params"),
    [
        ({"role": "commander", "area": "999999999999"}, "areas.error.unknown", "area"),
        ({"role": "grid_worker"}, "error.users.area_required", {}),
        ({"role": "grid_worker", "area": "street"}, "error.users.grid_required", {}),
        ({"role": "dept_staff"}, "error.users.department_required", {}),
        (
            {"role": "commander", "department": "department"},
            "error.users.department_not_allowed",
            {},
        ),
        ({"role": "commander", "department": "nope"}, "error.users.unknown_department", "dept"),
        ({"role": "root"}, "error.users.unknown_role", {"role": "root"}),
        ({"role": "none", "area": "grid"}, "error.users.area_not_allowed", {}),
    ],
)
def test_permissions_refuse_bad_input(security, form: dict, key: str, params: Any) -> None:
    c = codes()
    uid, _, _ = make("commander")
    for field in ("area", "department"):
        if form.get(field) in c:
            form = {**form, field: c[form[field]]}
    if params == "area":
        params = {"value": form["area"], "city": "441500"}
    elif params == "dept":
        params = {"code": form["department"]}
    payload = act_body(Ids.SAVE, edit=form, seen=seen_for(security, uid))
    refused_unchanged(security, payload, key, **params)


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_no_administrator_role_is_given_on_the_page(security, role: str) -> None:
    uid, _, _ = make("commander")
    payload = act_body(Ids.SAVE, edit={"role": role}, seen=seen_for(security, uid))
    refused_with(security, payload, duty_message("assign", "admin"))


def test_duplicate_username_is_refused(admin) -> None:
    _, name, _ = make()
    new = {"username": name}
    refused_unchanged(admin, act_body(Ids.CREATE, new=new), "error.user_exists", username=name)


# ----------------------------------------------------------------------------- disable
def test_sysadmin_disables_and_the_session_ends(admin, security) -> None:
    from app import server
    from tests.integration.test_access import try_login

    uid, name, password = make("commander")
    victim = server.test_client()
    assert try_login(victim, name, password).status_code == 302
    url = f"/api/v1/layers/areas?bbox={CITY}&z=8"
    assert victim.get(url).status_code == 200
    seen = seen_for(admin, uid)
    refused_unchanged(security, act_body(Ids.DISABLE, seen=seen), "error.forbidden")
    start = last_id()
    out = answer(post(admin, act_body(Ids.DISABLE, seen=seen)))
    assert strings(out[Ids.MESSAGE]["children"]) == [
        t("users.done.disable", "zh-CN", username=name)
    ]
    assert victim.get(url).status_code == 401
    (rec,) = changes_since(start)
    assert rec.detail["command"] == "disable" and rec.object_id == name
    assert rec.detail["before"]["disabled"] is False and rec.detail["after"]["disabled"] is True
    # the same (now stale) form cannot disable twice; a fresh one re-enables
    refused_unchanged(admin, act_body(Ids.DISABLE, seen=seen), "error.users.stale", username=name)
    refused_unchanged(
        admin, act_body(Ids.DISABLE, seen=seen_for(admin, uid)), "error.users.no_change"
    )
    answer(post(admin, act_body(Ids.ENABLE, seen=seen_for(admin, uid))))
    assert [r.detail["command"] for r in changes_since(start)] == ["disable", "enable"]
    assert try_login(victim, name, password).status_code == 302


# ----------------------------------------------------------------------------- passwords
def test_sysadmin_resets_a_password(admin, security, anon_client) -> None:
    from tests.integration.test_access import try_login

    uid, name, password = make("commander")
    assert try_login(anon_client, name, password).status_code == 302
    seen = seen_for(admin, uid)
    refused_unchanged(
        security, act_body(Ids.RESET, seen=seen, password="Another-Pass-2026!"), "error.forbidden"
    )
    refused_unchanged(
        admin, act_body(Ids.RESET, seen=seen, password="short"), "error.weak_password", n=10
    )
    start = last_id()
    out = answer(post(admin, act_body(Ids.RESET, seen=seen)))
    new = strings(out[Ids.SECRET]["children"])[-1]
    assert out[Ids.RESET_PASSWORD]["value"] == ""
    assert anon_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8").status_code == 401
    assert try_login(anon_client, name, password).status_code == 401
    signed_in = try_login(anon_client, name, new)  # and must choose a password of their own
    assert signed_in.status_code == 302 and "/password" in signed_in.headers["Location"]
    (rec,) = changes_since(start)
    assert rec.detail["command"] == "reset_password" and rec.detail["password"] == "generated"
    assert new not in json.dumps(rec.detail)
    typed = "Typed-Reset-2026!"
    out = answer(post(admin, act_body(Ids.RESET, seen=seen_for(admin, uid), password=typed)))
    assert out[Ids.SECRET]["children"] is None
    assert try_login(anon_client, name, typed).status_code == 302


def test_sysadmin_unlocks(admin, security) -> None:
    uid, name, _ = make("commander")
    refused_unchanged(
        admin, act_body(Ids.UNLOCK, seen=seen_for(admin, uid)), "error.users.not_locked"
    )
    with session_scope(admin=True) as s:
        s.execute(
            text("""UPDATE app_user SET locked_until = now() + interval '10 minutes',
                    failed_logins = 3 WHERE id = :i"""),
            {"i": uid},
        )
    seen = seen_for(admin, uid)  # a lockout does not make a form stale
    refused_unchanged(security, act_body(Ids.UNLOCK, seen=seen), "error.forbidden")
    start = last_id()
    answer(post(admin, act_body(Ids.UNLOCK, seen=seen)))
    with session_scope(admin=True) as s:
        row = s.execute(
            text("SELECT locked_until, failed_logins FROM app_user WHERE id = :i"), {"i": uid}
        ).one()
    assert row == (None, 0)
    (rec,) = changes_since(start)
    assert rec.detail["command"] == "unlock" and rec.detail["lock"]["failed_logins"] == 3


# ----------------------------------------------------------------------------- permissions
def test_secadmin_changes_role_area_and_department(admin, security, anon_client) -> None:
    from tests.integration.test_access import try_login

    c = codes()
    uid, name, password = make("grid_worker", area=c["grid"])
    assert try_login(anon_client, name, password).status_code == 302
    seen = seen_for(security, uid)
    edit = {"role": "supervisor", "area": c["street"]}
    refused_unchanged(admin, act_body(Ids.SAVE, edit=edit, seen=seen), "error.forbidden")
    refused_unchanged(
        security,
        act_body(Ids.SAVE, edit={"role": "grid_worker", "area": c["grid"]}, seen=seen),
        "error.users.no_change",
    )
    refused_unchanged(
        security,
        act_body(Ids.SAVE, edit={"role": "supervisor", "area": "123456789012"}, seen=seen),
        "areas.error.unknown",
        value="123456789012",
        city="441500",
    )
    refused_with(
        security,
        act_body(Ids.SAVE, edit={"role": "secadmin"}, seen=seen),
        duty_message("assign", "admin"),
    )
    start = last_id()
    out = answer(post(security, act_body(Ids.SAVE, edit=edit, seen=seen)))
    assert strings(out[Ids.MESSAGE]["children"]) == [
        t("users.done.change_permissions", "zh-CN", username=name)
    ]
    assert anon_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8").status_code == 401
    (rec,) = changes_since(start)
    assert (rec.username, rec.role, rec.detail["command"]) == (
        "security",
        "secadmin",
        "change_permissions",
    )
    assert rec.detail["before"] == {
        "role": "grid_worker",
        "area": c["grid"],
        "department": None,
        "disabled": False,
    }
    assert rec.detail["after"] == {
        "role": "supervisor",
        "area": c["street"],
        "department": None,
        "disabled": False,
    }
    dept = {"role": "dept_staff", "area": "", "department": c["department"]}
    answer(post(security, act_body(Ids.SAVE, edit=dept, seen=seen_for(security, uid))))
    assert changes_since(start)[-1].detail["after"]["department"] == c["department"]


# ----------------------------------------------------------------------------- 三员分立
@pytest.mark.parametrize("who", sorted(ADMINS))
def test_nobody_changes_their_own_account(who: str, admin, security) -> None:
    client = admin if who == "admin" else security
    uid = user_id(who)
    seen = seen_for(client, uid)
    for payload in (
        act_body(Ids.DISABLE, seen=seen),
        act_body(Ids.RESET, seen=seen),
        act_body(Ids.UNLOCK, seen=seen),
        act_body(Ids.SAVE, edit={"role": "commander"}, seen=seen),
    ):
        before = db_state()
        got = message(post(client, payload))
        assert got in (t("error.users.self", "zh-CN"), t("error.forbidden", "zh-CN"))
        assert db_state() == before
    got = message(post(client, act_body(Ids.DISABLE if who == "admin" else Ids.SAVE, seen=seen)))
    assert got == t("error.users.self", "zh-CN")


def test_administrators_accounts_only_unlock_on_the_page(admin, security) -> None:
    auditor = user_id("auditor")
    seen = seen_for(admin, auditor)
    refused_with(admin, act_body(Ids.DISABLE, seen=seen), duty_message("disable", "admin"))
    refused_with(admin, act_body(Ids.RESET, seen=seen), duty_message("reset_password", "admin"))
    refused_with(
        security,
        act_body(Ids.SAVE, edit={"role": "commander"}, seen=seen),
        duty_message("assign", "admin"),
    )
    # but a locked-out colleague may be unlocked
    with session_scope(admin=True) as s:
        s.execute(text("UPDATE app_user SET failed_logins = 2 WHERE id = :i"), {"i": auditor})
    answer(post(admin, act_body(Ids.UNLOCK, seen=seen_for(admin, auditor))))


def test_kiosk_accounts_are_read_only(admin, security) -> None:
    from governance.kiosks import create_kiosk_token

    with session_scope() as s:
        created = create_kiosk_token(s, area_code=None, name="测试大屏")
    uid = user_id(created.account)  # type: ignore[arg-type]
    seen = seen_for(admin, uid)
    for button in (Ids.DISABLE, Ids.RESET):
        refused_unchanged(admin, act_body(button, seen=seen), "error.users.kiosk")
    refused_unchanged(
        security,
        act_body(Ids.SAVE, edit={"role": "commander"}, seen=seen),
        "error.users.kiosk",
    )


# ----------------------------------------------------------------------------- forms
def test_a_stale_form_is_refused_and_the_current_state_shown(admin, security) -> None:
    uid, name, _ = make("commander")
    seen = seen_for(admin, uid)
    in_unit(users_admin.reset_password)(principal("admin"), uid, seen=seen["stamp"])  # meanwhile
    before = db_state()
    out = answer(post(admin, act_body(Ids.DISABLE, seen=seen)))
    assert strings(out[Ids.MESSAGE]["children"]) == [t("error.users.stale", "zh-CN", username=name)]
    assert out[Ids.OUTCOME]["data"]["user"] == uid  # the page reloads the account
    assert db_state() == before
    sec_seen = seen_for(security, uid)
    in_unit(users_admin.set_disabled)(
        principal("admin"), uid, True, seen=seen_for(admin, uid)["stamp"]
    )
    refused_unchanged(
        security,
        act_body(Ids.SAVE, edit={"role": "supervisor", "area": codes()["street"]}, seen=sec_seen),
        "error.users.stale",
        username=name,
    )


@pytest.mark.parametrize(
    "seen",
    [None, "x", {"id": True}, {"id": "5"}, {"id": 2**40, "stamp": {}}, {"id": 1}],
)
def test_hand_made_forms_are_refused(admin, seen: Any) -> None:
    before = db_state()
    got = message(post(admin, act_body(Ids.DISABLE, seen=seen)))
    assert got in (
        t("error.users.bad_form", "zh-CN"),
        t("error.users.not_found", "zh-CN"),
        duty_message("disable", "admin"),  # id 1 may be an administrator
        t("error.users.self", "zh-CN"),
    )
    assert db_state() == before


def test_command_line_uses_the_same_audited_use_cases() -> None:
    """``--as`` signs the administrator in; the page's rules and records follow."""
    from click.testing import CliRunner

    from cli.users import users

    name, start = uname("cli"), last_id()
    admin_pw, sec_pw = demo_password("admin") + "\n", demo_password("security") + "\n"
    run = CliRunner().invoke
    out = run(users, ["add", name, "--as", "admin"], input=admin_pw)
    assert out.exit_code == 0 and "password: " in out.output, out.output
    grid = codes()["grid"]
    out = run(
        users,
        ["set-role", name, "--role", "grid_worker", "--area", grid, "--as", "security"],
        input=sec_pw,
    )
    assert out.exit_code == 0, out.output
    assert run(users, ["disable", name, "--as", "admin"], input=admin_pw).exit_code == 0
    assert run(users, ["reset-password", name, "--as", "admin"], input=admin_pw).exit_code == 0
    bad = run(users, ["set-role", name, "--role", "grid_worker", "--as", "security"], input=sec_pw)
    assert bad.exit_code != 0 and t("error.users.area_required") in bad.output
    recs = changes_since(start)
    assert [r.detail["command"] for r in recs] == [
        "create",
        "change_permissions",
        "disable",
        "reset_password",
    ]
    assert [(r.username, r.role) for r in recs] == [
        ("admin", "sysadmin"),
        ("security", "secadmin"),
        ("admin", "sysadmin"),
        ("admin", "sysadmin"),
    ]
