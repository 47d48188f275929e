"""``python app.py users ...``: account administration (audited)."""

from __future__ import annotations

import click

from governance.errors import MinqingError


def _audit(action: str, username: str, detail: dict) -> None:
    from governance import audit

    audit.record_now(
        action="permission_change",
        username="cli",
        role="sysadmin",
        object_type="app_user",
        object_id=username,
        detail={"command": action, **detail},
    )


@click.group()
def users() -> None:
    """Accounts: add, disable, reset passwords, list."""


@users.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    help="sysadmin, secadmin, auditor, commander, supervisor, grid_worker, dept_staff, wall",
)
@click.option("--area", "area_code", default=None, help="Area code of the scope (12/15 digits).")
@click.option("--department", default=None, help="Department code (dept_staff).")
@click.option("--name", "display_name", default=None)
@click.option("--password", default=None, help="Default: a generated one, printed once.")
def add(
    username: str,
    role: str,
    area_code: str | None,
    department: str | None,
    display_name: str | None,
    password: str | None,
) -> None:
    """Create an account."""
    from geodata.db import session_scope
    from governance.accounts import create_user, generate_password

    pw = password or generate_password()
    try:
        with session_scope() as s:
            create_user(
                s,
                username=username,
                password=pw,
                role=role,
                area_code=area_code,
                department_code=department,
                display_name=display_name,
            )
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    _audit("add", username, {"role": role, "area": area_code, "department": department})
    click.echo(f"created {username} ({role})" + ("" if password else f"; password: {pw}"))


@users.command()
@click.argument("username")
@click.option("--enable", is_flag=True, help="Re-enable instead.")
def disable(username: str, enable: bool) -> None:
    """Disable (or re-enable) an account; its sessions end at their next request."""
    from geodata.db import session_scope
    from governance.accounts import set_disabled

    try:
        with session_scope() as s:
            set_disabled(s, username, not enable)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    _audit("enable" if enable else "disable", username, {})
    click.echo(f"{username} {'enabled' if enable else 'disabled'}")


@users.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="Default: a generated one, printed once.")
def reset_password(username: str, password: str | None) -> None:
    """Set a new password (also lifts a lockout)."""
    from geodata.db import session_scope
    from governance.accounts import generate_password, set_password

    pw = password or generate_password()
    try:
        with session_scope() as s:
            set_password(s, username, pw)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    _audit("reset-password", username, {})
    click.echo(f"password of {username} reset" + ("" if password else f": {pw}"))


@users.command("list")
def list_() -> None:
    """All accounts with role, scope and state."""
    from geodata.db import session_scope
    from governance.accounts import list_users

    with session_scope() as s:
        rows = list_users(s)
    for r in rows:
        state = "disabled" if r["disabled"] else ("locked" if r["locked_until"] else "active")
        click.echo(
            f"{r['username']:<16} {r['role']:<12} {r['area_code'] or 'city':<16} "
            f"{r['department'] or '-':<16} {state}"
        )
