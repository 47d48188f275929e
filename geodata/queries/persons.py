"""Read queries about key persons (identity kept in its own, encrypted table)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.crypto import cipher

IDENTITY_FIELDS = ("full_name", "id_number", "phone", "address")


def person_row(session: Session, person_id: int) -> dict | None:
    """The person with identity decrypted, or None if absent or outside the row-level
    security scope of the session's transaction."""
    row = (
        session.execute(
            text("""
        SELECT p.id, p.category, p.care_level, p.grid_id, g.code AS grid_code,
               i.full_name_enc, i.id_number_enc, i.phone_enc, i.address_enc
        FROM key_person p JOIN area g ON g.id = p.grid_id
             LEFT JOIN key_person_identity i ON i.person_id = p.id
        WHERE p.id = :id
    """),
            {"id": person_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    out = {k: row[k] for k in ("id", "category", "care_level", "grid_id", "grid_code")}
    c = cipher()
    for f in IDENTITY_FIELDS:
        out[f] = c.decrypt(row[f"{f}_enc"], c.place("key_person_identity", f, row["id"]))
    return out


def person_grid_code(session: Session, person_id: int) -> str | None:
    """The grid code of a key person whatever the session's scope (no personal data)."""
    return session.execute(
        text("SELECT key_person_grid_code(:id)"), {"id": person_id}
    ).scalar_one_or_none()
