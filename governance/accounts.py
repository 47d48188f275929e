"""Accounts: creation, passwords (argon2id), sign-in with lockout, listing.

Every sign-in attempt is audited, including failures (in their own transaction, so a
rejected attempt still leaves its trace).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from geodata.db import session_scope
from geodata.models import AppUser, Role
from geodata.queries import users as q
from governance import audit
from governance.access import Principal
from governance.errors import InvalidInput, Unauthorized
from settings import get_settings

log = logging.getLogger(__name__)
_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
MIN_PASSWORD = 10
MAX_PASSWORD = 128  # argon2 hashes any length; a megabyte "password" is only a way to burn CPU


def check_password_strength(password: str) -> None:
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if len(password) < MIN_PASSWORD or classes < 3:
        raise InvalidInput("error.weak_password", n=MIN_PASSWORD)


def hash_password(password: str) -> str:
    """The argon2id hash of a password that passed :func:`check_password_strength`."""
    check_password_strength(password)
    return _hasher.hash(password)


def principal_of(session: Session, user: AppUser) -> Principal:
    area = q.area_by_id(session, user.area_id)
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        area_id=user.area_id,
        area_code=area.code if area else None,
        area_level=area.level if area else None,
        area_name=area.name if area else None,
        department_id=user.department_id,
        must_change_password=bool(user.must_change_password),
    )


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(s: Session, user_id: int, sid: str, client_addr: str | None) -> None:
    """Record a new signed-in session in the caller's unit of work ``s`` (only the hash
    of its id is stored)."""
    q.open_session(s, _sid_hash(sid), user_id, client_addr)


def close_session(s: Session, sid: str) -> None:
    """Revoke one session (sign-out), in the caller's unit of work ``s``."""
    q.revoke_session(s, _sid_hash(sid))


def revoke_sessions(session: Session, user_id: int) -> None:
    """End every open session of ``user_id`` (in the caller's transaction): a changed
    password, role, area scope, department or a disabled account signs the user out."""
    q.revoke_sessions(session, user_id)


def load_principal(s: Session, user_id: int, sid: str | None = None) -> Principal | None:
    """The principal of an enabled account whose session ``sid`` is still open
    (None if unknown, disabled, signed out or revoked), read in the caller's unit ``s``."""
    user = q.user_by_id(s, user_id)
    if user is None or user.disabled:
        return None
    if sid is not None and not q.session_open(s, _sid_hash(sid), user_id):
        return None
    return principal_of(s, user)


def authenticate(username: str, password: str, client_addr: str | None = None) -> Principal:
    """Check a password; lock the account after repeated failures.

    Unknown, disabled, locked and wrong all raise the same :class:`Unauthorized` (one
    message: the answer must not tell which accounts exist or are locked), and every
    branch runs exactly one argon2 verification, against the account's hash or a dummy
    one, so the time it takes tells nothing either (a locked account answered in 7 ms,
    the others in 190 ms). The audit record says which it was.

    Opens and commits its own transaction BY DESIGN, and takes no unit of work: a failed
    attempt raises, and its failure count, the lockout and its audit record must persist
    all the same (in a caller's unit they would roll back with the refusal)."""
    cfg = get_settings()
    now = datetime.now(UTC)
    if len(password) > MAX_PASSWORD:  # still verified below (same time), never accepted
        password = password[: MAX_PASSWORD + 1]
    with session_scope() as s:
        user = q.lock_user(s, username=username)
        ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = ok and user is not None and len(password) <= MAX_PASSWORD
        if user is None:
            outcome, reason = "failure", "unknown_user"
        elif user.disabled:
            outcome, reason = "denied", "disabled"
        elif user.locked_until and user.locked_until > now:
            outcome, reason = "denied", "locked"
        elif ok:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            user.failed_logins = 0
            user.locked_until = None
            principal = principal_of(s, user)
            outcome, reason = "success", ""
        else:
            user.failed_logins += 1
            reason = "wrong_password"
            if user.failed_logins >= cfg.lockout_failures:
                user.locked_until = now + timedelta(minutes=cfg.lockout_minutes)
                user.failed_logins = 0
                reason = "wrong_password_locked_now"
            outcome = "failure"
        role = user.role if user else None
        uid = user.id if user else None
    audit.record_now(
        action="login" if outcome == "success" else "login_failed",
        outcome=outcome,
        user_id=uid,
        username=username[:64],
        role=role,
        client_addr=client_addr,
        detail=None if outcome == "success" else {"reason": reason},
    )
    if outcome != "success":
        raise Unauthorized("error.bad_credentials", minutes=cfg.lockout_minutes)
    return principal


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def burn_verification(password: str) -> None:
    """The cost of one verification, for an attempt refused before its account is looked
    up (a malformed name): every answer to a sign-in takes the same time."""
    _verify(_DUMMY_HASH, password[: MAX_PASSWORD + 1])


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str | None,
    display_name: str | None = None,
    area_code: str | None = None,
    department_code: str | None = None,
    must_change_password: bool = False,
) -> AppUser:
    """Add an account (in the caller's transaction). ``role`` None: no access until the
    security administrator assigns one."""
    if role is not None and role not in {r.value for r in Role}:
        raise InvalidInput("error.unknown_value", name="role", value=role)
    check_password_strength(password)
    area_id = None
    if area_code:
        area_id = q.area_id_by_code(session, area_code)
        if area_id is None:
            raise InvalidInput("error.unknown_value", name="area", value=area_code)
    dept_id = None
    if department_code:
        dept = q.department_by_code(session, department_code)
        if dept is None:
            raise InvalidInput("error.unknown_value", name="department", value=department_code)
        dept_id = dept.id
    if q.username_taken(session, username):
        raise InvalidInput("error.user_exists", username=username)
    return q.add_user(
        session,
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        role=role,
        area_id=area_id,
        department_id=dept_id,
        must_change_password=must_change_password,
    )


