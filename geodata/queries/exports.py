"""Rows behind the exports: incidents, key sites, areas and a department's inbox, filtered
as on the map and confined to an area scope in SQL.

Each ``*_sql`` builds one ``SELECT`` (its columns named as the export names them) from an
:class:`ExportWhere`; :func:`count` and :func:`fetch` run it. Geometry comes as WKB
(``geom_wkb``) plus a representative point (``lon``, ``lat``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state as cs
from geodata.queries.dispatch_board import COLUMNS as INCIDENT_COLUMNS
from geodata.queries.dispatch_board import FROM as INCIDENT_FROM
from geodata.queries.layers import ENVELOPE, SCOPED_GRIDS

# An area's subtree prefix by its level (codes nest: county 6, street 9, community 12).
_PREFIX = (
    "left(a.code, CASE a.level WHEN 'county' THEN 6 WHEN 'street' THEN 9 "
    "WHEN 'community' THEN 12 ELSE 15 END)"
)
_AREA_GRIDS = "(SELECT ag.id FROM area ag WHERE ag.level = 'grid' AND ag.code LIKE :area)"


@dataclass(frozen=True)
class ExportWhere:
    """The filters of an export (None: not filtered) and the caller's area scope."""

    scope: str | None
    area: str | None = None  # an area's code prefix, intersected with the scope
    bbox: tuple[float, float, float, float] | None = None
    start: datetime | None = None
    end: datetime | None = None
    categories: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None  # key-site types
    level: str = "grid"  # areas: the level exported
    department_id: int | None = None  # the inbox: the department it leads for
    urgency: tuple[str, ...] = ()  # the map's urgency filter (case_state.urgency_filter)
    now: datetime | None = None  # its instant, and the end of "due soon"
    soon: datetime | None = None

    def params(self) -> dict[str, object]:
        p: dict[str, object] = {}
        if self.scope:
            p["scope"] = self.scope + "%"
        if self.area:
            p["area"] = self.area + "%"
        if self.bbox:
            p |= dict(zip(("minlon", "minlat", "maxlon", "maxlat"), self.bbox, strict=True))
        if self.start is not None:
            p["start"] = self.start
        if self.end is not None:
            p["end"] = self.end
        if self.categories:
            p["categories"] = list(self.categories)
        if self.sources:
            p["sources"] = list(self.sources)
        if self.types:
            p["types"] = list(self.types)
        p["level"] = self.level
        p["department"] = self.department_id
        if self.urgency:
            p["now"], p["soon"] = self.now, self.soon
        return p

    def located(self, alias: str) -> list[str]:
        """Scope, area and bbox predicates of a table with ``grid_id`` and ``geom``."""
        parts = []
        if self.scope:
            parts.append(f"{alias}.grid_id IN {SCOPED_GRIDS}")
        if self.area:
            parts.append(f"{alias}.grid_id IN {_AREA_GRIDS}")
        if self.bbox:
            parts.append(f"{alias}.geom && {ENVELOPE}")
        return parts

    def incident_filters(self, alias: str = "i") -> list[str]:
        """Time window, categories and sources of incidents."""
        window = []
        if self.start is not None:
            window.append(f"{alias}.occurred_at >= :start")
        if self.end is not None:
            window.append(f"{alias}.occurred_at < :end")
        parts = window
        if self.urgency:  # open cases at any date, closed ones within the window
            a = alias
            parts = [
                cs.urgency_filter(
                    self.urgency,
                    f"{a}.status",
                    f"{a}.accept_due_at",
                    f"{a}.resolve_due_at",
                    in_window=_and(window),
                )
            ]
        if self.categories:
            parts.append(f"{alias}.category_code = ANY(:categories)")
        if self.sources:
            parts.append(f"{alias}.source = ANY(:sources)")
        return parts


def _and(parts: list[str]) -> str:
    return " AND ".join(parts) if parts else "TRUE"


def incidents_sql(w: ExportWhere) -> tuple[str, dict[str, object]]:
    """Incidents of the map's filters (time by occurrence), newest first."""
    where = _and(w.located("i") + w.incident_filters("i"))
    sql = (
        f"SELECT {INCIDENT_COLUMNS} {INCIDENT_FROM} WHERE {where} ORDER BY i.occurred_at DESC, i.id"
    )
    return sql, w.params()


