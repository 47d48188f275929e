"""Case lists of the wall screen: the latest incidents and the most urgent SLA clocks
(the handoff's counts by status and lead department come from
``geodata.queries.wall.open_cases``, with the KPIs').

These are the only wall queries that read incident rows. They return the columns the
service needs to build what is shown; ``description`` and ``address`` leave here only to
be masked by the service (``governance/wall_cases.py``) and are never sent as they are.
No reporter is ever read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries.layers import scope_filter


def latest(session: Session, now: datetime, scope: str | None, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` cases received last (up to ``now``), newest first, with their
    grid's and community's names (merged duplicates and rejected reports left out)."""
    where, params = scope_filter(scope)
    sql = f"""
        SELECT i.id, i.category_code, i.reported_at, i.status, i.description, i.address,
               g.name AS grid_name, c.name AS community
        FROM incident i
        LEFT JOIN area g ON g.id = i.grid_id
        LEFT JOIN area c ON c.level = 'community' AND c.code = substr(g.code, 1, 12)
        WHERE i.reported_at <= :now AND {cs.counted()} {where}
        ORDER BY i.reported_at DESC, i.id DESC
        LIMIT :limit
    """
    rows = session.execute(text(sql), {"now": now, "limit": limit, **params}).mappings()
    return [dict(r) for r in rows]


def urgent(session: Session, now: datetime, scope: str | None, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` most urgent running SLA clocks: by deadline, earliest first, so the
    overdue cases come first (the longest overdue at the top) and then the clocks
    nearest their deadline. The clock that runs and whether it is overdue are the one
    definition's (``case_state.clocks``, ``case_state.overdue``): a suspended case runs
    none. Read one status at a time in deadline order (the open cases' index), so the
    read stays flat as the number of running cases grows."""
    where, params = scope_filter(scope)
    running = cs.by_deadline(
        """i.id, i.category_code, i.status, i.priority, g.name AS grid_name,
           d.name_zh AS dept_zh, d.name_en AS dept_en,
           i.dispatched_at, i.accepted_at, i.accept_due_at, i.resolve_due_at""",
        """FROM incident i
           LEFT JOIN area g ON g.id = i.grid_id
           LEFT JOIN department d ON d.id = i.lead_department_id""",
        f"i.reported_at <= :now {where}",
    )
    sql = f"""
        SELECT r.*, {cs.overdue("r.status", "r.accept_due_at", "r.resolve_due_at")} AS overdue
        FROM ({running}) r
        ORDER BY r.due, r.id
    """
    rows = session.execute(text(sql), {"now": now, "limit": limit, **params}).mappings()
    return [dict(r) for r in rows]
