"""A department's inbox (待办): the open cases it leads, most urgent first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text

from geodata.db import session_scope
from governance import sla
from governance.access import INCIDENT_HANDLE, Principal, require
from governance.errors import Forbidden
from governance.filters import LOCAL_TZ
from i18n import t

INBOX_STATUSES = ("dispatched", "accepted", "in_progress", "suspended")
LIMIT = 100


def department_queue(principal: Principal | None, lang: str = "zh-CN") -> dict[str, Any]:
    """The open cases the principal's department leads (in their area), with SLA clocks,
    ordered by the deadline that runs now (accept by for new ones, else resolve by)."""
    who = require(principal, INCIDENT_HANDLE)
    if who.department_id is None:
        raise Forbidden("error.not_lead_department")
    with session_scope(scope=who.rls_scope) as s:
        rows = (
            s.execute(
                text("""
            SELECT i.id, i.status, i.category_code, c.name_zh, c.name_en, c.color,
                   g.name AS grid_name, i.occurred_at, i.dispatched_at, i.accepted_at,
                   i.accept_due_at, i.resolve_due_at, i.extension_requested_until,
                   ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, count(*) OVER () AS total
            FROM incident i JOIN incident_category c ON c.code = i.category_code
            LEFT JOIN area g ON g.id = i.grid_id
            WHERE i.lead_department_id = :d AND i.status = ANY(:st)
              AND (CAST(:scope AS text) IS NULL OR starts_with(g.code, :scope))
            ORDER BY CASE WHEN i.status = 'dispatched' THEN i.accept_due_at
                          ELSE i.resolve_due_at END NULLS LAST, i.id
            LIMIT :limit"""),
                {
                    "d": who.department_id,
                    "st": list(INBOX_STATUSES),
                    "scope": who.scope,
                    "limit": LIMIT,
                },
            )
            .mappings()
            .all()
        )
    now = datetime.now(LOCAL_TZ)
    items = [
        {
            "id": r["id"],
            "status": r["status"],
            "status_label": t(f"status.{r['status']}", lang),
            "category": r["name_en"] if lang == "en" else r["name_zh"],
            "color": r["color"],
            "grid": r["grid_name"],
            "occurred_at": r["occurred_at"],
            "lon": r["lon"],
            "lat": r["lat"],
            "extension_pending": r["extension_requested_until"] is not None,
            "sla": sla.clock(
                r["status"],
                now=now,
                dispatched_at=r["dispatched_at"],
                accepted_at=r["accepted_at"],
                accept_due_at=r["accept_due_at"],
                resolve_due_at=r["resolve_due_at"],
            ),
        }
        for r in rows
    ]
    return {"items": items, "total": int(rows[0]["total"]) if rows else 0}
