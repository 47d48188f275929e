"""SQL of checklist templates and their versions (``governance/patrol_templates.py`` holds
the rules); in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql import bindparam


def leaf_categories(session: Session) -> list[str]:
    return list(
        session.execute(
            text("SELECT code FROM incident_category WHERE parent_code IS NOT NULL ORDER BY code")
        ).scalars()
    )


def add_template(
    session: Session, *, code: str, subject: str, applies_to: str, name_zh: str, name_en: str
) -> int:
    return int(
        session.execute(
            text("""
            INSERT INTO checklist_template (code, subject, applies_to, name_zh, name_en,
                                            current_version)
            VALUES (:code, :subject, :applies_to, :zh, :en, 1) RETURNING id"""),
            {
                "code": code,
                "subject": subject,
                "applies_to": applies_to,
                "zh": name_zh,
                "en": name_en,
            },
        ).scalar_one()
    )


def add_version(
    session: Session, template_id: int, version: int, items: list[dict[str, Any]], by: int | None
) -> int:
    return int(
        session.execute(
            text("""
            INSERT INTO checklist_template_version (template_id, version, items, created_by)
            VALUES (:t, :v, :items, :by) RETURNING id""").bindparams(
                bindparam("items", type_=JSONB)
            ),
            {"t": template_id, "v": version, "items": items, "by": by},
        ).scalar_one()
    )


def template_for_update(session: Session, code: str) -> dict[str, Any] | None:
    row = (
        session.execute(
            text("SELECT * FROM checklist_template WHERE code = :c FOR UPDATE"), {"c": code}
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def set_current(session: Session, template_id: int, version: int) -> None:
    session.execute(
        text("UPDATE checklist_template SET current_version = :v WHERE id = :t"),
        {"v": version, "t": template_id},
    )


_VERSION = """
    SELECT v.id, v.template_id, v.version, v.items, v.created_at, t.code, t.subject,
           t.applies_to, t.name_zh, t.name_en, t.current_version AS current
    FROM checklist_template_version v JOIN checklist_template t ON t.id = v.template_id
"""


def version(session: Session, version_id: int) -> dict[str, Any] | None:
    row = (
        session.execute(text(_VERSION + " WHERE v.id = :id"), {"id": version_id}).mappings().first()
    )
    return dict(row) if row else None


def current_version(session: Session, template_id: int) -> dict[str, Any] | None:
    row = (
        session.execute(
            text(_VERSION + " WHERE v.template_id = :t AND v.version = t.current_version"),
            {"t": template_id},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def templates(session: Session) -> list[dict[str, Any]]:
    """Every template with its current version's id, by subject and code."""
    rows = session.execute(
        text(_VERSION + " WHERE v.version = t.current_version ORDER BY t.subject, t.code")
    ).mappings()
    return [dict(r) for r in rows]
