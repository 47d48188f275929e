"""Viewport queries behind the map layers.

Every query is bounded by the viewport (``geom && envelope``, served by a GIST index),
simplified for the zoom in SQL, and capped at ``limit`` rows (the caller asks for one
more than it will send, to know when a response was truncated).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.models import H3_RESOLUTIONS
from geodata.queries import case_state

# A geobuf FeatureCollection without features: field 4 (feature_collection) of the Data
# message, empty. ST_AsGeobuf over no rows gives NULL, and an empty body is no geobuf at
# all: dash-leaflet decodes it to an object without `features` and throws a TypeError.
EMPTY_GEOBUF: Final = b"\x22\x00"

ENVELOPE = "ST_MakeEnvelope(:minlon, :minlat, :maxlon, :maxlat, 4326)"
# Grids inside the caller's area scope (codes nest, so a prefix selects a subtree).
SCOPED_GRIDS = "(SELECT sg.id FROM area sg WHERE sg.level = 'grid' AND sg.code LIKE :scope)"


def _scope_params(scope: str | None) -> dict[str, str]:
    return {"scope": scope + "%"} if scope else {}


def scope_filter(scope: str | None, alias: str = "i") -> tuple[str, dict[str, str]]:
    """``(SQL, params)``: an ``AND`` clause keeping rows of table ``alias`` whose grid lies
    inside the area code prefix ``scope``, and its parameter; nothing for no scope (the
    whole city)."""
    if not scope:
        return "", {}
    return f"AND {alias}.grid_id IN {SCOPED_GRIDS}", _scope_params(scope)


def pixel_degrees(zoom: float) -> float:
    """Size of one screen pixel in degrees of longitude at ``zoom`` (256 px tiles)."""
    return 360.0 / (256.0 * 2.0**zoom)


def coordinate_digits(zoom: float) -> int:
    """Decimal digits that keep about a tenth of a pixel at ``zoom`` (4..7)."""
    return max(4, min(7, math.ceil(-math.log10(pixel_degrees(zoom) / 10))))


def _bbox_params(bbox: Sequence[float]) -> dict[str, float]:
    minlon, minlat, maxlon, maxlat = bbox
    return {"minlon": minlon, "minlat": minlat, "maxlon": maxlon, "maxlat": maxlat}


@dataclass(frozen=True)
class IncidentWhere:
    """The incident predicates shared by the point, cluster and density queries: cases
    that occurred in ``[start, end)``, merged duplicates (their surviving case is drawn)
    and rejected reports left out (``case_state.counted``).

    ``urgency`` (the map's urgency filter, ``case_state.URGENCY_FILTERS``) keeps the cases
    in any of those states: an open case whatever its date (it needs handling now), a
    closed one only within the window; "due soon" is before ``soon``, both at ``now``."""

    start: datetime
    end: datetime
    categories: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    scope: str | None = None  # area-code prefix; None = whole jurisdiction
    urgency: tuple[str, ...] = ()
    now: datetime | None = None
    soon: datetime | None = None
    # res-8 cells covering the viewport (a superset), for a small viewport: the rows are
    # then found on ix_incident_h3_8 (h3_8, occurred_at) INCLUDE (...), an index-only
    # range per cell over the window, not a bitmap of every point ever reported in view
    cells8: tuple[int, ...] = ()

    def sql(self, alias: str = "i", window: bool = True) -> str:
        """The predicates on incident rows ``alias``; without ``window``, any time (for
        the rollups' corrections at the window's ends; not with the urgency filter)."""
        if not window and self.urgency:
            raise ValueError("the urgency filter needs the window")
        in_window = (
            f"({alias}.occurred_at >= :start AND {alias}.occurred_at < :end)" if window else "TRUE"
        )
        a = alias
        parts = [
            f"{alias}.geom && {ENVELOPE}",
            case_state.urgency_filter(
                self.urgency,
                f"{a}.status",
                f"{a}.accept_due_at",
                f"{a}.resolve_due_at",
                in_window=in_window,
            ),
            case_state.counted(f"{alias}.status"),
            *self.key_sql(alias),
        ]
        if self.cells8:
            parts.append(f"{alias}.h3_8 = ANY(CAST(:cells8 AS bigint[]))")
        return " AND ".join(parts)

    def key_sql(self, alias: str = "i") -> list[str]:
        """The predicates on columns that ``incident`` and ``incident_rollup`` share
        (category, source, the grid of the area scope), for either table."""
        parts = []
        if self.categories:
            parts.append(f"{alias}.category_code = ANY(:categories)")
        if self.sources:
            parts.append(f"{alias}.source = ANY(:sources)")
        if self.scope:
            parts.append(f"{alias}.grid_id IN {SCOPED_GRIDS}")
        return parts

    def params(self) -> dict[str, object]:
        now = self.now or datetime.now(UTC)
        p: dict[str, object] = {
            "start": self.start,
            "end": self.end,
            "now": now,
            "soon": self.soon or now,
        }
        if self.categories:
            p["categories"] = list(self.categories)
        if self.sources:
            p["sources"] = list(self.sources)
        if self.cells8:
            p["cells8"] = list(self.cells8)
        return p | _scope_params(self.scope)


def _area_select(
    levels: Sequence[str], zoom: float, limit: int, scope: str | None
) -> tuple[str, dict[str, object]]:
    tol = pixel_degrees(zoom) * 0.5
    scope_sql = "AND a.code LIKE :scope" if scope else ""
    sql = f"""
        SELECT a.id, a.code, a.name, a.level,
               ST_SimplifyPreserveTopology(a.geom, :tol) AS geom
        FROM area a
        WHERE a.level = ANY(:levels) AND a.geom && {ENVELOPE} {scope_sql}
        ORDER BY a.code
        LIMIT :limit
    """
    return sql, {"tol": tol, "levels": list(levels), "limit": limit, **_scope_params(scope)}


def areas_geojson(
    session: Session,
    bbox: Sequence[float],
    zoom: float,
    levels: Sequence[str],
    limit: int,
    scope: str | None = None,
) -> tuple[str, int]:
    """Area polygons of ``levels`` in the viewport as a GeoJSON FeatureCollection text.

    Returns ``(geojson, rows)``; ``rows`` may be ``limit`` (caller checks truncation).
    """
    inner, params = _area_select(levels, zoom, limit, scope)
    sql = f"""
        SELECT count(*) AS n,
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', :digits, false), ','), '')
        FROM ({inner}) q
    """
    row = session.execute(
        text(sql), {**params, **_bbox_params(bbox), "digits": coordinate_digits(zoom)}
    ).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])


def areas_geobuf(
    session: Session,
    bbox: Sequence[float],
    zoom: float,
    levels: Sequence[str],
    limit: int,
    scope: str | None = None,
) -> tuple[bytes, int]:
    """Area polygons in the viewport as geobuf (about half the bytes of GeoJSON)."""
    inner, params = _area_select(levels, zoom, limit, scope)
    digits = coordinate_digits(zoom)
    sql = f"""
        SELECT count(*), ST_AsGeobuf(q, 'geom')
        FROM (SELECT id, code, name, level,
                     ST_QuantizeCoordinates(geom, :digits) AS geom
              FROM ({inner}) s) q
    """
    row = session.execute(text(sql), {**params, **_bbox_params(bbox), "digits": digits}).one()
    return (bytes(row[1]) if row[1] else EMPTY_GEOBUF), int(row[0])


def labels_geojson(
    session: Session,
    bbox: Sequence[float],
    levels: Sequence[str],
    limit: int,
    scope: str | None = None,
) -> tuple[str, int]:
    """Label points (``label_point``) of areas of ``levels`` in the viewport, in the
    order the map keeps them when names collide: the higher level first, then the larger
    area (assets/js/minqing.js declutterLabels)."""
    sql = f"""
        SELECT count(*),
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', 5, false), ','), '')
        FROM (SELECT a.id, a.name, a.level, a.label_point AS geom
              FROM area a
              WHERE a.level = ANY(:levels) AND a.label_point && {ENVELOPE}
                    {"AND a.code LIKE :scope" if scope else ""}
              ORDER BY array_position(ARRAY['county', 'street', 'community', 'grid'],
                                      a.level::text),
                       ST_Area(a.geom) DESC, a.code
              LIMIT :limit) q
    """
    row = session.execute(
        text(sql),
        {"levels": list(levels), "limit": limit, **_bbox_params(bbox), **_scope_params(scope)},
    ).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])


def sites_geojson(
    session: Session,
    bbox: Sequence[float],
    types: Sequence[str] | None,
    limit: int,
    scope: str | None = None,
) -> tuple[str, int]:
    """Key sites in the viewport, the riskiest first when capped, each with its patrol
    status (``patrol``): ``failed`` when its last visit found a problem, else ``overdue``
    (its current visit missed, or open past its deadline), ``due`` (open), ``done`` (the
    current period's visit made), or null (no visit planned)."""
    type_sql = "AND s.site_type = ANY(:types)" if types else ""
    if scope:
        type_sql += f" AND s.grid_id IN {SCOPED_GRIDS}"
    sql = f"""
        SELECT count(*),
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', 6, false), ','), '')
        FROM (SELECT s.id, s.name, s.site_type, s.risk_grade,
                     CASE WHEN last.failed_items > 0 THEN 'failed'
                          WHEN cur.status = 'missed'
                            OR (cur.status = 'open' AND cur.deadline <= now()) THEN 'overdue'
                          WHEN cur.status = 'open' THEN 'due'
                          WHEN cur.status = 'done' THEN 'done'
                     END AS patrol,
                     s.geom
              FROM key_site s
              LEFT JOIN LATERAL (  -- the visit of the period under way (or the last one)
                  SELECT k.status, k.deadline FROM patrol_task k
                  WHERE k.site_id = s.id AND k.due_on <= CAST(now() AT TIME ZONE 'Asia/Shanghai' AS date)
                    AND k.status <> 'cancelled'
                  ORDER BY k.due_on DESC LIMIT 1) cur ON TRUE
              LEFT JOIN LATERAL (  -- the last visit made
                  SELECT p.failed_items FROM patrol_task k
                  JOIN patrol_submission p ON p.task_id = k.id
                  WHERE k.site_id = s.id AND k.status = 'done'
                  ORDER BY k.due_on DESC LIMIT 1) last ON TRUE
              WHERE s.geom && {ENVELOPE} {type_sql}
              ORDER BY s.risk_grade DESC, s.id LIMIT :limit) q
    """
    params: dict[str, object] = {"limit": limit, **_bbox_params(bbox), **_scope_params(scope)}
    if types:
        params["types"] = list(types)
    row = session.execute(text(sql), params).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])


