"""Separation of duties (三员分立): one test per cell of ``governance.duties.MATRIX``.

Each actor (the three administrators, two business roles, the installer) tries each duty
on a business account and on an administrator's account, through the use cases the page
and the command line share. Allowed: the change is made. Refused: a 403 and the account
row untouched. Then the flows the matrix implies: a password set by someone else must be
replaced at the next sign-in, an account without a role can do nothing, and the command
line obeys the same matrix.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import users_admin
from governance.accounts import create_user, load_principal
from governance.duties import INSTALLER, MATRIX, Duty, NotYourDuty
from governance.errors import Forbidden
from governance.uow import unit_of_work
from tests.conftest import demo_password

ACTORS = ["sysadmin", "secadmin", "auditor", "commander", "grid_worker", "installer"]
DEMO = {
    "sysadmin": "admin",
    "secadmin": "security",
    "auditor": "auditor",
    "commander": "commander",
    "grid_worker": "gridworker",
}


def in_unit(use_case: Any) -> Any:
    """``use_case`` called in a unit of work of its own, as the account page opens it
    (committed, or rolled back on a refusal)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work() as s:
            return use_case(s, *args, **kwargs)

    return call


CELLS = [(d, k, a) for d in Duty for k in ("business", "admin") for a in ACTORS]


def _principal(actor: str) -> Any:
    if actor == "installer":
        return INSTALLER
    with session_scope(admin=True) as s:
        uid = s.execute(
            text("SELECT id FROM app_user WHERE username = :u"), {"u": DEMO[actor]}
        ).scalar_one()
        return load_principal(s, uid)


def _account(kind: str) -> tuple[int, str]:
    """A fresh target: a commander (business) or an auditor (administrator)."""
    name = f"duty-{uuid.uuid4().hex[:10]}"
    with session_scope(admin=True) as s:
        user = create_user(
            s,
            username=name,
            password="Target-Account-2026!",
            role="auditor" if kind == "admin" else "commander",
        )
        s.execute(text("UPDATE app_user SET failed_logins = 2 WHERE id = :i"), {"i": user.id})
        return user.id, name


def _row(uid: int) -> tuple[Any, ...]:
    with session_scope(admin=True) as s:
        return tuple(s.execute(text("SELECT * FROM app_user WHERE id = :i"), {"i": uid}).one())


def _do(duty: Duty, kind: str, who: Any) -> tuple[int | None, Any]:
    """Perform ``duty`` on a fresh account of ``kind`` as ``who``; (target id, result)."""
    if duty is Duty.VIEW:
        return None, in_unit(users_admin.list_accounts)(who)
    if duty is Duty.CREATE:
        form: dict[str, Any] = {"username": f"new-{uuid.uuid4().hex[:10]}"}
        if kind == "admin":
            form["role"] = "auditor"
        return None, in_unit(users_admin.create_account)(who, form)
    uid, name = _account(kind)
    target: Any = name if who is INSTALLER else uid
    seen = None if who is INSTALLER else users_admin.stamp(_stamp_row(uid))
    if duty is Duty.ASSIGN:
        result = in_unit(users_admin.change_permissions)(
            who, target, {"role": "supervisor"}, seen=seen
        )
    elif duty is Duty.DISABLE:
        result = in_unit(users_admin.set_disabled)(who, target, True, seen=seen)
    elif duty is Duty.UNLOCK:
        result = in_unit(users_admin.unlock)(who, target, seen=seen)
    else:
        result = in_unit(users_admin.reset_password)(who, target, seen=seen)
    return uid, result


def _stamp_row(uid: int) -> dict[str, Any]:
    with session_scope(admin=True) as s:
        return dict(
            s.execute(
                text(
                    "SELECT role, area_id, department_id, disabled, password_changed_at "
                    "FROM app_user WHERE id = :i"
                ),
                {"i": uid},
            )
            .mappings()
            .one()
        )


