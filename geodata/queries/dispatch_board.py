"""The dispatch board's lists and counts (日调度), confined to an area scope in SQL.

Five lists of cases, each a ``WHERE`` and an ``ORDER BY`` over the same columns, by the
one definition of ``geodata/queries/case_state.py``:

* ``intake``     received in ``[start, end)`` (today, local, up to now), newest first;
* ``queue``      not yet dispatched (registered or verified), oldest first;
* ``overdue``    being handled past the deadline that runs now (accept by while
  dispatched, resolve by once accepted; a suspended case runs no clock), most overdue
  first;
* ``escalated``  handed to a level above (escalation level > 0) and still open;
* ``review``     suspended longer than the policy allows: the SLA sweep has put the
  current suspension to review (督办), longest suspended first.

Merged duplicates and rejected reports are in none of them.

The scope is an area-code prefix (None: the whole city); an incident outside every grid
is only in a city-wide scope. The same functions feed the board and its exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries.layers import SCOPED_GRIDS

LISTS: Final = ("intake", "queue", "overdue", "escalated", "review")
QUEUE_STATUSES: Final = cs.WAITING

COLUMNS = """
    i.id, i.status, i.version, i.source, i.external_id, i.category_code, i.priority,
    i.occurred_at, i.reported_at, i.description, i.address, i.escalation_level,
    i.lead_department_id, d.name_zh AS department_zh, d.name_en AS department_en,
    i.dispatched_at, i.accepted_at, i.accept_due_at, i.resolve_due_at, i.suspended_at,
    g.code AS grid_code, g.name AS grid_name, cm.name AS community_name,
    ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, ST_AsBinary(i.geom) AS geom_wkb
"""
FROM = """
    FROM incident i
    LEFT JOIN area g ON g.id = i.grid_id
    LEFT JOIN area cm ON cm.id = g.parent_id
    LEFT JOIN department d ON d.id = i.lead_department_id
"""
# The reviews are read all at once (ix_incident_event_review: a few per thousand
# suspensions) and matched by a hash, not probed case by case in every partition.
_UNDER_REVIEW = """(i.status = 'suspended' AND (i.id, i.suspended_at) IN (
    SELECT e.incident_id, (e.detail->>'suspended_at')::timestamptz
    FROM incident_event e WHERE e.action = 'review'))"""
_WHERE: Mapping[str, str] = {
    "intake": f"{cs.received()} AND {cs.counted()}",
    "queue": cs.waiting(),
    "overdue": cs.overdue(),
    "escalated": f"i.escalation_level > 0 AND {cs.is_open()}",
    "review": _UNDER_REVIEW,
}
# the overdue list's order is case_state.by_deadline's (the running clock's deadline, id)
_ORDER: Mapping[str, str] = {
    "intake": "i.reported_at DESC, i.id DESC",
    "queue": "i.reported_at, i.id",
    "escalated": "i.escalation_level DESC, i.reported_at, i.id",
    "review": "i.suspended_at, i.id",
}


@dataclass(frozen=True)
class Window:
    """The scope and instants the lists depend on: "today" is ``[start, end)``."""

    scope: str | None
    now: datetime
    start: datetime
    end: datetime


def _in_scope(scope: str | None) -> str:
    return f"i.grid_id IN {SCOPED_GRIDS}" if scope else "TRUE"


def _where(kind: str, scope: str | None) -> str:
    if kind not in _WHERE:
        raise ValueError(f"unknown dispatch list {kind!r}; one of {LISTS}")
    return f"{_WHERE[kind]} AND {_in_scope(scope)}"


def _params(w: Window) -> dict[str, object]:
    p: dict[str, object] = {"now": w.now, "start": w.start, "end": min(w.end, w.now)}
    if w.scope:
        p["scope"] = w.scope + "%"
    return p


def list_rows(session: Session, kind: str, w: Window, *, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of list ``kind`` (see the module docstring), in its order
    (the overdue list one running clock at a time, ``case_state.by_deadline``)."""
    if kind == "overdue":  # case_state.overdue: the running clock's deadline is past
        overdue = cs.by_deadline(COLUMNS, FROM, _in_scope(w.scope), before=":now")
        sql = f"SELECT * FROM ({overdue}) o ORDER BY o.due, o.id"
    else:
        sql = f"""SELECT {COLUMNS} {FROM} WHERE {_where(kind, w.scope)}
                  ORDER BY {_ORDER[kind]} LIMIT :limit"""
    rows = session.execute(text(sql), {**_params(w), "limit": limit})
    return [dict(r) for r in rows.mappings()]


def list_counts(session: Session, w: Window) -> dict[str, int]:
    """How many incidents each list holds (all of them, not only those shown).

    Each count is its own index range, so none grows with the open cases at large: the
    day's intake through the received time, the queue through ``ix_incident_waiting``,
    the overdue cases one running clock at a time (dispatched / resolving: disjoint
    statuses) through ``ix_incident_open``, the escalated through
    ``ix_incident_escalated``, the suspensions under review through the suspended cases.
    One pass over every open case counted the last four at once: at 10M, ~107k cases,
    20-30 ms."""
    scope_sql = f"AND {_in_scope(w.scope)}"
    counts = {
        "intake": _WHERE["intake"],
        "queue": _WHERE["queue"],
        "late_accept": cs.overdue_accept(),
        "late_resolve": cs.overdue_resolve(),
        "escalated": _WHERE["escalated"],
        "review": _WHERE["review"],
    }
    sql = "SELECT " + ", ".join(
        f"(SELECT count(*) FROM incident i WHERE {cond} {scope_sql}) AS {k}"
        for k, cond in counts.items()
    )
    row = session.execute(text(sql), _params(w)).mappings().one()
    got = {k: int(row[k]) for k in counts}
    got["overdue"] = got.pop("late_accept") + got.pop("late_resolve")
    return {k: got[k] for k in LISTS}


def intake_breakdown(
    session: Session, *, scope: str | None, start: datetime, end: datetime
) -> dict[str, list[tuple[str, int]]]:
    """Cases received in ``[start, end)`` by source and by category, largest first (the
    caller ends a period that includes now at now)."""
    scope_sql = f"AND i.grid_id IN {SCOPED_GRIDS}" if scope else ""
    params: dict[str, object] = {"start": start, "end": end}
    if scope:
        params["scope"] = scope + "%"
    out: dict[str, list[tuple[str, int]]] = {}
    for key, col in (("source", "i.source"), ("category", "i.category_code")):
        rows = session.execute(
            text(f"""SELECT {col} AS k, count(*) AS n FROM incident i
                     WHERE {cs.received()} AND {cs.counted()} {scope_sql}
                     GROUP BY {col} ORDER BY n DESC, {col}"""),
            params,
        )
        out[key] = [(str(k), int(n)) for k, n in rows]
    return out


def dispatch_target(session: Session, incident_id: int) -> tuple[str, str, str | None] | None:
    """``(status, category code, grid code)`` of the case a one-click dispatch names
    (None: no such case in the session's scope)."""
    row = session.execute(
        text("""SELECT i.status, i.category_code, g.code FROM incident i
                    LEFT JOIN area g ON g.id = i.grid_id WHERE i.id = :id"""),
        {"id": incident_id},
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def department_names(session: Session, department_id: int) -> tuple[str, str] | None:
    """``(name_zh, name_en)`` of a department (None: no such department)."""
    row = session.execute(
        text("SELECT name_zh, name_en FROM department WHERE id = :d"), {"d": department_id}
    ).first()
    return None if row is None else (row[0], row[1])