def _urgency_order(where: IncidentWhere) -> str:
    """With the urgency filter on, the most urgent first (overdue, then the nearest
    deadline), so that the cap never drops an overdue case for a newer one."""
    if not where.urgency:
        return ""
    return f"{case_state.overdue()} DESC, {case_state.running_due()} ASC NULLS LAST,"


def incident_points_geojson(
    session: Session, bbox: Sequence[float], where: IncidentWhere, limit: int
) -> tuple[str, int]:
    """Individual incidents in the viewport, newest first."""
    sql = f"""
        SELECT count(*),
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', 6, false), ','), '')
        FROM (SELECT i.id, i.category_code, c.color, g.color AS group_color,
                     c.parent_code AS category_group, i.status, i.priority, i.source,
                     to_char(i.occurred_at AT TIME ZONE 'Asia/Shanghai',
                             'YYYY-MM-DD"T"HH24:MI') AS occurred_at,
                     {case_state.urgency()} AS urgency,
                     to_char({case_state.running_due()} AT TIME ZONE 'Asia/Shanghai',
                             'YYYY-MM-DD"T"HH24:MI') AS due_at,
                     i.geom
              FROM incident i JOIN incident_category c ON c.code = i.category_code
                   LEFT JOIN incident_category g ON g.code = c.parent_code
              WHERE {where.sql()}
              ORDER BY {_urgency_order(where)} i.occurred_at DESC, i.id DESC LIMIT :limit) q
    """
    row = session.execute(text(sql), {**where.params(), **_bbox_params(bbox), "limit": limit}).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])


