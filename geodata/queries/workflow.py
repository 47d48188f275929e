"""The closed loop's reads and writes of one incident (the rules are in governance:
which action may be taken in ``transitions.py``, what it changes in ``workflow_apply.py``).

Each function runs in the caller's transaction and commits nothing. Rows come back as
plain dicts or tuples; ``None`` means there is no such row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

# The columns the state machine reads, with the grid's code for the area-scope check.
_ROW_SQL: Final = """
    SELECT i.id, i.status, i.version, i.category_code, i.priority, i.grid_id,
           g.code AS grid_code, i.lead_department_id, i.assist_department_ids,
           i.escalation_level, i.suspended_from, i.suspended_at, i.extension_requested_until,
           i.resolve_due_at, i.accept_due_at, i.dispatched_at, i.accepted_at, i.reopen_count
    FROM incident i LEFT JOIN area g ON g.id = i.grid_id
    WHERE i.id = :id
"""


def incident_row(session: Session, incident_id: int, *, lock: bool) -> dict[str, Any] | None:
    """The incident's handling columns and ``grid_code`` (None: no such incident, or not
    visible in the session's area scope). ``lock``: ``FOR UPDATE`` of the incident row,
    held until the caller's transaction ends."""
    row = (
        session.execute(text(_ROW_SQL + (" FOR UPDATE OF i" if lock else "")), {"id": incident_id})
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def known_departments(session: Session, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` that are departments."""
    return {
        r[0]
        for r in session.execute(
            text("SELECT id FROM department WHERE id = ANY(:ids)"), {"ids": ids}
        )
    }


def routing_rule(
    session: Session, category: str, grid_code: str | None
) -> tuple[int | None, list[int], int] | None:
    """``(lead, assist, rule id)`` of the most specific routing rule for a category at a
    grid: the longest matching area prefix first, a rule for the category before a
    catch-all one (None: no rule applies)."""
    row = session.execute(
        text("""
        SELECT lead_department_id, assist_department_ids, id FROM routing_rule
        WHERE (category_code = :c OR category_code IS NULL)
          AND (area_code IS NULL OR starts_with(coalesce(:g, ''), area_code))
        ORDER BY length(coalesce(area_code, '')) DESC, category_code IS NULL LIMIT 1"""),
        {"c": category, "g": grid_code},
    ).first()
    if row is None:
        return None
    return row[0], list(row[1] or []), row[2]


def category_department(session: Session, category: str) -> int | None:
    """The department of the category, else of its parent group (None: neither has one)."""
    return session.execute(
        text("""SELECT coalesce(c.department_id, p.department_id) FROM incident_category c
                LEFT JOIN incident_category p ON p.code = c.parent_code WHERE c.code = :c"""),
        {"c": category},
    ).scalar()


def status_and_grid(session: Session, incident_id: int) -> tuple[str, str | None] | None:
    """``(status, grid code)`` of an incident (None: none in the session's scope)."""
    row = session.execute(
        text("""SELECT i.status, g.code FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                    WHERE i.id = :id"""),
        {"id": incident_id},
    ).first()
    return None if row is None else (row[0], row[1])


def update_incident(session: Session, incident_id: int, sets: Mapping[str, Any]) -> int:
    """Set the columns ``sets`` (column name -> value; the names come from the caller's
    code, never from a request), bump the version and ``updated_at``; returns the new
    version. The caller holds the row lock (:func:`incident_row` with ``lock``)."""
    assignments = ", ".join(f"{k} = :{k}" for k in sets)
    return int(
        session.execute(
            text(
                f"UPDATE incident SET {assignments}, version = version + 1, updated_at = now() "
                "WHERE id = :id RETURNING version"
            ),
            {**sets, "id": incident_id},
        ).scalar_one()
    )


def add_feedback(
    session: Session, incident_id: int, rating: str, comment: str | None, channel: str
) -> None:
    """Store a resident's rating of the incident (``incident_feedback``)."""
    session.execute(
        text("""INSERT INTO incident_feedback (incident_id, rating, comment, channel)
                    VALUES (:id, :r, :c, :ch)"""),
        {"id": incident_id, "r": rating, "c": comment, "ch": channel},
    )


def departments(session: Session) -> list[dict[str, Any]]:
    """Every department (``id``, ``code``, ``name_zh``, ``name_en``), by id."""
    rows = session.execute(text("SELECT id, code, name_zh, name_en FROM department ORDER BY id"))
    return [dict(r) for r in rows.mappings()]
