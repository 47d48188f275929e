"""``python app.py users ...``: account administration.

The same use cases as the account page (``governance/users_admin.py``), as the command
line (``COMMAND_LINE``): each change is one transaction with its ``permission_change``
audit record.
"""

from __future__ import annotations

import click

from governance.errors import MinqingError


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
    from governance.users_admin import COMMAND_LINE, create_account

    form = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "area": area_code,
        "department": department,
        "password": password,
    }
    try:
        done = create_account(COMMAND_LINE, form)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    shown = f"; password: {done.password}" if done.password else ""
    click.echo(f"created {username} ({role}){shown}")


@users.command()
@click.argument("username")
@click.option("--enable", is_flag=True, help="Re-enable instead.")
def disable(username: str, enable: bool) -> None:
    """Disable (or re-enable) an account; its sessions end at their next request."""
    from governance.users_admin import COMMAND_LINE, set_disabled

    try:
        set_disabled(COMMAND_LINE, username, not enable)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(f"{username} {'enabled' if enable else 'disabled'}")


@users.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="Default: a generated one, printed once.")
def reset_password(username: str, password: str | None) -> None:
    """Set a new password (also lifts a lockout)."""
    from governance.users_admin import COMMAND_LINE
    from governance.users_admin import reset_password as reset

    try:
        done = reset(COMMAND_LINE, username, password)
    except MinqingError as err:
        raise click.ClickException(err.user_message()) from None
    click.echo(f"password of {username} reset" + (f": {done.password}" if done.password else ""))


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
