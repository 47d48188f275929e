"""The frame queries of time playback (governance/playback.py).

A frame is the density layer's own aggregate over a short interval: the same predicate
(:class:`geodata.queries.layers.IncidentWhere`: the viewport, counted cases, the area
scope) and a ``GROUP BY`` on the stored H3 column, so a played-back day shows exactly what
the density layer shows for that day. The occurrence-time range is what makes a frame
cheap: ``ix_incident_occurred_at`` (or ``ix_incident_h3_<res>``, which ends in
``occurred_at``) reads one hour or one day of rows, never the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.models import H3_RESOLUTIONS
from geodata.queries.layers import IncidentWhere, _bbox_params
from geodata.queries.rollup import h3_counts


def frame_counts(
    session: Session, bbox: Sequence[float], where: IncidentWhere, res: int, limit: int
) -> list[tuple[int, int]]:
    """``[(cell, count), ...]`` of the frame ``[where.start, where.end)``, largest first,
    at most ``limit`` rows (the caller asks for one more than it sends): the density
    layer's own query (:func:`geodata.queries.rollup.h3_counts`: a day frame is read from
    the rollup), so a frame and the layer over the same hour or day can never disagree."""
    return h3_counts(session, bbox, where, res, limit)


def frame_points_geojson(
    session: Session, bbox: Sequence[float], where: IncidentWhere, limit: int
) -> tuple[str, int]:
    """The frame's incidents as GeoJSON points, in the order they occurred, at most
    ``limit``: only what the incidents layer shows of a case (id, category and its
    colour, status, local time of occurrence), never a reporter, address or text."""
    sql = f"""
        SELECT count(*),
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', 6, false), ','), '')
        FROM (SELECT i.id, i.category_code, c.color, i.status,
                     to_char(i.occurred_at AT TIME ZONE 'Asia/Shanghai',
                             'YYYY-MM-DD"T"HH24:MI') AS occurred_at,
                     i.geom
              FROM incident i JOIN incident_category c ON c.code = i.category_code
              WHERE {where.sql()}
              ORDER BY i.occurred_at, i.id LIMIT :limit) q
    """
    row = session.execute(text(sql), {**where.params(), **_bbox_params(bbox), "limit": limit}).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])


def period_points(
    session: Session,
    bbox: Sequence[float],
    start: datetime,
    end: datetime,
    scope: str | None,
    res: int,
) -> list[tuple[datetime, int]]:
    """``(occurred_at, cell)`` of every counted incident of ``[start, end)`` in the
    viewport and scope: what the benchmark's naive baseline loads (the frame service
    never asks for a whole period)."""
    if res not in H3_RESOLUTIONS:
        raise ValueError(f"H3 resolution {res} not stored; stored: {H3_RESOLUTIONS}")
    where = IncidentWhere(start, end, scope=scope)
    sql = f"SELECT i.occurred_at, i.h3_{res} FROM incident i WHERE {where.sql()}"
    rows = session.execute(text(sql), {**where.params(), **_bbox_params(bbox)})
    return [(t, int(c)) for t, c in rows]