def count_incidents(session: Session, bbox: Sequence[float], where: IncidentWhere, cap: int) -> int:
    """Number of matching incidents, counting no further than ``cap``."""
    sql = f"SELECT count(*) FROM (SELECT 1 FROM incident i WHERE {where.sql()} LIMIT :cap) q"
    return int(
        session.execute(
            text(sql), {**where.params(), **_bbox_params(bbox), "cap": cap}
        ).scalar_one()
    )


def h3_counts(
    session: Session,
    bbox: Sequence[float],
    where: IncidentWhere,
    res: int,
    limit: int,
    *,
    with_centroid: bool = False,
) -> list[tuple]:
    """``GROUP BY`` the stored H3 column: ``[(cell, count[, lon, lat]), ...]``, largest first.

    This is the whole density computation: an indexed filter and an aggregate over a
    precomputed bigint, never a per-point loop or an on-the-fly hexagon grid.
    """
    if res not in H3_RESOLUTIONS:
        raise ValueError(f"H3 resolution {res} not stored; stored: {H3_RESOLUTIONS}")
    centroid = ", avg(ST_X(i.geom)), avg(ST_Y(i.geom))" if with_centroid else ""
    sql = f"""
        SELECT i.h3_{res} AS cell, count(*) AS n{centroid}
        FROM incident i
        WHERE {where.sql()}
        GROUP BY i.h3_{res}
        ORDER BY n DESC, cell
        LIMIT :limit
    """
    rows = session.execute(text(sql), {**where.params(), **_bbox_params(bbox), "limit": limit})
    return [tuple(r) for r in rows]


