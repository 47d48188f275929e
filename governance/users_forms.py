"""The account forms' values (账号管理), checked before any database work.

Form values arrive raw: the account page's callbacks are HTTP endpoints anyone can call,
and a hand-made request may send anything. Each function here takes one raw value and
returns it clean or raises :class:`~governance.errors.InvalidInput` with the message the
form shows; :func:`permissions` also checks role, area and department against each other
and against the separation-of-duties matrix (:mod:`governance.duties`). The use cases
that call them are in ``governance/users_admin.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from geodata.models import Area, AreaLevel, Department, Role
from geodata.queries import users as q
from governance import accounts, area_codes
from governance.access import Principal
from governance.duties import Duty, check
from governance.errors import InvalidInput
from governance.kiosks import ACCOUNT_PREFIX

NEEDS_AREA = frozenset({Role.SUPERVISOR.value, Role.GRID_WORKER.value})
MAX_FILTER = 100
MAX_DISPLAY_NAME = 80
MAX_PASSWORD = accounts.MAX_PASSWORD
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")
ROLES = frozenset(r.value for r in Role)
NO_ROLE = "none"  # the list filter and the permission form's value for "no role (yet)"


def is_kiosk(username: str) -> bool:
    """Is this the system account of a wall-screen kiosk token (read-only here)?"""
    return username.startswith(ACCOUNT_PREFIX)


def text(value: object, max_len: int, key: str) -> str | None:
    """A stripped text of at most ``max_len`` characters (None: absent or empty);
    ``key``: the message of a text too long."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("error.users.bad_form")
    value = value.strip()
    if len(value) > max_len:
        raise InvalidInput(key, max=max_len)
    return value or None


def username(value: object) -> str:
    """A new account's username: letters, digits, ``._-``, 2 to 64, not a kiosk's."""
    name = text(value, 64, "error.users.username_format")
    if name is None or not _USERNAME.fullmatch(name):
        raise InvalidInput("error.users.username_format")
    if is_kiosk(name):
        raise InvalidInput("error.users.username_reserved", prefix=ACCOUNT_PREFIX)
    return name


def password(value: object) -> str | None:
    """A typed password, checked for strength (None: generate one)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput("error.users.bad_form")
    if len(value) > MAX_PASSWORD:
        raise InvalidInput("error.users.password_long", max=MAX_PASSWORD)
    accounts.check_password_strength(value)
    return value


def user_id(target: object) -> int:
    """An account id as the page sends it (a positive 32-bit integer)."""
    if isinstance(target, bool) or not isinstance(target, int) or not 0 < target < 2**31:
        raise InvalidInput("error.users.bad_form")
    return target


def permissions(
    session: Session, who: Principal, form: Mapping[str, Any]
) -> tuple[str | None, Area | None, Department | None]:
    """Role, area and department of a form, checked against each other (the database's
    check constraints say the same: scoped roles need an area, dept_staff a department).
    Role :data:`NO_ROLE` (or empty) takes everything away: no area, no department."""
    role = text(form.get("role"), 20, "error.users.bad_form")
    if role == NO_ROLE:
        role = None
    if role is not None and role not in ROLES:
        raise InvalidInput("error.users.unknown_role", role=role)
    check(who, Duty.ASSIGN, role)  # an administrator role is never given here
    dept_code = text(form.get("department"), 40, "error.users.unknown_department")
    area = area_codes.account_area(session, form.get("area"), role)  # None: none, or the city
    dept = q.department_by_code(session, dept_code) if dept_code else None
    if dept_code and dept is None:
        raise InvalidInput("error.users.unknown_department", code=dept_code)
    if role is None and (area is not None or dept is not None):
        raise InvalidInput("error.users.area_not_allowed")
    if role in NEEDS_AREA and area is None:
        raise InvalidInput("error.users.area_required")
    if role == Role.GRID_WORKER and area is not None and area.level != AreaLevel.GRID:
        raise InvalidInput("error.users.grid_required")
    if role == Role.DEPT_STAFF and dept is None:
        raise InvalidInput("error.users.department_required")
    if role != Role.DEPT_STAFF and dept is not None:
        raise InvalidInput("error.users.department_not_allowed")
    return role, area, dept