@pytest.mark.parametrize(("duty", "kind", "actor"), CELLS, ids=lambda v: str(v))
def test_matrix_cell(duty: Duty, kind: str, actor: str) -> None:
    who = _principal(actor)
    allowed = actor in MATRIX[(duty, kind)]
    if allowed and duty is Duty.ASSIGN:  # a supervisor needs an area
        uid, _ = _account(kind)
        with session_scope(admin=True) as s:
            street = s.execute(
                text("SELECT code FROM area WHERE level = 'street' LIMIT 1")
            ).scalar_one()
        form = {"role": "supervisor", "area": street}
        in_unit(users_admin.change_permissions)(
            who, uid, form, seen=users_admin.stamp(_stamp_row(uid))
        )
        assert _stamp_row(uid)["role"] == "supervisor"
        return
    if allowed:
        uid, result = _do(duty, kind, who)
        assert result is not None
        if duty is Duty.RESET_PASSWORD:
            with session_scope(admin=True) as s:
                forced = s.execute(
                    text("SELECT must_change_password FROM app_user WHERE id = :i"), {"i": uid}
                ).scalar_one()
            assert forced  # an administrator knows it: its owner must replace it
        return
    with pytest.raises(Forbidden):
        _do(duty, kind, who)


def _change(duty: Duty, who: Any, target: Any, seen: Any) -> Any:
    if duty is Duty.ASSIGN:
        return in_unit(users_admin.change_permissions)(
            who, target, {"role": "commander"}, seen=seen
        )
    if duty is Duty.DISABLE:
        return in_unit(users_admin.set_disabled)(who, target, True, seen=seen)
    if duty is Duty.UNLOCK:
        return in_unit(users_admin.unlock)(who, target, seen=seen)
    return in_unit(users_admin.reset_password)(who, target, seen=seen)


@pytest.mark.parametrize("duty", [d for d in Duty if d is not Duty.CREATE and d is not Duty.VIEW])
@pytest.mark.parametrize("actor", ACTORS)
def test_a_refused_change_leaves_the_account_alone(duty: Duty, actor: str) -> None:
    for kind in ("business", "admin"):
        if actor in MATRIX[(duty, kind)]:
            continue
        uid, name = _account(kind)
        before = _row(uid)
        who = _principal(actor)
        target: Any = name if who is INSTALLER else uid
        seen = None if who is INSTALLER else users_admin.stamp(_stamp_row(uid))
        with pytest.raises(Forbidden):
            _change(duty, who, target, seen)
        assert _row(uid) == before


def test_the_system_administrator_cannot_give_a_role_when_creating() -> None:
    """Finding 2: a hand-made create request carrying a role is refused, not ignored."""
    who = _principal("sysadmin")
    for extra in ({"role": "commander"}, {"area": "441502"}, {"department": "urban_mgmt"}):
        name = f"sneak-{uuid.uuid4().hex[:8]}"
        with pytest.raises(NotYourDuty):
            in_unit(users_admin.create_account)(who, {"username": name, **extra})
        with session_scope(admin=True) as s:
            assert (
                s.execute(
                    text("SELECT count(*) FROM app_user WHERE username = :u"), {"u": name}
                ).scalar_one()
                == 0
            )


# ----------------------------------------------------------------------------- the web
def _login(client: Any, username: str, password: str) -> Any:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def _csrf(client: Any) -> str:
    return client.get_cookie("_csrf_token").value


