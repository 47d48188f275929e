"""What is in a map view, as lists: the keyboard's and the screen reader's way to the
objects of the map (pages/map_controls.py ``view_list``). Each runs in the caller's
transaction and is bounded by the view, the caller's area scope and a row limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state
from geodata.queries.layers import ENVELOPE, SCOPED_GRIDS, IncidentWhere

_BBOX_KEYS = ("minlon", "minlat", "maxlon", "maxlat")


def _bbox(bbox: Sequence[float]) -> dict[str, float]:
    return dict(zip(_BBOX_KEYS, bbox, strict=True))


def _rows(session: Session, sql: str, params: dict[str, object]) -> tuple[list[dict], int]:
    rows = [dict(r) for r in session.execute(text(sql), params).mappings()]
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total


def incidents(
    session: Session, bbox: Sequence[float], where: IncidentWhere, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The incidents of the map's filters in the view, the most urgent first (overdue,
    longest overdue first; then the nearest deadline; then the newest), and how many
    there are in all: ``{id, category_code, status, urgency, due_at, occurred_at, grid}``."""
    sql = f"""
        SELECT i.id, i.category_code, i.status, {case_state.urgency()} AS urgency,
               {case_state.running_due()} AS due_at, i.occurred_at, g.name AS grid,
               count(*) OVER () AS total
        FROM incident i LEFT JOIN area g ON g.id = i.grid_id
        WHERE {where.sql()}
        ORDER BY {case_state.overdue()} DESC, {case_state.running_due()} ASC NULLS LAST,
                 i.occurred_at DESC, i.id DESC
        LIMIT :limit
    """
    return _rows(session, sql, {**where.params(), **_bbox(bbox), "limit": limit})


def sites(
    session: Session, bbox: Sequence[float], limit: int, scope: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Key sites in the view, the riskiest first: ``{id, name, site_type, risk_grade}``."""
    scoped = f"AND s.grid_id IN {SCOPED_GRIDS}" if scope else ""
    sql = f"""
        SELECT s.id, s.name, s.site_type, s.risk_grade, count(*) OVER () AS total
        FROM key_site s
        WHERE s.geom && {ENVELOPE} {scoped}
        ORDER BY s.risk_grade DESC, s.name, s.id
        LIMIT :limit
    """
    params: dict[str, object] = {**_bbox(bbox), "limit": limit}
    if scope:
        params["scope"] = scope + "%"
    return _rows(session, sql, params)


def areas(
    session: Session, bbox: Sequence[float], level: str, limit: int, scope: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Areas of ``level`` whose label point is in the view, by code: ``{id, name, level}``."""
    scoped = "AND a.code LIKE :scope" if scope else ""
    sql = f"""
        SELECT a.id, a.name, a.level, count(*) OVER () AS total
        FROM area a
        WHERE a.level = :level AND a.label_point && {ENVELOPE} {scoped}
        ORDER BY a.code
        LIMIT :limit
    """
    params: dict[str, object] = {**_bbox(bbox), "level": level, "limit": limit}
    if scope:
        params["scope"] = scope + "%"
    return _rows(session, sql, params)


def persons(
    session: Session, bbox: Sequence[float], limit: int, scope: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Key persons living in the view, the highest care level first, with no identity:
    ``{id, category, care_level, grid}`` (as the persons layer's points)."""
    scoped = f"AND p.grid_id IN {SCOPED_GRIDS}" if scope else ""
    sql = f"""
        SELECT p.id, p.category, p.care_level, g.name AS grid, count(*) OVER () AS total
        FROM key_person p LEFT JOIN area g ON g.id = p.grid_id
        WHERE p.geom && {ENVELOPE} {scoped}
        ORDER BY p.care_level DESC, p.id
        LIMIT :limit
    """
    params: dict[str, object] = {**_bbox(bbox), "limit": limit}
    if scope:
        params["scope"] = scope + "%"
    return _rows(session, sql, params)
