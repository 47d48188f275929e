"""Account administration (账号管理): the use cases of the account page and of
``python app.py users``.

Who may do what is the separation-of-duties matrix of :mod:`governance.duties` (三员分立):
the system administrator creates accounts (with no role), disables / enables, unlocks and
resets passwords; the security administrator assigns role, area scope and department;
the installer (the command line without ``--as``) manages only the administrators'
accounts; nobody changes their own account here; wall-screen system accounts
(``kiosk-<id>``) are read-only (``python app.py tokens`` manages them with their token).
A password chosen by anyone but its owner must be changed at the next sign-in.

Every function takes the acting principal and checks its capability and the matrix
first: the page's callbacks are HTTP endpoints anyone can call, and the command line
acts as a named administrator (or the installer) under the same rules. Form values
arrive raw (a hand-made request may send anything) and are validated value by value
(``governance/users_forms.py``) before any change. Every use case runs in the caller's
unit of work ``s`` (:func:`governance.uow.unit_of_work`, opened without an area scope, as
before: accounts, areas and departments are not under row-level security, and the
installer has no scope), and every change is that one transaction: lock the account row, compare the state the form was shown (:func:`stamp`) with the
row's current state and refuse a stale form, change, end the account's sessions when
its password, role, area, department or disabled flag changes, and append one
``permission_change`` audit record with the state before and after (never a password).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geodata.models import AppUser
from geodata.models_audit import AuditAction
from geodata.queries import users as q
from governance import accounts, audit
from governance import users_forms as forms
from governance.access import (
    PERMISSIONS_MANAGE,
    USERS_MANAGE,
    USERS_VIEW,
    Principal,
    require,
)
from governance.duties import INSTALLER, Duty, NotYourDuty, check
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound

log = logging.getLogger(__name__)
LIST_LIMIT = 50  # a row is a dozen components: 200 took a browser ~20 s to draw, 50 under 1 s


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
def list_accounts(s: Session, principal: Principal | None, filters: object = None) -> AccountList:
    """Accounts matching ``filters`` = ``{"text": ..., "role": ...}`` (raw form values;
    role :data:`~governance.users_forms.NO_ROLE` for accounts waiting for one), by username, at most
    :data:`LIST_LIMIT`; never a password hash."""
    _viewer(principal)
    if filters is not None and not isinstance(filters, Mapping):
        raise InvalidInput("error.users.bad_form")
    filters = filters or {}
    contains = forms.text(filters.get("text"), forms.MAX_FILTER, "error.users.filter_long")
    role = forms.text(filters.get("role"), 20, "error.users.bad_form")
    if role is not None and role not in forms.ROLES | {forms.NO_ROLE}:
        raise InvalidInput("error.users.unknown_role", role=role)
    rows = q.search(s, contains=contains, role=role, limit=LIST_LIMIT + 1)
    return AccountList(rows[:LIST_LIMIT], len(rows) > LIST_LIMIT)


def account_detail(s: Session, principal: Principal | None, target: object) -> dict[str, Any]:
    """One account as the list shows it, with its :func:`stamp` under ``"stamp"``."""
    _viewer(principal)
    user_id = forms.user_id(target)
    row = q.account(s, user_id)
    if row is None:
        raise NotFound("error.users.not_found")
    return {**row, "stamp": stamp(row)}


def account_by_username(
    s: Session, principal: Principal | None, username: object
) -> dict[str, Any]:
    """:func:`account_detail` of the account named ``username`` (the command line)."""
    _viewer(principal)
    name = forms.text(username, 64, "error.users.not_found")
    user_id = q.user_id_by_name(s, name or "")
    if user_id is None:
        raise NotFound("error.users.not_found")
    return account_detail(s, principal, user_id)


def departments(s: Session, principal: Principal | None) -> list[dict[str, Any]]:
    """Every department (code, names) for the forms."""
    _viewer(principal)
    return q.departments(s)


# ----------------------------------------------------------------------------- accounts
def create_account(
    s: Session, principal: Principal | None, form: object, *, client_addr: str | None = None
) -> AccountChange:
    """A new account from ``form`` = ``{"username", "display_name", "password"}``; no
    password: a generated one, returned to show once. Either way its owner must choose a
    new one at the first sign-in.

    The system administrator's account has no role: only the security administrator
    gives one (a form that carries a role, area or department is refused, not ignored:
    it can only be hand-made). The installer creates the administrators' accounts, with
    ``"role"`` one of them."""
    who = _manager(principal)
    if not isinstance(form, Mapping):
        raise InvalidInput("error.users.bad_form")
    username = forms.username(form.get("username"))
    display_name = forms.text(
        form.get("display_name"), forms.MAX_DISPLAY_NAME, "error.users.display_name"
    )
    typed = forms.password(form.get("password"))
    password = typed or accounts.generate_password()
    role = forms.text(form.get("role"), 20, "error.users.bad_form")
    if role is not None and role not in forms.ROLES:
        raise InvalidInput("error.users.unknown_role", role=role)
    if who is not INSTALLER and any(form.get(k) for k in ("role", "area", "department")):
        raise NotYourDuty(Duty.ASSIGN, "business")
    if who is INSTALLER and any(form.get(k) for k in ("area", "department")):
        raise InvalidInput("error.users.area_not_allowed")
    check(who, Duty.CREATE, role)
    if q.username_taken(s, username):
        raise InvalidInput("error.user_exists", username=username)
    try:
        user = accounts.create_user(
            s,
            username=username,
            password=password,
            role=role,
            display_name=display_name,
            must_change_password=True,
        )
    except IntegrityError:  # created meanwhile by someone else
        raise InvalidInput("error.user_exists", username=username) from None
    after = _state(s, user)
    record = _audit(s, who, "create", user, None, after, client_addr, password=_how(typed))
    shown = None if typed else password
    change = AccountChange("create", user.id, user.username, record, shown)
    log.info("account %s (%s) created by %s", username, role or "no role", who.username)
    return change


def set_disabled(
    s: Session,
    principal: Principal | None,
    target: object,
    disabled: bool,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """Disable an account (its sessions end at once) or enable it again."""
    who = _manager(principal)
    command = "disable" if disabled else "enable"
    user = _editable(s, who, target, seen, Duty.DISABLE)
    if user.disabled == bool(disabled):
        raise InvalidInput("error.users.no_change")
    before = _state(s, user)
    accounts.set_disabled(s, user.username, bool(disabled))
    record = _audit(s, who, command, user, before, _state(s, user), client_addr)
    log.info("account %s %sd by %s", user.username, command, who.username)
    return AccountChange(command, user.id, user.username, record)


def unlock(
    s: Session,
    principal: Principal | None,
    target: object,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """Lift a sign-in lockout and reset the failure count. The only change the page
    allows on an administrator's account (a locked-out colleague is not a takeover)."""
    who = _manager(principal)
    user = _editable(s, who, target, seen, Duty.UNLOCK)
    locked = user.locked_until is not None and user.locked_until > datetime.now(UTC)
    if not locked and not user.failed_logins:
        raise InvalidInput("error.users.not_locked")
    lock = {
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "failed_logins": user.failed_logins,
    }
    state = _state(s, user)
    q.clear_lockout(s, user)
    record = _audit(s, who, "unlock", user, state, state, client_addr, lock=lock)
    log.info("account %s unlocked by %s", user.username, who.username)
    return AccountChange("unlock", user.id, user.username, record)


