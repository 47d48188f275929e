"""Read queries about single incidents."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def incident_row(session: Session, incident_id: int) -> dict | None:
    row = (
        session.execute(
            text("""
        SELECT i.id, i.source, i.external_id, i.category_code, c.name_zh, c.name_en, c.color,
               i.occurred_at, i.reported_at, i.status, i.priority, i.description, i.address,
               ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.grid_id
        FROM incident i JOIN incident_category c ON c.code = i.category_code
        WHERE i.id = :id
    """),
            {"id": incident_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None
