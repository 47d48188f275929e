"""Raw figures behind the scorecards (governance/scores.py): counts per department,
street or grid over one period, computed in one SQL statement.

The rules (which incidents count, what is "due", what is "on time") are documented in
``governance/scores.py``; this module only turns them into SQL. Each row carries counts,
never an incident's text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries.layers import SCOPED_GRIDS

Kind = Literal["department", "street", "grid"]

# Points of a rating, for the mean satisfaction (0..100).
RATING_POINTS = {"satisfied": 100, "basic": 60, "dissatisfied": 0}

# kind -> (group key expression, the clock that puts an incident in a period, extra filter)
_GROUPING: dict[str, tuple[str, str, str]] = {
    "department": (
        "i.lead_department_id::text",
        "i.dispatched_at",
        "i.lead_department_id IS NOT NULL",
    ),
    "street": ("left(g.code, 9)", "i.reported_at", cs.counted()),
    "grid": ("g.code", "i.reported_at", cs.counted()),
}
# kind -> (join that yields the group's display name and code, name, code)
_NAMES: dict[str, tuple[str, str, str]] = {
    "department": (
        "LEFT JOIN department d ON d.id::text = r.key",
        "d.name_zh",
        "r.key",
    ),
    "street": (
        "LEFT JOIN area s ON s.level = 'street' AND left(s.code, 9) = r.key",
        "s.name",
        "coalesce(s.code, r.key)",
    ),
    "grid": ("LEFT JOIN area s ON s.level = 'grid' AND s.code = r.key", "s.name", "r.key"),
}
_POINTS_SQL = (
    "CASE f.rating " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in RATING_POINTS.items()) + " END"
)


def _where(kind: Kind, scope: str | None) -> tuple[str, dict[str, str]]:
    _, _, extra = _GROUPING[kind]
    parts = [extra]
    params: dict[str, str] = {}
    if kind != "department":
        parts.append("g.level = 'grid'")
    if scope:
        parts.append(f"i.grid_id IN {SCOPED_GRIDS}")
        params["scope"] = scope + "%"
    return " AND ".join(parts), params


def period_figures(
    session: Session,
    kind: Kind,
    scope: str | None,
    start: datetime,
    end: datetime,
    as_of: datetime,
) -> list[dict[str, Any]]:
    """One row per group with incidents or ratings in ``[start, end)`` inside ``scope``:
    ``key, name, received, accept_due, accept_ok, resolve_due, resolve_ok, reopened,
    ratings, satisfaction`` (mean points, None without ratings). ``as_of`` decides
    whether a deadline not yet met has passed (then it counts as missed, unless the
    case is suspended: its clock stands still)."""
    key, clock, _ = _GROUPING[kind]
    where, params = _where(kind, scope)
    grid_join = (
        "LEFT JOIN area g ON g.id = i.grid_id"
        if kind == "department"
        else ("JOIN area g ON g.id = i.grid_id")
    )
    name_join, name, code = _NAMES[kind]
    sql = f"""
        WITH handled AS (
            SELECT {key} AS key,
                   count(*) AS received,
                   count(*) FILTER (WHERE {cs.accept_due_by()}) AS accept_due,
                   count(*) FILTER (WHERE {cs.accepted_on_time()}) AS accept_ok,
                   count(*) FILTER (WHERE {cs.resolve_due_by()}) AS resolve_due,
                   count(*) FILTER (WHERE {cs.resolved_on_time()}) AS resolve_ok,
                   count(*) FILTER (WHERE i.reopen_count > 0) AS reopened
            FROM incident i {grid_join}
            WHERE {clock} >= :start AND {clock} < :end AND {where}
            GROUP BY 1
        ),
        rated AS (
            SELECT {key} AS key, count(*) AS ratings, avg({_POINTS_SQL}) AS satisfaction
            FROM incident_feedback f JOIN incident i ON i.id = f.incident_id {grid_join}
            WHERE f.at >= :start AND f.at < :end AND {where}
            GROUP BY 1
        ),
        r AS (
            SELECT key, coalesce(h.received, 0) AS received,
                   coalesce(h.accept_due, 0) AS accept_due,
                   coalesce(h.accept_ok, 0) AS accept_ok,
                   coalesce(h.resolve_due, 0) AS resolve_due,
                   coalesce(h.resolve_ok, 0) AS resolve_ok,
                   coalesce(h.reopened, 0) AS reopened,
                   coalesce(f.ratings, 0) AS ratings, f.satisfaction
            FROM handled h FULL JOIN rated f USING (key)
        )
        SELECT DISTINCT ON (r.key) {code} AS key, coalesce({name}, r.key) AS name,
               r.received, r.accept_due, r.accept_ok, r.resolve_due, r.resolve_ok,
               r.reopened, r.ratings, r.satisfaction
        FROM r {name_join}
        ORDER BY r.key
    """
    rows = session.execute(
        text(sql), {"start": start, "end": end, "as_of": as_of, **params}
    ).mappings()
    out = []
    for row in rows:
        item = dict(row)
        for k in ("received", "accept_due", "accept_ok", "resolve_due", "resolve_ok"):
            item[k] = int(item[k])
        item["reopened"] = int(item["reopened"])
        item["ratings"] = int(item["ratings"])
        sat = item["satisfaction"]
        item["satisfaction"] = None if sat is None else float(sat)
        item["key"], item["name"] = str(item["key"]), str(item["name"])
        out.append(item)
    return out


def department_names_en(session: Session) -> dict[str, str]:
    """Department id (as str) -> English name, for the English screens."""
    rows = session.execute(text("SELECT id::text, name_en FROM department"))
    return {str(k): str(v) for k, v in rows}