def reset_password(
    s: Session,
    principal: Principal | None,
    target: object,
    password: object = None,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """A new password (typed, or generated and returned to show once); it also lifts a
    lockout and ends every session of the account, and its owner must replace it at the
    next sign-in (the administrator knows it)."""
    who = _manager(principal)
    typed = forms.password(password)
    new = typed or accounts.generate_password()
    user = _editable(s, who, target, seen, Duty.RESET_PASSWORD)
    state = _state(s, user)
    accounts.set_password(s, user.username, new, must_change=True)
    record = _audit(s, who, "reset_password", user, state, state, client_addr, password=_how(typed))
    log.info("password of %s reset by %s", user.username, who.username)
    return AccountChange("reset_password", user.id, user.username, record, None if typed else new)


# ----------------------------------------------------------------------------- permissions
def change_permissions(
    s: Session,
    principal: Principal | None,
    target: object,
    form: object,
    *,
    seen: object = None,
    client_addr: str | None = None,
) -> AccountChange:
    """A new role, area scope and department (``form`` = ``{"role", "area",
    "department"}``; role :data:`~governance.users_forms.NO_ROLE` takes every permission away); the account's
    sessions end, so the change applies at once. The security administrator's duty, on
    business accounts only: no administrator role is ever given here."""
    who = require(principal, PERMISSIONS_MANAGE)
    if not isinstance(form, Mapping):
        raise InvalidInput("error.users.bad_form")
    user = _editable(s, who, target, seen, Duty.ASSIGN)
    role, area, dept = forms.permissions(s, who, form)
    new = (role, area.id if area else None, dept.id if dept else None)
    if new == (user.role, user.area_id, user.department_id):
        raise InvalidInput("error.users.no_change")
    before = _state(s, user)
    q.set_permissions(s, user, *new)
    accounts.revoke_sessions(s, user.id)
    record = _audit(s, who, "change_permissions", user, before, _state(s, user), client_addr)
    log.info("permissions of %s changed by %s: %s", user.username, who.username, new)
    return AccountChange("change_permissions", user.id, user.username, record)


# ----------------------------------------------------------------------------- helpers
def _viewer(principal: Principal | None) -> Principal:
    """The installer, or a principal that may see the account list."""
    return principal if principal is INSTALLER else require(principal, USERS_VIEW)


def _manager(principal: Principal | None) -> Principal:
    """The installer, or a principal with the system administrator's capability."""
    return principal if principal is INSTALLER else require(principal, USERS_MANAGE)


def _how(typed: str | None) -> str:
    return "typed" if typed else "generated"


def _editable(
    session: Session, who: Principal, target: object, seen: object, duty: Duty
) -> AppUser:
    """The target account, locked for the change, if the matrix lets ``who`` do ``duty``
    to it and the form that asks (``seen``: its :func:`stamp`) still shows its current
    state (the installer names accounts by username and has no form)."""
    if isinstance(target, str) and who is INSTALLER:
        user = q.lock_user(session, username=target)
    else:
        user = q.lock_user(session, user_id=forms.user_id(target))
    if user is None:
        raise NotFound("error.users.not_found")
    if user.id == who.user_id:
        raise Forbidden("error.users.self")
    if forms.is_kiosk(user.username):
        raise Forbidden("error.users.kiosk")
    check(who, duty, user.role)
    if who is INSTALLER:
        return user
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
