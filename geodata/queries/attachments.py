"""SQL of files attached to timeline steps (``incident_attachment``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def insert(
    session: Session,
    *,
    incident_id: int,
    event_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    sha256: str,
) -> int:
    """Store one file of a timeline step; returns its id."""
    return int(
        session.execute(
            text("""
            INSERT INTO incident_attachment
                (incident_id, event_id, filename, content_type, size, sha256, data)
            VALUES (:i, :e, :f, :t, :n, :h, :d) RETURNING id"""),
            {
                "i": incident_id,
                "e": event_id,
                "f": filename,
                "t": content_type,
                "n": len(data),
                "h": sha256,
                "d": data,
            },
        ).scalar_one()
    )


def register_event_id(session: Session, incident_id: int) -> int | None:
    """The id of an incident's ``register`` timeline event."""
    value = session.execute(
        text("SELECT min(id) FROM incident_event WHERE incident_id = :i AND action = 'register'"),
        {"i": incident_id},
    ).scalar()
    return None if value is None else int(value)


def one(session: Session, attachment_id: int) -> dict[str, Any] | None:
    """A file with its bytes and the grid code of its incident (for the scope check)."""
    row = (
        session.execute(
            text("""
            SELECT a.id, a.incident_id, a.event_id, a.filename, a.content_type, a.size,
                   a.sha256, a.data, g.code AS grid_code
            FROM incident_attachment a JOIN incident i ON i.id = a.incident_id
            LEFT JOIN area g ON g.id = i.grid_id
            WHERE a.id = :id"""),
            {"id": attachment_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


EVENT_FILES_SQL = """coalesce((
    SELECT json_agg(json_build_object('id', a.id, 'filename', a.filename,
                                      'content_type', a.content_type, 'size', a.size)
                    ORDER BY a.id)
    FROM incident_attachment a WHERE a.event_id = e.id), '[]'::json)"""
"""The files of timeline event ``e``, as a JSON list (no bytes): a column for SELECTs."""
