"""A county's own installation: the schema and the three administrators, nothing else.

:func:`start_empty` is ``python app.py init --empty``: it creates the system administrator
(accounts, and the county's areas), the security administrator (roles and scopes) and the
security auditor (the audit trail) of 三员分立 with generated passwords that their owners
must replace at the first sign-in, in the caller's transaction, and refuses a database
that already holds areas, accounts or incidents (the demo city, or an installation in use).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from geodata.queries import installation as q
from governance.duties import INSTALLER
from governance.errors import Conflict
from governance.users_admin import create_account

ADMINS: Final = (
    ("sysadmin", "sysadmin", "系统管理员"),
    ("secadmin", "secadmin", "安全管理员"),
    ("auditor", "auditor", "安全审计员"),
)


def start_empty(s: Session) -> list[tuple[str, str, str | None]]:
    """Create the three administrators; (username, role, generated password) of each.

    Raises
    ------
    Conflict
        The database already holds areas, accounts or incidents.
    """
    areas, accounts, incidents = q.holdings(s)
    if areas or accounts or incidents:
        raise Conflict(
            "install.error.not_empty", areas=areas, accounts=accounts, incidents=incidents
        )
    made = []
    for username, role, name in ADMINS:
        form = {"username": username, "display_name": name, "role": role}
        made.append((username, role, create_account(s, INSTALLER, form).password))
    return made
