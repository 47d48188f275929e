"""SQL of the public report and tracking pages (``governance/public.py``).

Reads never touch ``incident_reporter``: the tracking page shows no personal data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def area_choices(session: Session) -> list[dict[str, Any]]:
    """Counties, streets and communities (code, name, level, parent code), by code."""
    rows = session.execute(
        text("""
        SELECT a.code, a.name, a.level, p.code AS parent
        FROM area a LEFT JOIN area p ON p.id = a.parent_id
        WHERE a.level IN ('county', 'street', 'community')
        ORDER BY a.code""")
    ).mappings()
    return [dict(r) for r in rows]


def community_point(session: Session, code: str) -> tuple[float, float] | None:
    """(lon, lat) of a community's label point (inside it), or None for no such code."""
    row = session.execute(
        text("""SELECT ST_X(label_point), ST_Y(label_point) FROM area
                WHERE level = 'community' AND code = :c"""),
        {"c": code},
    ).first()
    return None if row is None else (float(row[0]), float(row[1]))


def grid_of(session: Session, incident_id: int) -> int | None:
    return session.execute(
        text("SELECT grid_id FROM incident WHERE id = :id"), {"id": incident_id}
    ).scalar_one_or_none()


def set_tracking_code(session: Session, incident_id: int, code: str) -> None:
    session.execute(
        text("UPDATE incident SET tracking_code = :c WHERE id = :id"),
        {"c": code, "id": incident_id},
    )


def tracked_incident(session: Session, code: str) -> dict[str, Any] | None:
    """The incident of a tracking code with its category, grid and community names."""
    row = (
        session.execute(
            text("""
            SELECT i.id, i.status, i.category_code, c.name_zh AS category_zh,
                   c.name_en AS category_en, i.reported_at, g.name AS grid_name,
                   m.name AS community_name
            FROM incident i
            JOIN incident_category c ON c.code = i.category_code
            LEFT JOIN area g ON g.id = i.grid_id
            LEFT JOIN area m ON m.id = g.parent_id
            WHERE i.tracking_code = :code"""),
            {"code": code},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def advisory_xact_lock(session: Session, key_class: int, key_object: int) -> None:
    """Take the transaction-level advisory lock ``(key_class, key_object)`` in
    ``session``'s transaction, waiting for it; it is held until that transaction ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(:c, :o)"), {"c": key_class, "o": key_object})
