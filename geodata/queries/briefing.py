"""Aggregates for the leaders' briefings (日调度 / 周会商 / 月评估): counts, H3 cells,
area outlines and the most overdue cases of one area and one period.

Each query takes the area scope as a code prefix (None: the whole city) and the half-open
period ``[start, end)`` from the caller, which ends a period that includes now at now.
Definitions (those of ``geodata/queries/case_state.py``, documented for readers of the
printed briefing):

- new: cases received in the period (``reported_at``); merged duplicates (their
  surviving case counts) and rejected reports are not cases;
- dispatched: ``dispatched_at`` in the period; resolved: ``resolved_at`` in the period;
- overdue: cases past the deadline whose clock ran at the end of the period (accept by
  while dispatched, resolve by while accepted or in progress; a suspended case's clock
  stands still), rebuilt from the timeline for a past instant;
- on-time rate: of the cases resolved in the period that had a deadline, the share
  resolved by it (a deadline moved by a suspension or an approved extension counts as
  moved);
- satisfaction: mean of the residents' ratings given in the period (satisfied = 100,
  basic = 60, dissatisfied = 0), as in ``governance.scores``;
- the heat map counts new cases where and when they occurred (``occurred_at``), like
  the map's density layer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.hexagons import H3_RESOLUTIONS
from geodata.queries import case_state as cs
from geodata.queries.layers import scope_filter

RATING_SCORE_SQL = "CASE f.rating WHEN 'satisfied' THEN 100 WHEN 'basic' THEN 60 ELSE 0 END"


def kpis(session: Session, scope: str | None, start: datetime, end: datetime) -> dict[str, Any]:
    """new / dispatched / resolved / overdue counts, on-time share (None: nothing resolved
    with a deadline), satisfaction 0..100 (None: no ratings) and the number of ratings."""
    where, params = scope_filter(scope)
    fwhere, _ = scope_filter(scope, "fi")
    sql = f"""
        SELECT
          count(*) FILTER (WHERE {cs.received()} AND {cs.counted()}) AS new,
          count(*) FILTER (WHERE i.dispatched_at >= :start AND i.dispatched_at < :end)
            AS dispatched,
          count(*) FILTER (WHERE i.resolved_at >= :start AND i.resolved_at < :end) AS resolved,
          count(*) FILTER (WHERE i.resolved_at >= :start AND i.resolved_at < :end
                            AND i.resolve_due_at IS NOT NULL) AS resolved_due,
          count(*) FILTER (WHERE i.resolved_at >= :start AND i.resolved_at < :end
                            AND {cs.resolved_on_time()}) AS resolved_on_time,
          (SELECT avg({RATING_SCORE_SQL}) FROM incident_feedback f
             JOIN incident fi ON fi.id = f.incident_id
            WHERE f.at >= :start AND f.at < :end {fwhere}) AS satisfaction,
          (SELECT count(*) FROM incident_feedback f
             JOIN incident fi ON fi.id = f.incident_id
            WHERE f.at >= :start AND f.at < :end {fwhere}) AS ratings,
          (SELECT count(*) FROM ({cs.states_at(":end", where, open_only=True)}) s
            WHERE {cs.overdue("s.status", "s.accept_due", "s.resolve_due", ":end")}) AS overdue
        FROM incident i
        WHERE ({cs.received()}
               OR i.dispatched_at >= :start AND i.dispatched_at < :end
               OR i.resolved_at >= :start AND i.resolved_at < :end) {where}
    """
    row = session.execute(text(sql), {"start": start, "end": end, **params}).mappings().one()
    due = int(row["resolved_due"])
    return {
        "new": int(row["new"]),
        "dispatched": int(row["dispatched"]),
        "resolved": int(row["resolved"]),
        "overdue": int(row["overdue"]),
        "on_time": int(row["resolved_on_time"]) / due if due else None,
        "satisfaction": None if row["satisfaction"] is None else float(row["satisfaction"]),
        "ratings": int(row["ratings"]),
    }


def h3_counts(
    session: Session, scope: str | None, start: datetime, end: datetime, res: int
) -> list[tuple[int, int]]:
    """``[(h3 cell, count)]`` of the cases that occurred in the period, at resolution
    ``res`` (where and when, like the map's density layer)."""
    if res not in H3_RESOLUTIONS:
        raise ValueError(f"no stored H3 resolution {res}")
    where, params = scope_filter(scope)
    sql = f"""
        SELECT i.h3_{res} AS cell, count(*) AS n FROM incident i
        WHERE i.occurred_at >= :start AND i.occurred_at < :end AND {cs.counted()} {where}
        GROUP BY i.h3_{res}
    """
    rows = session.execute(text(sql), {"start": start, "end": end, **params})
    return [(int(c), int(n)) for c, n in rows]


def top_categories(
    session: Session, scope: str | None, start: datetime, end: datetime, limit: int
) -> list[tuple[str, int]]:
    """``[(category code, count)]`` of the period's new cases, largest first."""
    where, params = scope_filter(scope)
    sql = f"""
        SELECT i.category_code, count(*) AS n FROM incident i
        WHERE {cs.received()} AND {cs.counted()} {where}
        GROUP BY i.category_code
        ORDER BY n DESC, i.category_code
        LIMIT :limit
    """
    rows = session.execute(text(sql), {"start": start, "end": end, "limit": limit, **params})
    return [(str(code), int(n)) for code, n in rows]


def outlines(
    session: Session, area_id: int | None, tolerance: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(frame, parts)``: the area's own outline (the counties for the whole city) and
    its children one level down, each ``{code, name, wkb, lon, lat}`` (label point),
    simplified to ``tolerance`` degrees."""
    cols = (
        "code, name, ST_AsBinary(ST_SimplifyPreserveTopology(geom, :tol)) AS wkb, "
        "ST_X(label_point) AS lon, ST_Y(label_point) AS lat"
    )
    if area_id is None:
        frame_sql = f"SELECT {cols} FROM area WHERE level = 'county' ORDER BY code"
        parts_sql = frame_sql
    else:
        frame_sql = f"SELECT {cols} FROM area WHERE id = :id"
        parts_sql = f"SELECT {cols} FROM area WHERE parent_id = :id ORDER BY code"
    p = {"tol": tolerance, "id": area_id}
    frame = [dict(r) for r in session.execute(text(frame_sql), p).mappings()]
    parts = [dict(r) for r in session.execute(text(parts_sql), p).mappings()]
    return frame, parts


def extent(session: Session, area_id: int | None) -> tuple[float, float, float, float] | None:
    """(minlon, minlat, maxlon, maxlat) of the mainland of the area: the largest part of
    each outline (offshore islands would zoom the map far out)."""
    where = "level = 'county'" if area_id is None else "id = :id"
    sql = f"""
        SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
          SELECT ST_Extent(part)::box2d AS b FROM (
            SELECT (SELECT d.geom FROM ST_Dump(a.geom) d
                    ORDER BY ST_Area(d.geom) DESC LIMIT 1) AS part
            FROM area a WHERE {where}) x) y
    """
    row = session.execute(text(sql), {"id": area_id}).one()
    return None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def overdue_ranked(
    session: Session, scope: str | None, at: datetime, limit: int
) -> list[tuple[int, datetime]]:
    """``(id, running deadline)`` of the cases overdue at ``at`` (the one definition,
    rebuilt from the timeline for a past instant), longest overdue first."""
    where, params = scope_filter(scope)
    due = cs.running_due("s.status", "s.accept_due", "s.resolve_due")
    sql = f"""
        SELECT s.id, {due} AS due
        FROM ({cs.states_at(":at", where, open_only=True)}) s
        WHERE {cs.overdue("s.status", "s.accept_due", "s.resolve_due", ":at")}
        ORDER BY due, s.id
        LIMIT :limit
    """
    rows = session.execute(text(sql), {"at": at, "limit": limit, **params})
    return [(int(i), due) for i, due in rows]


def overdue_cases(session: Session, ranked: list[tuple[int, datetime]]) -> list[dict]:
    """The cases of :func:`overdue_ranked`, in its order: ``{id, category_code, grid,
    department_zh, department_en, due, description}``: no reporter, no address (the
    caller masks the description)."""
    if not ranked:
        return []
    rows = session.execute(
        text("""
            SELECT i.id, i.category_code, g.name AS grid, d.name_zh AS department_zh,
                   d.name_en AS department_en, i.description
            FROM incident i
            LEFT JOIN area g ON g.id = i.grid_id
            LEFT JOIN department d ON d.id = i.lead_department_id
            WHERE i.id = ANY(:ids)"""),
        {"ids": [i for i, _ in ranked]},
    ).mappings()
    by_id = {int(r["id"]): dict(r) for r in rows}
    return [by_id[i] | {"due": due} for i, due in ranked if i in by_id]


def most_overdue(session: Session, scope: str | None, at: datetime, limit: int) -> list[dict]:
    """:func:`overdue_cases` of :func:`overdue_ranked`."""
    return overdue_cases(session, overdue_ranked(session, scope, at, limit))


def areas_in(session: Session, scope: str | None, levels: tuple[str, ...]) -> list[dict]:
    """``{code, name, level}`` of the areas of ``levels`` inside ``scope``, by code."""
    sql = "SELECT code, name, level FROM area WHERE level = ANY(:levels)"
    params: dict[str, Any] = {"levels": list(levels)}
    if scope:
        sql += " AND code LIKE :scope"
        params["scope"] = scope + "%"
    rows = session.execute(text(sql + " ORDER BY code"), params).mappings()
    return [dict(r) for r in rows]
