"""The incident timeline (``incident_event``): written with every change, read by panels."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries.attachments import EVENT_FILES_SQL


def add_event(
    session: Session,
    *,
    incident_id: int,
    action: str,
    from_status: str | None,
    to_status: str | None,
    version: int,
    actor_user_id: int | None = None,
    actor_name: str | None = None,
    actor_role: str | None = None,
    actor_department_id: int | None = None,
    actor_token_id: int | None = None,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one step to an incident's timeline (in the caller's transaction)."""
    return int(
        session.execute(
            text("""
            INSERT INTO incident_event (incident_id, action, from_status, to_status, version,
                actor_user_id, actor_name, actor_role, actor_department_id, actor_token_id,
                note, detail)
            VALUES (:incident_id, :action, :from_status, :to_status, :version,
                :actor_user_id, :actor_name, :actor_role, :actor_department_id,
                :actor_token_id, :note, CAST(:detail AS jsonb))
            RETURNING id"""),
            {
                "incident_id": incident_id,
                "action": action,
                "from_status": from_status,
                "to_status": to_status,
                "version": version,
                "actor_user_id": actor_user_id,
                "actor_name": actor_name,
                "actor_role": actor_role,
                "actor_department_id": actor_department_id,
                "actor_token_id": actor_token_id,
                "note": note,
                "detail": None if detail is None else json.dumps(detail, ensure_ascii=False),
            },
        ).scalar_one()
    )


def events(session: Session, incident_id: int) -> list[dict[str, Any]]:
    """An incident's timeline, oldest first, with department names and each step's
    attached files (``attachments``: id, filename, content_type, size)."""
    rows = session.execute(
        text(f"""
        SELECT e.id, e.at, e.action, e.from_status, e.to_status, e.version, e.actor_name,
               e.actor_role, e.actor_department_id, d.name_zh AS department_zh,
               d.name_en AS department_en, e.actor_token_id, e.note, e.detail,
               {EVENT_FILES_SQL} AS attachments
        FROM incident_event e LEFT JOIN department d ON d.id = e.actor_department_id
        WHERE e.incident_id = :id ORDER BY e.id"""),
        {"id": incident_id},
    ).mappings()
    return [dict(r) for r in rows]