def inbox_sql(w: ExportWhere) -> tuple[str, dict[str, object]]:
    """The department's inbox as on its screen (``geodata/queries/inbox.py``): the cases it
    leads or assists in whose clock runs, overdue first then by the nearest deadline, then
    the suspended ones and those awaiting an extension decision."""
    mine = "(i.lead_department_id = :department OR :department = ANY(i.assist_department_ids))"
    where = _and([*w.located("i"), mine, f"({cs.handling()} OR i.status = 'suspended')"])
    paused = "(i.status = 'suspended' OR i.extension_requested_until IS NOT NULL)"
    sql = f"""SELECT {INCIDENT_COLUMNS} {INCIDENT_FROM} WHERE {where}
              ORDER BY {paused}, coalesce({cs.overdue(now="now()")}, false) DESC,
                       {cs.running_due()} NULLS LAST, i.suspended_at NULLS LAST, i.id"""
    return sql, w.params()


def sites_sql(w: ExportWhere) -> tuple[str, dict[str, object]]:
    """Key sites (type, risk grade, address) with their grid."""
    parts = w.located("s")
    if w.types:
        parts.append("s.site_type = ANY(:types)")
    sql = f"""
        SELECT s.id, s.code, s.name, s.site_type, s.risk_grade, s.address,
               g.code AS grid_code, g.name AS grid_name, cm.name AS community_name,
               ST_X(ST_PointOnSurface(s.geom)) AS lon, ST_Y(ST_PointOnSurface(s.geom)) AS lat,
               ST_AsBinary(s.geom) AS geom_wkb
        FROM key_site s
        LEFT JOIN area g ON g.id = s.grid_id
        LEFT JOIN area cm ON cm.id = g.parent_id
        WHERE {_and(parts)}
        ORDER BY s.id"""
    return sql, w.params()


LEVEL_DIGITS = {"county": 6, "street": 9, "community": 12, "grid": 15}


def areas_sql(w: ExportWhere, *, with_persons: bool) -> tuple[str, dict[str, object]]:
    """Areas of one level with their incidents in the window (and, ``with_persons``, how
    many key persons live in them: a count, never a person). Counts are grouped by the
    level's code prefix once, then joined (codes nest)."""
    digits = LEVEL_DIGITS[w.level]
    parts = ["a.level = :level"]
    if w.scope:
        parts.append(f"{_PREFIX} LIKE :scope")
    if w.area:
        parts.append(f"{_PREFIX} LIKE :area")
    if w.bbox:
        parts.append(f"a.geom && {ENVELOPE}")
    inc_where = _and(w.incident_filters("i"))
    persons_cte = persons_col = persons_join = ""
    if with_persons:
        persons_cte = f""", kp AS (SELECT left(g.code, {digits}) AS k, count(*) AS n
                                 FROM key_person p JOIN area g ON g.id = p.grid_id GROUP BY 1)"""
        persons_col = ", coalesce(kp.n, 0) AS key_persons"
        persons_join = f"LEFT JOIN kp ON kp.k = left(a.code, {digits})"
    sql = f"""
        WITH ic AS (SELECT left(g.code, {digits}) AS k, count(*) AS n FROM incident i
                    JOIN area g ON g.id = i.grid_id WHERE {inc_where} GROUP BY 1)
             {persons_cte}
        SELECT a.id, a.code, a.name, a.level, p.code AS parent_code, a.population,
               a.worker_name, a.worker_phone, coalesce(ic.n, 0) AS incidents {persons_col},
               ST_X(coalesce(a.label_point, ST_PointOnSurface(a.geom))) AS lon,
               ST_Y(coalesce(a.label_point, ST_PointOnSurface(a.geom))) AS lat,
               ST_AsBinary(a.geom) AS geom_wkb
        FROM area a LEFT JOIN area p ON p.id = a.parent_id
        LEFT JOIN ic ON ic.k = left(a.code, {digits}) {persons_join}
        WHERE {_and(parts)}
        ORDER BY a.code"""
    return sql, w.params()


def count(session: Session, sql: str, params: Mapping[str, object], cap: int) -> int:
    """How many rows ``sql`` yields, counting at most ``cap + 1``."""
    return int(
        session.execute(
            text(f"SELECT count(*) FROM ({sql} LIMIT :cap_plus_one) c"),
            {**params, "cap_plus_one": cap + 1},
        ).scalar_one()
    )


def fetch(session: Session, sql: str, params: Mapping[str, object]) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts."""
    return [dict(r) for r in session.execute(text(sql), dict(params)).mappings()]
