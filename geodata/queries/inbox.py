"""A department's inbox (待办): the cases it must act on, in two sections, by the one
definition of a case's state (``geodata/queries/case_state.py``).

* **act** (待办理): the department's clock runs (awaiting acceptance, accepted, in
  progress) and no extension is pending; overdue first (the definition's ``overdue``),
  then the nearest running deadline (``running_due``).
* **paused** (挂起与延期待批): suspended (no clock runs, so never overdue) or waiting for
  the dispatcher's decision on an extension (the clock still runs); pending extensions
  first by the same urgency, then suspensions, longest first.

A case is listed for its lead department (主办) and for each assisting department
(协办, ``lead`` is false). Counts are per section and over every matching case, not the
rows returned (at most ``limit`` per section).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs

ACT: Final = "act"
PAUSED: Final = "paused"
SECTIONS: Final = (ACT, PAUSED)
SUSPENDED: Final = "suspended"

_SQL: Final = f"""
WITH mine AS (
    SELECT i.id, i.status, i.category_code, i.grid_id, i.geom,
           i.lead_department_id = :d AS lead,
           i.dispatched_at, i.accepted_at, i.accept_due_at, i.resolve_due_at,
           i.extension_requested_until, i.suspended_at,
           coalesce({cs.overdue()}, false) AS overdue,
           {cs.running_due()} AS due,
           CASE WHEN i.status = '{SUSPENDED}' OR i.extension_requested_until IS NOT NULL
                THEN '{PAUSED}' ELSE '{ACT}' END AS section
    FROM incident i LEFT JOIN area g ON g.id = i.grid_id
    WHERE ({cs.handling()} OR i.status = '{SUSPENDED}')
      AND (i.lead_department_id = :d OR :d = ANY(i.assist_department_ids))
      AND (CAST(:scope AS text) IS NULL OR starts_with(g.code, :scope))
),
ranked AS (
    SELECT m.*,
           row_number() OVER (PARTITION BY m.section ORDER BY m.overdue DESC,
               m.due ASC NULLS LAST, m.suspended_at ASC NULLS LAST, m.id) AS rank,
           count(*) OVER (PARTITION BY m.section) AS section_total,
           count(*) FILTER (WHERE m.overdue) OVER (PARTITION BY m.section) AS section_overdue,
           count(*) FILTER (WHERE NOT m.lead) OVER (PARTITION BY m.section)
               AS section_assisting
    FROM mine m
)
SELECT r.id, r.status, r.section, r.rank, r.lead, r.overdue, r.due,
       r.dispatched_at, r.accepted_at, r.accept_due_at, r.resolve_due_at,
       r.extension_requested_until, r.suspended_at,
       r.section_total, r.section_overdue, r.section_assisting,
       c.name_zh, c.name_en, c.color, g.name AS grid_name,
       ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
       s.until AS suspend_until, coalesce(s.review, false) AS under_review
FROM ranked r
JOIN incident_category c ON c.code = r.category_code
LEFT JOIN area g ON g.id = r.grid_id
LEFT JOIN LATERAL (
    -- the running suspension: its expected end, and whether the sweep put it to review
    SELECT (e.detail->>'until')::timestamptz AS until,
           EXISTS (SELECT 1 FROM incident_event v
                   WHERE v.incident_id = r.id AND v.action = 'review'
                     AND (v.detail->>'suspended_at')::timestamptz = r.suspended_at) AS review
    FROM incident_event e
    WHERE r.status = '{SUSPENDED}' AND e.incident_id = r.id AND e.action = 'suspend'
    ORDER BY e.id DESC LIMIT 1
) s ON true
WHERE r.rank <= :limit
ORDER BY r.section = '{PAUSED}', r.rank
"""


def department_inbox(
    session: Session,
    *,
    department_id: int,
    scope: str | None,
    now: datetime,
    limit: int,
) -> list[dict[str, Any]]:
    """The department's cases in its area ``scope`` (an area-code prefix; None:
    city-wide) as they stand at ``now``: at most ``limit`` rows per section, in section
    then urgency order, each with its section's counts (``section_total``,
    ``section_overdue``, ``section_assisting``)."""
    rows = session.execute(
        text(_SQL), {"d": department_id, "scope": scope, "now": now, "limit": limit}
    ).mappings()
    return [dict(r) for r in rows]
