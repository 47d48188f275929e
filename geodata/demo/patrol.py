"""The demo city's field force: a grid-worker account for every grid that has none.

Accounts are ``gw<grid code>``, named after the grid's (fictitious) worker with
"（演示）", all with one shared password hash (the demo password is public; one argon2
hash instead of 2,150 keeps the seed fast). The patrol history is written by
``governance/demo_patrol.py`` through the real services.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

FIELD_PREFIX = "gw"


def add_field_force(session: Session, password_hash: str) -> int:
    """A grid worker for each grid without an enabled one; returns how many were added."""
    result = session.execute(
        text("""
        INSERT INTO app_user (username, display_name, password_hash, role, area_id, disabled,
                              failed_logins, must_change_password)
        SELECT :prefix || a.code, coalesce(a.worker_name, a.name) || '（演示）', :hash,
               'grid_worker', a.id, false, 0, false
        FROM area a
        WHERE a.level = 'grid' AND NOT EXISTS (
            SELECT 1 FROM app_user u
            WHERE u.area_id = a.id AND u.role = 'grid_worker' AND NOT u.disabled)
        ORDER BY a.code
        ON CONFLICT (username) DO NOTHING"""),
        {"prefix": FIELD_PREFIX, "hash": password_hash},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
