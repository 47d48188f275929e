"""Account administration (账号管理): the use cases of the account page and of
``python app.py users``.

三员分立 (separation of duties), kept simple:

* both administrators see the account list (``USERS_VIEW``);
* the system administrator manages accounts: create, disable / enable, unlock, reset a
  password (``USERS_MANAGE``);
* the security administrator manages permissions: role, area scope, department
  (``PERMISSIONS_MANAGE``);
* nobody changes their own account here;
* the accounts of the three administrator roles (system, security, auditor) are created,
  promoted to, disabled and given passwords only from the command line, which owns the
  database (:data:`COMMAND_LINE`); on the page another administrator may only unlock one;
* wall-screen system accounts (``kiosk-<id>``) are read-only: ``python app.py tokens``
  manages them with their token.

Every function takes the acting principal and checks its capability first: the page's
callbacks are HTTP endpoints anyone can call. Form values arrive raw (a hand-made request
may send anything) and are validated here. Every change is one transaction: lock the
account row, compare the state the form was shown (:func:`stamp`) with the row's current
state and refuse a stale form, change, end the account's sessions when its password,
role, area, department or disabled flag changes, and append one ``permission_change``
audit record with the state before and after (never a password).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geodata.db import session_scope
from geodata.models import AppUser, Area, AreaLevel, Department, Role
from geodata.models_audit import AuditAction
from geodata.queries import users as q
from governance import accounts, audit
from governance.access import (
    PERMISSIONS_MANAGE,
    USERS_MANAGE,
    USERS_VIEW,
    Principal,
    require,
)
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound

log = logging.getLogger(__name__)

#: The command line (``python app.py users``): it owns the database, so it may also
#: manage the administrators' accounts. Only code holds this object (checked by identity).
COMMAND_LINE = Principal(
    user_id=0, username="cli", display_name="command line", role=Role.SYSADMIN.value
)
ADMIN_ROLES = frozenset({Role.SYSADMIN.value, Role.SECADMIN.value, Role.AUDITOR.value})
NEEDS_AREA = frozenset({Role.SUPERVISOR.value, Role.GRID_WORKER.value})
KIOSK_PREFIX = "kiosk-"  # governance.kiosks.ACCOUNT_PREFIX (not imported: no cycle)
LIST_LIMIT = 200
MAX_FILTER = 100
MAX_DISPLAY_NAME = 80
MAX_PASSWORD = 128
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")
_ROLES = frozenset(r.value for r in Role)


@dataclass(frozen=True)
class AccountChange:
    """What a change did: its command, the account, and a generated password to show
    once (None when the administrator typed it, or for changes without a password)."""

    command: str
    user_id: int
    username: str
    record_id: int
    password: str | None = None


@dataclass(frozen=True)
class AccountList:
    """One search of the account list (``more``: the list was cut at ``LIST_LIMIT``)."""

    rows: list[dict[str, Any]]
    more: bool


def is_kiosk(username: str) -> bool:
    """Is this the system account of a wall-screen kiosk token (read-only here)?"""
    return username.startswith(KIOSK_PREFIX)


def stamp(row: Any) -> dict[str, Any]:
    """The state a change form is shown, to be sent back with the change: the change is
    refused if the account changed since (a row of :func:`account_detail` or a model)."""

    def get(name: str) -> Any:
        return row[name] if isinstance(row, Mapping) else getattr(row, name)

    changed = get("password_changed_at")
    return {
        "role": get("role"),
        "area_id": get("area_id"),
        "department_id": get("department_id"),
        "disabled": bool(get("disabled")),
        "password_changed_at": changed.astimezone(UTC).isoformat() if changed else None,
    }


# ----------------------------------------------------------------------------- reading
def list_accounts(principal: Principal | None, filters: object = None) -> AccountList:
    """Accounts matching ``filters`` = ``{"text": ..., "role": ...}`` (raw form values),
    by username, at most :data:`LIST_LIMIT`; never a password hash."""
    require(principal, USERS_VIEW)
    if filters is not None and not isinstance(filters, Mapping):
        raise InvalidInput("error.users.bad_form")
    filters = filters or {}
    contains = _text(filters.get("text"), MAX_FILTER, "error.users.filter_long")
    role = _text(filters.get("role"), 20, "error.users.bad_form")
    if role is not None and role not in _ROLES:
        raise InvalidInput("error.users.unknown_role", role=role)
    with session_scope() as s:
        rows = q.search(s, contains=contains, role=role, limit=LIST_LIMIT + 1)
    return AccountList(rows[:LIST_LIMIT], len(rows) > LIST_LIMIT)


def account_detail(principal: Principal | None, target: object) -> dict[str, Any]:
    """One account as the list shows it, with its :func:`stamp` under ``"stamp"``."""
    require(principal, USERS_VIEW)
    user_id = _user_id(target)
    with session_scope() as s:
        row = q.account(s, user_id)
    if row is None:
        raise NotFound("error.users.not_found")
    return {**row, "stamp": stamp(row)}


def departments(principal: Principal | None) -> list[dict[str, Any]]:
    """Every department (code, names) for the forms."""
    require(principal, USERS_VIEW)
    with session_scope() as s:
        return q.departments(s)


# ----------------------------------------------------------------------------- accounts
def create_account(
    principal: Principal | None, form: object, *, client_addr: str | None = None
) -> AccountChange:
    """A new account from ``form`` = ``{"username", "display_name", "role", "area",
    "department", "password"}``; no password: a generated one, returned to show once."""
    who = require(principal, USERS_MANAGE)
    if not isinstance(form, Mapping):
        raise InvalidInput("error.users.bad_form")
    username = _username(form.get("username"))
    display_name = _text(form.get("display_name"), MAX_DISPLAY_NAME, "error.users.display_name")
    typed = _password(form.get("password"))
    password = typed or accounts.generate_password()
    with session_scope() as s:
        role, area, dept = _permissions(s, who, form)
        if q.username_taken(s, username):
            raise InvalidInput("error.user_exists", username=username)
        try:
            user = accounts.create_user(
                s,
                username=username,
                password=password,
                role=role,
                display_name=display_name,
                area_code=area.code if area else None,
                department_code=dept.code if dept else None,
            )
        except IntegrityError:  # created meanwhile by someone else
            raise InvalidInput("error.user_exists", username=username) from None
        after = _state(s, user)
        record = _audit(s, who, "create", user, None, after, client_addr, password=_how(typed))
        shown = None if typed else password
        change = AccountChange("create", user.id, user.username, record, shown)
    log.info("account %s (%s) created by %s", username, role, who.username)
    return change


def set_disabled(
    principal: Principal | None,
    target: object,
    disabled: bool,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """Disable an account (its sessions end at once) or enable it again."""
    who = require(principal, USERS_MANAGE)
    command = "disable" if disabled else "enable"
    with session_scope() as s:
        user = _editable(s, who, target, seen)
        if user.disabled == bool(disabled):
            raise InvalidInput("error.users.no_change")
        before = _state(s, user)
        accounts.set_disabled(s, user.username, bool(disabled))
        record = _audit(s, who, command, user, before, _state(s, user), client_addr)
    log.info("account %s %sd by %s", user.username, command, who.username)
    return AccountChange(command, user.id, user.username, record)


def unlock(
    principal: Principal | None,
    target: object,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """Lift a sign-in lockout and reset the failure count. The only change the page
    allows on an administrator's account (a locked-out colleague is not a takeover)."""
    who = require(principal, USERS_MANAGE)
    with session_scope() as s:
        user = _editable(s, who, target, seen, admin_ok=True)
        locked = user.locked_until is not None and user.locked_until > datetime.now(UTC)
        if not locked and not user.failed_logins:
            raise InvalidInput("error.users.not_locked")
        lock = {
            "locked_until": user.locked_until.isoformat() if user.locked_until else None,
            "failed_logins": user.failed_logins,
        }
        state = _state(s, user)
        user.locked_until, user.failed_logins = None, 0
        record = _audit(s, who, "unlock", user, state, state, client_addr, lock=lock)
    log.info("account %s unlocked by %s", user.username, who.username)
    return AccountChange("unlock", user.id, user.username, record)


