"""SQL of accounts and their sign-in sessions: the account list (never the password hash),
one account locked for a change, areas and departments by code, new accounts, the
``user_session`` rows behind every signed-in browser.

The rules (who may change what, passwords, lockout) live in ``governance/accounts.py`` and
``governance/users_admin.py``; these functions read, lock and change rows in the caller's
transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geodata.models import AppUser, Area, Department, UserSession

# What the page shows of an account: no password_hash, ever.
_COLUMNS = """
    u.id, u.username, u.display_name, u.role, u.disabled, u.failed_logins, u.locked_until,
    u.password_changed_at, u.created_at, u.area_id, u.department_id,
    a.code AS area_code, a.name AS area_name, a.level AS area_level,
    d.code AS department_code, d.name_zh AS department_name_zh,
    d.name_en AS department_name_en
"""
_FROM = """
    FROM app_user u
    LEFT JOIN area a ON a.id = u.area_id
    LEFT JOIN department d ON d.id = u.department_id
"""


def _like(value: str) -> str:
    """``value`` as a LIKE pattern matching it anywhere (its wildcards escaped)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    session: Session, *, contains: str | None = None, role: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Accounts whose username, display name, area name or area code contains
    ``contains`` (case-insensitive), of ``role`` if given, by username; at most ``limit``."""
    where, params = [], {"limit": int(limit)}
    if contains:
        where.append(
            "(u.username ILIKE :p OR u.display_name ILIKE :p OR a.name ILIKE :p OR a.code LIKE :p)"
        )
        params["p"] = _like(contains)  # type: ignore[assignment]
    if role:
        where.append("u.role = :role")
        params["role"] = role  # type: ignore[assignment]
    sql = f"SELECT {_COLUMNS} {_FROM}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY u.username LIMIT :limit"
    return [dict(r) for r in session.execute(text(sql), params).mappings()]


def account(session: Session, user_id: int) -> dict[str, Any] | None:
    """One account as :func:`search` shows it (None if there is none)."""
    row = (
        session.execute(text(f"SELECT {_COLUMNS} {_FROM} WHERE u.id = :id"), {"id": user_id})
        .mappings()
        .first()
    )
    return dict(row) if row else None


def user_id_by_name(session: Session, username: str) -> int | None:
    return session.execute(select(AppUser.id).where(AppUser.username == username)).scalar()


def lock_user(
    session: Session, *, user_id: int | None = None, username: str | None = None
) -> AppUser | None:
    """The account by id or username, locked (FOR UPDATE) until the transaction ends."""
    q = select(AppUser).with_for_update()
    if user_id is not None:
        q = q.where(AppUser.id == user_id)
    else:
        q = q.where(AppUser.username == username)
    return session.execute(q).scalar_one_or_none()


def area_by_id(session: Session, area_id: int | None) -> Area | None:
    return session.get(Area, area_id) if area_id is not None else None


def department_by_code(session: Session, code: str) -> Department | None:
    return session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()


def department_by_id(session: Session, department_id: int | None) -> Department | None:
    return session.get(Department, department_id) if department_id is not None else None


def departments(session: Session) -> list[dict[str, Any]]:
    """Every department (code, names), by code."""
    rows = session.execute(
        select(Department.code, Department.name_zh, Department.name_en).order_by(Department.code)
    ).mappings()
    return [dict(r) for r in rows]


def username_taken(session: Session, username: str) -> bool:
    return (
        session.execute(select(AppUser.id).where(AppUser.username == username)).first() is not None
    )


def clear_lockout(session: Session, user: AppUser) -> None:
    """Lift the account's sign-in lockout and reset its failure count (written when the
    caller's transaction flushes)."""
    user.locked_until, user.failed_logins = None, 0


def set_permissions(
    session: Session,
    user: AppUser,
    role: str | None,
    area_id: int | None,
    department_id: int | None,
) -> None:
    """Give the account (locked by :func:`lock_user`) a role, area scope and department,
    written at once (``flush``: the database's check constraints answer here)."""
    user.role, user.area_id, user.department_id = role, area_id, department_id
    session.flush()


def user_by_id(session: Session, user_id: int) -> AppUser | None:
    return session.get(AppUser, user_id)


def user_by_name(session: Session, username: str) -> AppUser | None:
    return session.execute(select(AppUser).where(AppUser.username == username)).scalar()


def area_id_by_code(session: Session, code: str) -> int | None:
    return session.execute(select(Area.id).where(Area.code == code)).scalar()


def add_user(session: Session, **columns: Any) -> AppUser:
    """A new account row (``columns`` as the model names them), flushed: its id is known
    and the database's constraints have answered."""
    user = AppUser(disabled=False, failed_logins=0, **columns)
    session.add(user)
    session.flush()
    return user


def cli_list(session: Session) -> list[dict[str, Any]]:
    """Every account for ``users list``: role, scope, department and state, by username."""
    rows = session.execute(
        text(f"""
        SELECT u.username, u.display_name, u.role, a.code AS area_code, a.name AS area_name,
               d.code AS department, u.disabled, u.locked_until
        {_FROM}
        ORDER BY u.username""")
    ).mappings()
    return [dict(r) for r in rows]


# ----------------------------------------------------------------------------- sessions
def open_session(session: Session, sid_hash: str, user_id: int, client_addr: str | None) -> None:
    session.add(UserSession(sid_hash=sid_hash, user_id=user_id, client_addr=client_addr))


def revoke_session(session: Session, sid_hash: str) -> None:
    session.execute(
        text(
            "UPDATE user_session SET revoked_at = now() WHERE sid_hash = :h AND revoked_at IS NULL"
        ),
        {"h": sid_hash},
    )


def revoke_sessions(session: Session, user_id: int) -> None:
    """End every open session of ``user_id``."""
    session.execute(
        text(
            "UPDATE user_session SET revoked_at = now() WHERE user_id = :u AND revoked_at IS NULL"
        ),
        {"u": user_id},
    )


def session_open(session: Session, sid_hash: str, user_id: int) -> bool:
    """Is the session of hash ``sid_hash`` of ``user_id`` still open?"""
    return (
        session.execute(
            text(
                "SELECT 1 FROM user_session WHERE sid_hash = :h "
                "AND user_id = :u AND revoked_at IS NULL"
            ),
            {"h": sid_hash, "u": user_id},
        ).first()
        is not None
    )
