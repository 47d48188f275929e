"""SQL of patrol submissions, their photos and findings (``governance/patrol_submit.py``
holds the rules); in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql import bindparam
from sqlalchemy.types import String


def by_client_id(session: Session, client_id: str) -> dict[str, Any] | None:
    row = (
        session.execute(
            text("SELECT * FROM patrol_submission WHERE client_id = :c"), {"c": client_id}
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def by_id(session: Session, submission_id: int) -> dict[str, Any] | None:
    row = (
        session.execute(
            text("""
            SELECT s.*, k.subject, k.site_id, k.person_id, k.grid_id, k.due_on, k.last_day,
                   k.deadline, k.assignee_id, g.code AS grid_code, u.display_name AS worker
            FROM patrol_submission s
            JOIN patrol_task k ON k.id = s.task_id
            JOIN area g ON g.id = k.grid_id
            LEFT JOIN app_user u ON u.id = s.submitted_by
            WHERE s.id = :id"""),
            {"id": submission_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def previous_checkin(
    session: Session, user_id: int, before: datetime
) -> tuple[float, float, datetime] | None:
    """The worker's latest check-in with a position, filled at or before ``before``."""
    row = session.execute(
        text("""
        SELECT lon, lat, filled_at FROM patrol_submission
        WHERE submitted_by = :u AND lon IS NOT NULL AND filled_at <= :t
        ORDER BY filled_at DESC LIMIT 1"""),
        {"u": user_id, "t": before},
    ).first()
    return (float(row[0]), float(row[1]), row[2]) if row else None


def superseded_at(session: Session, template_id: int, version: int) -> datetime | None:
    """When the version after ``version`` of the template was written (None: current)."""
    value: datetime | None = session.execute(
        text("""
        SELECT created_at FROM checklist_template_version
        WHERE template_id = :t AND version = :v + 1"""),
        {"t": template_id, "v": version},
    ).scalar()
    return value


def insert(session: Session, **columns: Any) -> int:
    """A new submission row; its id."""
    stmt = text("""
        INSERT INTO patrol_submission (task_id, client_id, template_version_id, submitted_by,
            filled_at, answers, lon, lat, accuracy_m, distance_m, on_site, off_site_reason,
            flags, late, failed_items)
        VALUES (:task_id, :client_id, :template_version_id, :submitted_by, :filled_at,
            :answers, :lon, :lat, :accuracy_m, :distance_m, :on_site, :off_site_reason,
            :flags, :late, :failed_items)
        RETURNING id""").bindparams(
        bindparam("answers", type_=JSONB), bindparam("flags", type_=ARRAY(String))
    )
    return int(session.execute(stmt, columns).scalar_one())


def insert_photo(
    session: Session, submission_id: int, item_key: str, content_type: str, data: bytes, sha256: str
) -> int:
    return int(
        session.execute(
            text("""
            INSERT INTO patrol_photo (submission_id, item_key, content_type, size, sha256, data)
            VALUES (:s, :k, :t, :n, :h, :d) RETURNING id"""),
            {
                "s": submission_id,
                "k": item_key,
                "t": content_type,
                "n": len(data),
                "h": sha256,
                "d": data,
            },
        ).scalar_one()
    )


def insert_finding(session: Session, submission_id: int, item_key: str, incident_id: int) -> None:
    session.execute(
        text("""
        INSERT INTO patrol_finding (submission_id, item_key, incident_id) VALUES (:s, :k, :i)
        ON CONFLICT DO NOTHING"""),
        {"s": submission_id, "k": item_key, "i": incident_id},
    )


def findings(session: Session, submission_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        text("""
        SELECT f.item_key, f.incident_id, i.status, i.category_code
        FROM patrol_finding f JOIN incident i ON i.id = f.incident_id
        WHERE f.submission_id = :s ORDER BY f.item_key"""),
        {"s": submission_id},
    ).mappings()
    return [dict(r) for r in rows]


def photos(session: Session, submission_id: int) -> list[dict[str, Any]]:
    """The submission's photos without their bytes."""
    rows = session.execute(
        text("""
        SELECT id, item_key, content_type, size FROM patrol_photo
        WHERE submission_id = :s ORDER BY id"""),
        {"s": submission_id},
    ).mappings()
    return [dict(r) for r in rows]


def photo(session: Session, photo_id: int) -> dict[str, Any] | None:
    """A photo with its bytes and what decides who may see it."""
    row = (
        session.execute(
            text("""
            SELECT p.*, k.subject, k.grid_id, g.code AS grid_code, s.submitted_by
            FROM patrol_photo p
            JOIN patrol_submission s ON s.id = p.submission_id
            JOIN patrol_task k ON k.id = s.task_id
            JOIN area g ON g.id = k.grid_id
            WHERE p.id = :id"""),
            {"id": photo_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def set_done(session: Session, task_id: int, at: datetime) -> None:
    session.execute(
        text("UPDATE patrol_task SET status = 'done', done_at = :at WHERE id = :id"),
        {"at": at, "id": task_id},
    )