def reset_password(
    principal: Principal | None,
    target: object,
    password: object = None,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """A new password (typed, or generated and returned to show once); it also lifts a
    lockout and ends every session of the account."""
    who = require(principal, USERS_MANAGE)
    typed = _password(password)
    new = typed or accounts.generate_password()
    with session_scope() as s:
        user = _editable(s, who, target, seen)
        state = _state(s, user)
        accounts.set_password(s, user.username, new)
        record = _audit(
            s, who, "reset_password", user, state, state, client_addr, password=_how(typed)
        )
    log.info("password of %s reset by %s", user.username, who.username)
    return AccountChange("reset_password", user.id, user.username, record, None if typed else new)


# ----------------------------------------------------------------------------- permissions
def change_permissions(
    principal: Principal | None,
    target: object,
    form: object,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """A new role, area scope and department (``form`` = ``{"role", "area",
    "department"}``); the account's sessions end, so the change applies at once."""
    who = require(principal, PERMISSIONS_MANAGE)
    if not isinstance(form, Mapping):
        raise InvalidInput("error.users.bad_form")
    with session_scope() as s:
        user = _editable(s, who, target, seen)
        role, area, dept = _permissions(s, who, form)
        new = (role, area.id if area else None, dept.id if dept else None)
        if new == (user.role, user.area_id, user.department_id):
            raise InvalidInput("error.users.no_change")
        before = _state(s, user)
        user.role, user.area_id, user.department_id = new
        s.flush()
        accounts.revoke_sessions(s, user.id)
        record = _audit(s, who, "change_permissions", user, before, _state(s, user), client_addr)
    log.info("permissions of %s changed by %s: %s", user.username, who.username, new)
    return AccountChange("change_permissions", user.id, user.username, record)


# ----------------------------------------------------------------------------- helpers
def _text(value: object, max_len: int, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("error.users.bad_form")
    value = value.strip()
    if len(value) > max_len:
        raise InvalidInput(key, max=max_len)
    return value or None


def _username(value: object) -> str:
    name = _text(value, 64, "error.users.username_format")
    if name is None or not _USERNAME.fullmatch(name):
        raise InvalidInput("error.users.username_format")
    if is_kiosk(name):
        raise InvalidInput("error.users.username_reserved", prefix=KIOSK_PREFIX)
    return name


def _password(value: object) -> str | None:
    """A typed password, checked for strength (None: generate one)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput("error.users.bad_form")
    if len(value) > MAX_PASSWORD:
        raise InvalidInput("error.users.password_long", max=MAX_PASSWORD)
    accounts.check_password_strength(value)
    return value


def _how(typed: str | None) -> str:
    return "typed" if typed else "generated"


def _user_id(target: object) -> int:
    if isinstance(target, bool) or not isinstance(target, int) or not 0 < target < 2**31:
        raise InvalidInput("error.users.bad_form")
    return target


def _permissions(
    session: Session, who: Principal, form: Mapping[str, Any]
) -> tuple[str, Area | None, Department | None]:
    """Role, area and department of a form, checked against each other (the database's
    check constraints say the same: scoped roles need an area, dept_staff a department)."""
    role = _text(form.get("role"), 20, "error.users.bad_form")
    if role is None or role not in _ROLES:
        raise InvalidInput("error.users.unknown_role", role=role or "")
    if role in ADMIN_ROLES and who is not COMMAND_LINE:
        raise Forbidden("error.users.admin_role")
    area_code = _text(form.get("area"), 20, "error.users.unknown_area")
    dept_code = _text(form.get("department"), 40, "error.users.unknown_department")
    area = q.area_by_code(session, area_code) if area_code else None
    if area_code and area is None:
        raise InvalidInput("error.users.unknown_area", code=area_code)
    dept = q.department_by_code(session, dept_code) if dept_code else None
    if dept_code and dept is None:
        raise InvalidInput("error.users.unknown_department", code=dept_code)
    if role in NEEDS_AREA and area is None:
        raise InvalidInput("error.users.area_required")
    if role in ADMIN_ROLES and area is not None:
        raise InvalidInput("error.users.area_not_allowed")
    if role == Role.GRID_WORKER and area is not None and area.level != AreaLevel.GRID:
        raise InvalidInput("error.users.grid_required")
    if role == Role.DEPT_STAFF and dept is None:
        raise InvalidInput("error.users.department_required")
    if role != Role.DEPT_STAFF and dept is not None:
        raise InvalidInput("error.users.department_not_allowed")
    return role, area, dept


def _editable(
    session: Session, who: Principal, target: object, seen: object, *, admin_ok: bool = False
) -> AppUser:
    """The target account, locked for the change, if ``who`` may change it and the form
    that asks (``seen``: its :func:`stamp`) still shows its current state."""
    if isinstance(target, str) and who is COMMAND_LINE:
        user = q.lock_user(session, username=target)
    else:
        user = q.lock_user(session, user_id=_user_id(target))
    if user is None:
        raise NotFound("error.users.not_found")
    if user.id == who.user_id:
        raise Forbidden("error.users.self")
    if is_kiosk(user.username):
        raise Forbidden("error.users.kiosk")
    if who is COMMAND_LINE:
        return user  # the command line owns the database: no form, no peer rule
    if user.role in ADMIN_ROLES and not admin_ok:
        raise Forbidden("error.users.admin_account")
    if not isinstance(seen, Mapping):
        raise InvalidInput("error.users.bad_form")
    if dict(seen) != stamp(user):
        raise Conflict("error.users.stale", username=user.username)
    return user


def _state(session: Session, user: AppUser) -> dict[str, Any]:
    """Role, area, department and disabled flag as the audit trail records them."""
    area = q.area_by_id(session, user.area_id)
    dept = q.department_by_id(session, user.department_id)
    return {
        "role": user.role,
        "area": area.code if area else None,
        "department": dept.code if dept else None,
        "disabled": bool(user.disabled),
    }


def _audit(
    session: Session,
    who: Principal,
    command: str,
    user: AppUser,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    client_addr: str | None,
    **extra: Any,
) -> int:
    """One ``permission_change`` record in the change's transaction (no password)."""
    return audit.record(
        session,
        action=AuditAction.PERMISSION_CHANGE,
        user_id=who.user_id or None,
        username=who.username,
        role=who.role,
        object_type="app_user",
        object_id=user.username,
        client_addr=client_addr,
        detail={"command": command, "user_id": user.id, "before": before, "after": after, **extra},
    )