def person_points_geojson(
    session: Session, bbox: Sequence[float], limit: int, scope: str | None
) -> tuple[str, int]:
    """Key persons' residence points (no identity) in the viewport and scope."""
    scope_sql = f"AND p.grid_id IN {SCOPED_GRIDS}" if scope else ""
    sql = f"""
        SELECT count(*),
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', 6, false), ','), '')
        FROM (SELECT p.id, p.category, p.care_level, p.grid_id, p.geom
              FROM key_person p
              WHERE p.geom && {ENVELOPE} {scope_sql}
              ORDER BY p.care_level DESC, p.id LIMIT :limit) q
    """
    row = session.execute(
        text(sql), {"limit": limit, **_bbox_params(bbox), **_scope_params(scope)}
    ).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])


def person_counts_geojson(
    session: Session, bbox: Sequence[float], limit: int, scope: str | None
) -> tuple[str, int]:
    """Key persons counted per grid, placed at the grid's label point: no locations."""
    scope_sql = "AND g.code LIKE :scope" if scope else ""
    sql = f"""
        SELECT count(*),
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', 5, false), ','), '')
        FROM (SELECT g.id AS grid_id, g.name, count(p.id) AS count, g.label_point AS geom
              FROM area g JOIN key_person p ON p.grid_id = g.id
              WHERE g.level = 'grid' AND g.label_point && {ENVELOPE} {scope_sql}
              GROUP BY g.id, g.name, g.label_point
              ORDER BY g.id LIMIT :limit) q
    """
    row = session.execute(
        text(sql), {"limit": limit, **_bbox_params(bbox), **_scope_params(scope)}
    ).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])
