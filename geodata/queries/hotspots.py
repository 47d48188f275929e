"""Hot H3 cells of two consecutive periods (governance/hotspots.py has the rules).

Counts per cell come from the coarse rollup where it serves (resolutions 6-8, the city,
a county or a street: ``geodata/queries/coarse.py``, exact, the partial days at the
periods' ends read raw), else from the H3 columns stored on each incident at write time
(``incident.h3_<res>``, indexed with ``occurred_at``), one ``GROUP BY``. At 10M incidents
the wall's two weeks were ~200k raw rows (94 ms); from the rollup they are its rows for
~10 buckets and about a day of raw rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.models import H3_RESOLUTIONS
from geodata.queries import case_state, coarse
from geodata.queries.layers import scope_filter

# merged duplicates (their surviving case counts) and rejected reports are not cases
COUNTED = case_state.counted()


def _column(res: int) -> str:
    if res not in H3_RESOLUTIONS:
        raise ValueError(f"no stored H3 resolution {res}; choose one of {H3_RESOLUTIONS}")
    return f"i.h3_{res}"


def _bar(x: str, n: str, s: str, q: str) -> str:
    """SQL: the threshold of a cell with count ``x`` among ``n`` non-empty cells whose
    counts sum to ``s`` (squares to ``q``), leaving the cell itself out when it is one
    of them."""
    others = f"({n} - CASE WHEN {x} > 0 THEN 1 ELSE 0 END)"
    mean = f"(({s} - {x}) / {others})"
    var = f"greatest(0.0, ({q} - {x} * {x}) / {others} - {mean} * {mean})"
    return (
        f"greatest(CAST(:min_count AS float8), "
        f"CASE WHEN {others} > 0 THEN {mean} + :k * sqrt({var}) ELSE 0 END)"
    )


def hot_cells(
    session: Session,
    *,
    scope: str | None,
    res: int,
    prev_start: datetime,
    start: datetime,
    end: datetime,
    min_count: int,
    sd_factor: float,
    rollup: bool = True,
) -> list[dict[str, Any]]:
    """Cells hot in ``[start, end)`` or in ``[prev_start, start)``: ``cell, count,
    previous, hot_now, hot_before``. In each period a cell is hot when its count is at
    least ``max(min_count, mean + sd_factor * sd)`` of the counts of the period's *other*
    non-empty cells (leave-one-out, population standard deviation; a lone cell needs
    only ``min_count``): a very busy cell does not raise its own bar, so a small area
    with one outstanding cell still shows it. Without ``rollup`` the counts are always
    taken from the rows (what the rollup's answer is held to)."""
    col = _column(res)
    kept = _rollup_counts(scope, res, prev_start, start, end) if rollup else None
    params: dict[str, object]
    if kept is None:
        where, scoped = scope_filter(scope)
        params = dict(scoped)
        counts = f"""
            SELECT {col} AS cell,
                   count(*) FILTER (WHERE i.occurred_at >= :start)::float8 AS n,
                   count(*) FILTER (WHERE i.occurred_at < :start)::float8 AS p
            FROM incident i
            WHERE i.occurred_at >= :prev_start AND i.occurred_at < :end AND {COUNTED} {where}
            GROUP BY 1"""
    else:
        counts, params = kept
    sql = f"""
        WITH counts AS ({counts}),
        totals AS (
            SELECT count(*) FILTER (WHERE n > 0)::float8 AS cn, sum(n) AS sn,
                   sum(n * n) AS qn, count(*) FILTER (WHERE p > 0)::float8 AS cp,
                   sum(p) AS sp, sum(p * p) AS qp
            FROM counts
        ),
        bars AS (
            SELECT c.cell, c.n, c.p,
                   {_bar("c.n", "t.cn", "t.sn", "t.qn")} AS now_t,
                   {_bar("c.p", "t.cp", "t.sp", "t.qp")} AS prev_t
            FROM counts c CROSS JOIN totals t
        )
        SELECT cell, n::bigint AS count, p::bigint AS previous,
               n >= now_t AS hot_now, p >= prev_t AS hot_before
        FROM bars
        WHERE n >= now_t OR p >= prev_t
    """
    rows = session.execute(
        text(sql),
        {
            "prev_start": prev_start,
            "start": start,
            "end": end,
            "min_count": min_count,
            "k": sd_factor,
            **params,
        },
    ).mappings()
    return [
        {
            "cell": int(r["cell"]),
            "count": int(r["count"]),
            "previous": int(r["previous"]),
            "hot_now": bool(r["hot_now"]),
            "hot_before": bool(r["hot_before"]),
        }
        for r in rows
    ]


def _rollup_counts(
    scope: str | None, res: int, prev_start: datetime, start: datetime, end: datetime
) -> tuple[str, dict[str, object]] | None:
    """SQL rows ``cell, n, p``: each cell's counts in ``[start, end)`` and
    ``[prev_start, start)`` from the coarse rollup, both periods in one pass
    (``coarse.period_counts_sql``: only the periods' partial days are read raw), or None
    where the rollup does not serve (a finer resolution, a community or grid scope)."""
    built = coarse.period_counts_sql(scope, res, [(start, end), (prev_start, start)], end)
    if built is None:
        return None
    sql, params = built
    return (
        f"SELECT cell, n0::float8 AS n, n1::float8 AS p FROM ({sql}) c WHERE n0 > 0 OR n1 > 0",
        params,
    )


def top_categories(
    session: Session,
    *,
    cells: list[int],
    scope: str | None,
    res: int,
    prev_start: datetime,
    start: datetime,
    end: datetime,
) -> dict[int, str]:
    """cell -> the category with most incidents in ``[start, end)`` (when it had none
    then: in ``[prev_start, start)``); ties go to the smaller category code."""
    if not cells:
        return {}
    col = _column(res)
    where, params = scope_filter(scope)
    sql = f"""
        SELECT DISTINCT ON (cell) cell, category_code FROM (
            SELECT {col} AS cell, i.category_code,
                   count(*) FILTER (WHERE i.occurred_at >= :start) AS n,
                   count(*) FILTER (WHERE i.occurred_at < :start) AS p
            FROM incident i
            WHERE {col} = ANY(:cells) AND i.occurred_at >= :prev_start
              AND i.occurred_at < :end AND {COUNTED} {where}
            GROUP BY 1, 2
        ) x
        ORDER BY cell, n DESC, p DESC, category_code
    """
    rows = session.execute(
        text(sql),
        {"cells": cells, "prev_start": prev_start, "start": start, "end": end, **params},
    )
    return {int(cell): str(code) for cell, code in rows}


def grid_names_at(
    session: Session, points: list[tuple[float, float]], scope: str | None
) -> list[str | None]:
    """The name of the grid (inside ``scope``) containing each ``(lon, lat)``, or None."""
    if not points:
        return []
    sql = """
        SELECT u.ord, g.name
        FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY
             AS u(lon, lat, ord)
        LEFT JOIN LATERAL (
            SELECT a.name FROM area a
            WHERE a.level = 'grid' AND a.code LIKE :scope
              AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326))
            ORDER BY a.code LIMIT 1
        ) g ON true
        ORDER BY u.ord
    """
    rows = session.execute(
        text(sql),
        {
            "lons": [p[0] for p in points],
            "lats": [p[1] for p in points],
            "scope": (scope or "") + "%",
        },
    )
    return [None if name is None else str(name) for _, name in rows]


def busiest_grids(
    session: Session,
    *,
    cells: list[int],
    scope: str | None,
    res: int,
    since: datetime,
    end: datetime,
) -> dict[int, str]:
    """cell -> the name of the grid (inside ``scope``) with most of the cell's incidents
    in ``[since, end)``; ties go to the smaller grid code."""
    if not cells:
        return {}
    col = _column(res)
    where, params = scope_filter(scope)
    sql = f"""
        SELECT DISTINCT ON (cell) cell, name FROM (
            SELECT {col} AS cell, g.code, g.name, count(*) AS n
            FROM incident i JOIN area g ON g.id = i.grid_id
            WHERE {col} = ANY(:cells) AND i.occurred_at >= :since
              AND i.occurred_at < :end AND {COUNTED} {where}
            GROUP BY 1, 2, 3
        ) x
        ORDER BY cell, n DESC, code
    """
    rows = session.execute(text(sql), {"cells": cells, "since": since, "end": end, **params})
    return {int(cell): str(name) for cell, name in rows}
