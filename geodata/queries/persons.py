"""Read queries about key persons (identity kept in its own table)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def person_row(session: Session, person_id: int) -> dict | None:
    row = (
        session.execute(
            text("""
        SELECT p.id, p.category, p.care_level, p.grid_id, g.code AS grid_code,
               i.full_name, i.id_number, i.phone, i.address
        FROM key_person p JOIN area g ON g.id = p.grid_id
             LEFT JOIN key_person_identity i ON i.person_id = p.id
        WHERE p.id = :id
    """),
            {"id": person_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None
