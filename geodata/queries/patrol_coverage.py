"""The patrol-coverage layer: areas of one level in the viewport, each with how many
visits fell due in a span of days (their period's last day in ``[first, last)``, not
cancelled) and how many of them were done on time (not ``late``: filled on the phone by the
deadline, as the patrol report and the evaluation count it).

Areas come simplified for the zoom, as the areas layer draws them
(``geodata/queries/layers.py``); an area's visits are those of the grids under it (codes
nest: the first 6, 9, 12 or 15 digits).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries.layers import _area_select, _bbox_params, coordinate_digits
from geodata.queries.patrol_scores import FIGURES

DIGITS = {"county": 6, "street": 9, "community": 12, "grid": 15}


def coverage_geojson(
    session: Session,
    bbox: Sequence[float],
    zoom: float,
    level: str,
    first: date,
    last: date,
    limit: int,
    scope: str | None = None,
) -> tuple[str, int]:
    """``(GeoJSON text, rows)``: areas of ``level`` with ``due`` and ``on_time``."""
    inner, params = _area_select([level], zoom, limit, scope)
    n = DIGITS[level]
    sql = f"""
        WITH a AS ({inner}),
        f AS (
            SELECT left(g.code, {n}) AS key, {FIGURES}
            FROM patrol_task k
            JOIN area g ON g.id = k.grid_id
            LEFT JOIN patrol_submission p ON p.task_id = k.id
            WHERE k.last_day >= :first AND k.last_day < :last AND k.status <> 'cancelled'
              AND left(g.code, {n}) IN (SELECT left(code, {n}) FROM a)
            GROUP BY 1
        )
        SELECT count(*),
               coalesce(string_agg(ST_AsGeoJSON(q.*, 'geom', :digits, false), ','), '')
        FROM (SELECT a.id, a.code, a.name, a.level, coalesce(f.due, 0) AS due,
                     coalesce(f.on_time, 0) AS on_time, a.geom
              FROM a LEFT JOIN f ON f.key = left(a.code, {n})) q
    """
    row = session.execute(
        text(sql),
        {
            **params,
            **_bbox_params(bbox),
            "digits": coordinate_digits(zoom),
            "first": first,
            "last": last,
        },
    ).one()
    return '{"type":"FeatureCollection","features":[' + row[1] + "]}", int(row[0])