def set_password(
    session: Session, username: str, password: str, *, must_change: bool = False
) -> None:
    """A new password; every open session ends. ``must_change``: someone other than the
    owner chose it, so the next sign-in must replace it first."""
    check_password_strength(password)
    user = _get(session, username)
    revoke_sessions(session, user.id)  # a new password ends every open session
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = datetime.now(UTC)
    user.failed_logins = 0
    user.locked_until = None
    user.must_change_password = must_change


def change_own_password(
    principal: Principal, current: object, new: object, client_addr: str | None = None
) -> Principal:
    """The signed-in user replaces their own password, knowing the current one. A wrong
    current password counts towards the lockout like a failed sign-in (a stolen session
    cannot guess it at leisure). Every session of the account ends; the caller starts a
    fresh one for this browser with the principal returned.

    Opens and commits its own transaction BY DESIGN, like :func:`authenticate`: a wrong
    current password is refused after its failure count, lockout and audit record are
    committed."""
    if not isinstance(current, str) or not isinstance(new, str) or len(new) > MAX_PASSWORD:
        raise InvalidInput("error.password.bad_form")
    cfg = get_settings()
    wrong: InvalidInput | None = None
    with session_scope() as s:
        user = q.lock_user(s, user_id=principal.user_id)
        if user is None or user.disabled:
            raise Unauthorized("error.session_expired")
        try:
            _hasher.verify(user.password_hash, current)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= cfg.lockout_failures:
                user.locked_until = datetime.now(UTC) + timedelta(minutes=cfg.lockout_minutes)
                user.failed_logins = 0
                revoke_sessions(s, user.id)
            audit.record(
                s,
                action="password_change",
                outcome="failure",
                user_id=user.id,
                username=user.username,
                role=user.role,
                client_addr=client_addr,
                detail={"reason": "wrong_current_password"},
            )
            wrong = InvalidInput("error.password.wrong_current")
        else:
            if new == current:
                raise InvalidInput("error.password.same")
            check_password_strength(new)
            set_password(s, user.username, new)
            audit.record(
                s,
                action="password_change",
                user_id=user.id,
                username=user.username,
                role=user.role,
                client_addr=client_addr,
                detail={"forced": bool(principal.must_change_password)},
            )
            changed = principal_of(s, user)
    if wrong is not None:  # raised after the commit: the failure count and record stay
        raise wrong
    return changed


def set_disabled(session: Session, username: str, disabled: bool = True) -> None:
    user = _get(session, username)
    user.disabled = disabled
    if disabled:
        revoke_sessions(session, user.id)


def _get(session: Session, username: str) -> AppUser:
    user = q.user_by_name(session, username)
    if user is None:
        raise InvalidInput("error.unknown_value", name="username", value=username)
    return user


def list_users(session: Session) -> list[dict]:
    """Every account with role, scope and state (``users list``); no password hash."""
    return q.cli_list(session)


def generate_password() -> str:
    """A strong random password (for `users add` without --password)."""
    return secrets.token_urlsafe(12) + "-A1"