def test_a_password_set_by_an_administrator_must_be_replaced_first(anon_client) -> None:
    who = _principal("sysadmin")
    name = f"fresh-{uuid.uuid4().hex[:8]}"
    made = in_unit(users_admin.create_account)(who, {"username": name})
    with session_scope(admin=True) as s:
        street = s.execute(text("SELECT code FROM area WHERE level='street' LIMIT 1")).scalar_one()
    sec = _principal("secadmin")
    stamp = in_unit(users_admin.account_detail)(sec, made.user_id)["stamp"]
    in_unit(users_admin.change_permissions)(
        sec, made.user_id, {"role": "supervisor", "area": street}, seen=stamp
    )
    resp = _login(anon_client, name, made.password or "")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/password")
    # nothing else until then: pages go to the password form, data and callbacks are 403
    page = anon_client.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/password")
    api = anon_client.get("/api/v1/categories")
    assert api.status_code == 403 and api.get_json()["key"] == "error.password_change_required"
    form = anon_client.get("/password")
    assert form.status_code == 200 and "修改密码" in form.get_data(as_text=True)
    new = "Only-Mine-2026!"
    bad = anon_client.post(
        "/password",
        data={"current": "wrong", "new": new, "repeat": new, "csrf_token": _csrf(anon_client)},
    )
    assert bad.status_code == 400 and "当前密码不正确" in bad.get_data(as_text=True)
    same = anon_client.post(
        "/password",
        data={
            "current": made.password,
            "new": made.password,
            "repeat": made.password,
            "csrf_token": _csrf(anon_client),
        },
    )
    assert same.status_code == 400
    ok = anon_client.post(
        "/password",
        data={
            "current": made.password,
            "new": new,
            "repeat": new,
            "csrf_token": _csrf(anon_client),
        },
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert anon_client.get("/api/v1/categories").status_code == 200
    with session_scope(admin=True) as s:
        row = s.execute(
            text("SELECT must_change_password FROM app_user WHERE username = :u"), {"u": name}
        ).one()
        actions = s.execute(
            text(
                "SELECT outcome FROM audit_log WHERE action = 'password_change' "
                "AND username = :u ORDER BY id"
            ),
            {"u": name},
        ).scalars()
        assert list(actions) == ["failure", "success"]
    assert row.must_change_password is False


def test_an_account_without_a_role_can_do_nothing(anon_client) -> None:
    name = f"norole-{uuid.uuid4().hex[:8]}"
    with session_scope(admin=True) as s:
        create_user(s, username=name, password="No-Role-Yet-2026!", role=None)
    resp = _login(anon_client, name, "No-Role-Yet-2026!")
    assert resp.status_code == 302
    page = anon_client.get("/")
    assert page.status_code == 403 and "尚未分配角色" in page.get_data(as_text=True)
    for url in ("/api/v1/categories", "/wall", "/admin/users", "/audit"):
        assert anon_client.get(url).status_code == 403, url
    assert anon_client.get("/password").status_code == 200  # its own password, still


# ----------------------------------------------------------------------------- command line
def test_the_installer_manages_only_the_administrators_accounts() -> None:
    from click.testing import CliRunner

    from cli.users import users

    run = CliRunner().invoke
    business = run(users, ["add", f"biz-{uuid.uuid4().hex[:8]}"])
    assert business.exit_code != 0
    with_role = run(users, ["add", f"biz-{uuid.uuid4().hex[:8]}", "--role", "commander"])
    assert with_role.exit_code != 0
    assert run(users, ["disable", "commander"]).exit_code != 0
    assert run(users, ["reset-password", "commander"]).exit_code != 0
    name = f"aud-{uuid.uuid4().hex[:8]}"
    made = run(users, ["add", name, "--role", "auditor"])
    assert made.exit_code == 0 and "password: " in made.output, made.output
    assert run(users, ["reset-password", name]).exit_code == 0
    assert run(users, ["disable", name]).exit_code == 0
    with session_scope(admin=True) as s:
        row = s.execute(
            text("SELECT role, disabled, must_change_password FROM app_user WHERE username = :u"),
            {"u": name},
        ).one()
        origin = s.execute(
            text(
                "SELECT DISTINCT client_addr FROM audit_log WHERE object_id = :u "
                "AND action = 'permission_change'"
            ),
            {"u": name},
        ).scalar_one()
    assert tuple(row) == ("auditor", True, True)
    assert origin.startswith("cli:")


def test_the_command_line_as_an_administrator_checks_the_password() -> None:
    from click.testing import CliRunner

    from cli.users import users

    out = CliRunner().invoke(users, ["add", "x-never", "--as", "admin"], input="wrong\n")
    assert out.exit_code != 0
    ok_pw = demo_password("security") + "\n"
    out = CliRunner().invoke(users, ["add", "x-never", "--as", "security"], input=ok_pw)
    assert out.exit_code != 0  # the security administrator does not create accounts
