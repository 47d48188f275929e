"""Read queries about single incidents."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.crypto import cipher


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


def reporter_row(session: Session, incident_id: int) -> dict | None:
    """The reporter's name and phone, decrypted; None if the incident has no reporter or
    it lies outside the row-level security scope of the transaction."""
    row = session.execute(
        text("SELECT name_enc, phone_enc FROM incident_reporter WHERE incident_id = :id"),
        {"id": incident_id},
    ).first()
    if row is None:
        return None
    c = cipher()
    return {
        "name": c.decrypt(row.name_enc, c.place("incident_reporter", "name", incident_id)),
        "phone": c.decrypt(row.phone_enc, c.place("incident_reporter", "phone", incident_id)),
    }
