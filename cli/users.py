"""``python app.py users ...``: account administration under separation of duties.

The same use cases as the account page (``governance/users_admin.py``), under the same
matrix (``governance/duties.py``). Without ``--as`` the command line is the installer: it
manages only the three administrators' accounts (create one, reset a lost password,
disable, unlock). Business accounts need an administrator's own identity, ``--as NAME``,
whose password is read from the terminal (or standard input): the system administrator
creates accounts (with no role), the security administrator assigns roles. Each change is
one transaction with its ``permission_change`` audit record.
"""

from __future__ import annotations

import getpass
from typing import Any

import click
from sqlalchemy.orm import Session

from cli.areas import AREA_HELP
from governance.access import Principal
from governance.errors import MinqingError
from governance.uow import unit_of_work

AS_HELP = "Act as this administrator (asks for the password); without it: the installer."


def _origin() -> str:
    """Where a command-line change came from, for the audit trail."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user name for this uid
        who = "?"
    return f"cli:{who}"[:64]


def _actor(as_: str | None) -> Principal:
    """The installer, or the administrator ``as_`` once their password checks out."""
    from governance.signin import sign_in
    from governance.users_admin import INSTALLER

    if not as_:
        return INSTALLER
    password = click.prompt(f"password of {as_}", hide_input=True, err=True)
    try:
        principal = sign_in(as_, password, _origin())
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    if principal.must_change_password:
        raise click.ClickException(
            f"{as_} must first replace the password an administrator set (sign in on the web)"
        )
    return principal


def _fail(err: MinqingError) -> click.ClickException:
    return click.ClickException(err.user_message())


def _target(s: Session, who: Principal, username: str) -> tuple[Any, Any]:
    """What the page passes for an account: the installer names it; an administrator
    reads it first (its id and the state it was in, checked again by the change)."""
    from governance.users_admin import INSTALLER, account_by_username

    if who is INSTALLER:
        return username, None
    row = account_by_username(s, who, username)
    return row["id"], row["stamp"]


@click.group()
def users() -> None:
    """Accounts: add, set-role, disable, unlock, reset passwords, list."""


@users.command("add")
@click.argument("username")
@click.option(
    "--role",
    default=None,
    help="Installer only: sysadmin, secadmin or auditor. Other accounts get their role "
    "from the security administrator (users set-role).",
)
@click.option("--name", "display_name", default=None)
@click.option("--password", default=None, help="Default: a generated one, printed once.")
@click.option("--as", "as_", default=None, help=AS_HELP)
def add(
    username: str,
    role: str | None,
    display_name: str | None,
    password: str | None,
    as_: str | None,
) -> None:
    """Create an account; its owner must choose a new password at the first sign-in."""
    from governance.users_admin import create_account

    form = {"username": username, "display_name": display_name, "password": password}
    if role:
        form["role"] = role
    try:
        who = _actor(as_)
        with unit_of_work() as s:  # accounts are not under row-level security
            done = create_account(s, who, form, client_addr=_origin())
    except MinqingError as err:
        raise _fail(err) from None
    shown = f"; password: {done.password}" if done.password else ""
    click.echo(f"created {username} ({role or 'no role yet'}){shown}")


@users.command("set-role")
@click.argument("username")
@click.option("--role", required=True, help="An operational role, or 'none' to take it away.")
@click.option(
    "--area",
    "area_code",
    default=None,
    help="The scope: none or the city's code for a city-wide role; supervisors need an "
    f"area, grid workers a grid. {AREA_HELP}",
)
@click.option("--department", default=None, help="Department code (dept_staff).")
@click.option("--as", "as_", required=True, help="The security administrator.")
def set_role(
    username: str, role: str, area_code: str | None, department: str | None, as_: str
) -> None:
    """Give an account its role, area scope and department (security administrator)."""
    from governance.users_admin import change_permissions

    who = _actor(as_)
    try:
        with unit_of_work() as s:  # the account is read and changed in one unit
            target, seen = _target(s, who, username)
            form = {"role": role, "area": area_code, "department": department}
            change_permissions(s, who, target, form, seen=seen, client_addr=_origin())
    except MinqingError as err:
        raise _fail(err) from None
    click.echo(f"{username}: {role} {area_code or ''} {department or ''}".rstrip())


@users.command()
@click.argument("username")
@click.option("--enable", is_flag=True, help="Re-enable instead.")
@click.option("--as", "as_", default=None, help=AS_HELP)
def disable(username: str, enable: bool, as_: str | None) -> None:
    """Disable (or re-enable) an account; its sessions end at their next request."""
    from governance.users_admin import set_disabled

    who = _actor(as_)
    try:
        with unit_of_work() as s:  # the account is read and changed in one unit
            target, seen = _target(s, who, username)
            set_disabled(s, who, target, not enable, seen=seen, client_addr=_origin())
    except MinqingError as err:
        raise _fail(err) from None
    click.echo(f"{username} {'enabled' if enable else 'disabled'}")


@users.command()
@click.argument("username")
@click.option("--as", "as_", default=None, help=AS_HELP)
def unlock(username: str, as_: str | None) -> None:
    """Lift a sign-in lockout."""
    from governance.users_admin import unlock as unlock_account

    who = _actor(as_)
    try:
        with unit_of_work() as s:  # the account is read and changed in one unit
            target, seen = _target(s, who, username)
            unlock_account(s, who, target, seen=seen, client_addr=_origin())
    except MinqingError as err:
        raise _fail(err) from None
    click.echo(f"{username} unlocked")


@users.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="Default: a generated one, printed once.")
@click.option("--as", "as_", default=None, help=AS_HELP)
def reset_password(username: str, password: str | None, as_: str | None) -> None:
    """Set a new password (also lifts a lockout); its owner must change it at sign-in."""
    from governance.users_admin import reset_password as reset

    who = _actor(as_)
    try:
        with unit_of_work() as s:  # the account is read and changed in one unit
            target, seen = _target(s, who, username)
            done = reset(s, who, target, password, seen=seen, client_addr=_origin())
    except MinqingError as err:
        raise _fail(err) from None
    click.echo(f"password of {username} reset" + (f": {done.password}" if done.password else ""))


@users.command("list")
def list_() -> None:
    """All accounts with role, scope and state (no business data)."""
    from geodata.db import session_scope
    from governance.accounts import list_users

    with session_scope() as s:
        rows = list_users(s)
    for r in rows:
        state = "disabled" if r["disabled"] else ("locked" if r["locked_until"] else "active")
        role = r["role"] or "(no role)"
        click.echo(
            f"{r['username']:<16} {role:<12} {r['area_code'] or 'city':<16} "
            f"{r['department'] or '-':<16} {state}"
        )
