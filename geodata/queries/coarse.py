"""Density and clusters from the coarse rollup (migration 0028_coarse_rollup); its check,
compaction and rebuild.

``incident_rollup`` (0024) holds about one incident per row, so at 10M incidents a
city-wide year still read millions of rows. ``incident_coarse`` counts each of the
resolutions 6, 7 and 8 separately, per street code prefix and per bucket of ``2^lvl``
local days (aligned on 1970-01-01): a window's whole days are at most two buckets per
level, and a bucket holds at most the cells that had incidents in it, so what a request
reads stops growing once the cells are saturated. Per-statement deltas wait in
``incident_coarse_delta`` until ``incident_coarse_compact()`` folds them in; readers add
the deltas of their days.

The answer is the raw answer, exactly (same cases, same ``geom && viewport`` semantics):
a cell whose selected rows (rows and deltas) all have boxes inside the viewport is summed
from them; rows whose box lies farther than :data:`MARGIN` outside it hold no point that
passes PostGIS's test (which rounds both boxes outward to float4, by ~1e-5 degree at
most); a cell with any other row (across an edge, or just outside it) is counted from
``incident`` for the whole days (an index range on ``(h3_r, occurred_at)`` per such
cell); the window's partial days are read raw. This holds because every point ever added
to or removed from a row lies in its box (``x0, y0, x1, y1``: boxes only grow; a removal's
delta carries the removed point's box), and a point inside the viewport in doubles passes
the float4 test too.

Requests this cannot answer go to 0024's path (:func:`geodata.queries.rollup.h3_counts`)
or to the raw query: category or source filters, the urgency filter, an area scope finer
than a street, resolutions 9 and 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import case_state, counters
from geodata.queries.layers import SCOPED_GRIDS, IncidentWhere, _bbox_params, _scope_params
from geodata.queries.layers import h3_counts as raw_h3_counts
from geodata.queries.rollup import TZ, Drift, local_midnight, whole_days
from geodata.queries.rollup import h3_counts as fine_h3_counts

RES: Final = (6, 7, 8)
MARGIN: Final = 1e-4  # degrees; > PostGIS's float4 rounding of a box (~1.5e-5 at 180)
LEVELS: Final = 10  # buckets of 1, 2, 4, ..., 512 local days
EPOCH: Final = date(1970, 1, 1)
STREET_DIGITS: Final = 9  # the street's code prefix (governance.access.LEVEL_DIGITS)
KEY: Final = "res, lvl, bucket, cell, street"
DKEY: Final = "res, day, cell, street"
BOX: Final = "x0, y0, x1, y1"


def buckets(first: date, stop: date) -> list[tuple[int, int]]:
    """``[(lvl, bucket), ...]``: the aligned buckets that exactly tile the local days
    ``first <= day < stop``, greedily the largest (at most two per level)."""
    a, b = (first - EPOCH).days, (stop - EPOCH).days
    out = []
    while a < b:
        lvl = 0
        while lvl + 1 < LEVELS and a % (1 << (lvl + 1)) == 0 and a + (1 << (lvl + 1)) <= b:
            lvl += 1
        out.append((lvl, a >> lvl))
        a += 1 << lvl
    return out


def bucket_days(lvl: int, bucket: int) -> tuple[date, date]:
    """The local days ``[first, stop)`` of a bucket."""
    first = EPOCH + timedelta(days=bucket << lvl)
    return first, first + timedelta(days=1 << lvl)


def serves(where: IncidentWhere, res: int) -> bool:
    """Can the coarse rollup answer this request (else 0024's path or the raw query)?"""
    return (
        res in RES
        and not where.categories
        and not where.sources
        and not where.urgency
        and (where.scope is None or len(where.scope) <= STREET_DIGITS)
    )


def _deltas(rows: str, where: str = "TRUE") -> str:
    """Per-resolution rows ``(res, day, cell, street, dn, dx, dy, px, py)`` of counted
    incident rows ``rows`` and their points ``px, py`` (the triggers' expression,
    migration 0028)."""
    values = ", ".join(f"({r}::smallint, a.h3_{r})" for r in RES)
    return f"""
    SELECT v.res, (a.occurred_at AT TIME ZONE '{TZ}')::date AS day, v.cell,
           coalesce(left(g.code, {STREET_DIGITS}), '') AS street, 1 AS dn,
           ST_X(a.geom)::numeric AS dx, ST_Y(a.geom)::numeric AS dy,
           ST_X(a.geom) AS px, ST_Y(a.geom) AS py
    FROM {rows} a LEFT JOIN area g ON g.id = a.grid_id
    CROSS JOIN LATERAL (VALUES {values}) v(res, cell)
    WHERE {case_state.counted("a.status")} AND ({where})"""


def _inside(a: str) -> str:
    """Row ``a``'s box lies inside the viewport (in doubles): each of its points passes."""
    return f"({a}.x0 >= :minlon AND {a}.x1 <= :maxlon AND {a}.y0 >= :minlat AND {a}.y1 <= :maxlat)"


def _near(a: str) -> str:
    """Row ``a``'s box comes within :data:`MARGIN` of the viewport (else none of its points
    can pass the point test)."""
    return (
        f"({a}.x1 >= :minlon - :margin AND {a}.x0 <= :maxlon + :margin "
        f"AND {a}.y1 >= :minlat - :margin AND {a}.y0 <= :maxlat + :margin)"
    )


def _raw(sign: int, centroids: bool) -> str:
    """Count (and coordinate sums) of raw rows, times ``sign``: float sums (a numeric per
    point costs ~10 us), made numeric per cell."""
    if not centroids:
        return f"({sign} * count(*))::integer, 0, 0"
    return (
        f"({sign} * count(*))::integer, ({sign} * sum(ST_X(i.geom)))::numeric, "
        f"({sign} * sum(ST_Y(i.geom)))::numeric"
    )


def _span(where: IncidentWhere, first: date, stop: date) -> tuple[date, date]:
    """The local days ``[lo, hi)`` read from the rollup for the window, whose whole days
    are ``[first, stop)``. A partial day at either end is read raw, either its part in the
    window (added) or, when that is the larger part, the whole day from the rollup less
    its part outside the window (taken off): a rolling window ending now takes today whole
    and takes off the rows after now (normally none) instead of reading today's rows."""
    lo, hi = first, stop
    day = timedelta(days=1)
    if where.start < local_midnight(first):  # starts mid-day, on the day before ``first``
        inside = local_midnight(first) - where.start
        if where.start - local_midnight(first - day) < inside:
            lo = first - day
    if where.end > local_midnight(stop):  # ends mid-day, on day ``stop``
        outside = local_midnight(stop + day) - where.end
        # a window ending about now ("30 d"): what comes after it is what arrived since
        recent = where.end + timedelta(hours=1) >= (where.now or datetime.now(UTC))
        if recent or outside < where.end - local_midnight(stop):
            hi = stop + day
    return lo, hi


def cell_counts(
    session: Session,
    bbox: Sequence[float],
    where: IncidentWhere,
    res: int,
    limit: int,
    centroids: bool = True,
) -> list[tuple[int, int, float, float]] | None:
    """``[(cell, count, mean lon, mean lat), ...]`` largest first, at most ``limit``: the
    rows of :func:`geodata.queries.layers.h3_counts` with centroids (the mean to ~1e-12
    degree: exact sums, another order of rounding); None when :func:`serves` says no or
    the window holds no whole local day (the caller takes another path). Without
    ``centroids`` the means are 0 (density: the raw rows' coordinates are not summed)."""
    built = _cell_counts_sql(bbox, where, res, centroids)
    if built is None:
        return None
    sql, params = built
    full = f"""
        SELECT cell, n::bigint, (sx / n)::float8, (sy / n)::float8 FROM ({sql}) c
        WHERE n > 0
        ORDER BY n DESC, cell
        LIMIT :limit
    """
    return [
        (int(c), int(n), float(x), float(y))
        for c, n, x, y in session.execute(text(full), {**params, "limit": limit})
    ]


def _cell_counts_sql(
    bbox: Sequence[float], where: IncidentWhere, res: int, centroids: bool = True
) -> tuple[str, dict[str, object]] | None:
    """The statement behind :func:`cell_counts` (``(sql, params)``, None as there): rows
    ``cell, n, sx, sy`` (zero counts included), one per cell."""
    days = whole_days(where.start, where.end) if serves(where, res) else None
    if days is None:
        return None
    lo, hi = _span(where, *days)
    tiles = buckets(lo, hi)
    scope = "AND {a}.street LIKE :scope" if where.scope else ""
    anywhen = where.sql(window=False)
    params: dict[str, object] = {
        **where.params(),
        **_bbox_params(bbox),
        "res": res,
        "lvls": [lv for lv, _ in tiles],
        "buckets": [bk for _, bk in tiles],
        "first": lo,
        "stop": hi,
        "t_lo": local_midnight(lo),
        "t_hi": local_midnight(hi),
        "margin": MARGIN,
    }
    # the window's ends: [start, lo) added or [lo, start) taken off, the same at the end
    ends = []
    for k, (a, b) in enumerate(
        ((where.start, local_midnight(lo)), (local_midnight(hi), where.end))
    ):
        if a == b:
            continue
        sign = 1 if a < b else -1
        params[f"a{k}"], params[f"b{k}"] = min(a, b), max(a, b)
        ends.append(f"""
            UNION ALL
            SELECT i.h3_{res}, {_raw(sign, centroids)} FROM incident i
            WHERE i.occurred_at >= :a{k} AND i.occurred_at < :b{k} AND {anywhen}
            GROUP BY 1""")
    # one pass over the selected rows: per cell, the sums and whether every row's box
    # lies inside the viewport (then the sums are the answer; else the cell is read raw)
    sums = "sum(s.sx) AS sx, sum(s.sy) AS sy" if centroids else "0 AS sx, 0 AS sy"
    cols = "n, sx, sy" if centroids else "n"
    sql = f"""
        WITH agg AS MATERIALIZED (
            SELECT s.cell, sum(s.n)::integer AS n, {sums}, bool_and(s.inside) AS whole
            FROM (
                SELECT r.cell, {", ".join(f"r.{c}" for c in cols.split(", "))},
                       {_inside("r")} AS inside
                FROM unnest(CAST(:lvls AS smallint[]), CAST(:buckets AS integer[]))
                     b(lvl, bucket)
                JOIN incident_coarse r ON r.res = :res AND r.lvl = b.lvl AND r.bucket = b.bucket
                WHERE {_near("r")} {scope.format(a="r")}
                UNION ALL
                SELECT d.cell, {", ".join(f"d.{c}" for c in cols.split(", "))}, {_inside("d")}
                FROM incident_coarse_delta d
                WHERE d.res = :res AND d.day >= :first AND d.day < :stop
                  AND {_near("d")} {scope.format(a="d")}
            ) s
            GROUP BY s.cell
        )
        SELECT cell, sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy
        FROM (
            SELECT cell, n, sx, sy FROM agg WHERE whole
            UNION ALL
            SELECT i.h3_{res}, {_raw(1, centroids)}
            FROM agg e JOIN incident i ON i.h3_{res} = e.cell
            WHERE NOT e.whole
              AND i.occurred_at >= :t_lo AND i.occurred_at < :t_hi AND {anywhen}
            GROUP BY 1
            {"".join(ends)}
        ) p
        GROUP BY cell
    """
    return sql, params


def period_counts_sql(
    scope: str | None,
    res: int,
    periods: Sequence[tuple[datetime, datetime]],
    now: datetime,
) -> tuple[str, dict[str, object]] | None:
    """Rows ``cell, n0, n1, ...`` (``bigint``, zeros included): each cell's counted
    incidents in each period ``[a, b)``, anywhere (no viewport), in the area scope, read
    in one pass over the rows of every period's buckets and pending deltas, each period's
    partial days from the cases (added, or taken off a day read whole). None where the
    rollup does not serve (a resolution it does not hold, a community or grid scope) or a
    period holds no whole local day. With no viewport there is no edge to test: each row
    is summed whole (the hot cells of the wall; :func:`cell_counts` with the world as
    its viewport read each period apart and tested every row's box)."""
    if not periods or not serves(IncidentWhere(start=now, end=now, scope=scope), res):
        return None
    params: dict[str, object] = {"res": res, **_scope_params(scope)}
    in_scope = "AND {a}.street LIKE :scope" if scope else ""
    raw_scope = f"AND i.grid_id IN {SCOPED_GRIDS}" if scope else ""
    tags: list[int] = []
    lvls: list[int] = []
    bks: list[int] = []
    parts: list[str] = []
    for p, (a, b) in enumerate(periods):
        days = whole_days(a, b)
        if days is None:
            return None
        lo, hi = _span(IncidentWhere(start=a, end=b, scope=scope, now=now), *days)
        for lv, bk in buckets(lo, hi):
            tags.append(p)
            lvls.append(lv)
            bks.append(bk)
        params[f"first{p}"], params[f"stop{p}"] = lo, hi
        parts.append(f"""
            SELECT {p}, d.cell, d.n FROM incident_coarse_delta d
            WHERE d.res = :res AND d.day >= :first{p} AND d.day < :stop{p}
              {in_scope.format(a="d")}""")
        for k, (x, y) in enumerate(((a, local_midnight(lo)), (local_midnight(hi), b))):
            if x == y:
                continue
            sign = 1 if x < y else -1
            params[f"a{p}_{k}"], params[f"b{p}_{k}"] = min(x, y), max(x, y)
            parts.append(f"""
                SELECT {p}, i.h3_{res}, ({sign} * count(*))::integer FROM incident i
                WHERE i.occurred_at >= :a{p}_{k} AND i.occurred_at < :b{p}_{k}
                  AND {case_state.counted()} {raw_scope}
                GROUP BY 2""")
    params |= {"ptags": tags, "plvls": lvls, "pbuckets": bks}
    sums = ", ".join(
        f"coalesce(sum(u.n) FILTER (WHERE u.p = {p}), 0)::bigint AS n{p}"
        for p in range(len(periods))
    )
    rows = f"""
        SELECT b.p, r.cell, r.n
        FROM unnest(CAST(:ptags AS integer[]), CAST(:plvls AS smallint[]),
                    CAST(:pbuckets AS integer[])) b(p, lvl, bucket)
        JOIN incident_coarse r ON r.res = :res AND r.lvl = b.lvl AND r.bucket = b.bucket
        {in_scope.format(a="r")}"""
    sql = f"""
        SELECT u.cell, {sums}
        FROM ({" UNION ALL ".join([rows, *parts])}) u(p, cell, n)
        GROUP BY u.cell
    """
    return sql, params


# -- maintenance ------------------------------------------------------------------------


COMPACT_LOCK: Final = 1_700_028  # migration 0028's advisory lock of the compaction


def compact(session: Session, wait: bool = True) -> int | None:
    """Fold the committed deltas into the rows; returns the rows written, or None when
    another compaction holds the lock and ``wait`` is false (the sweep then skips)."""
    return counters.compact(session, COMPACT_LOCK, "incident_coarse_compact", wait)


def rebuild(session: Session) -> int:
    """Recompute the coarse rollup from ``incident`` in the caller's transaction (writers
    of incidents wait); returns its row count. Level 0 in one scan, each level from the
    one below."""
    session.execute(text("LOCK TABLE incident IN SHARE MODE"))
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": COMPACT_LOCK})
    session.execute(text("TRUNCATE incident_coarse, incident_coarse_delta"))
    total = session.execute(
        text(f"""
        INSERT INTO incident_coarse ({KEY}, n, sx, sy, {BOX})
        SELECT res, 0, day - DATE '1970-01-01', cell, street, count(*), sum(dx), sum(dy),
               min(px), min(py), max(px), max(py)
        FROM ({_deltas("incident")}) d
        GROUP BY res, day, cell, street ORDER BY res, day, cell, street""")
    ).rowcount  # type: ignore[attr-defined]
    for lvl in range(1, LEVELS):
        total += session.execute(
            text(f"""
            INSERT INTO incident_coarse ({KEY}, n, sx, sy, {BOX})
            SELECT res, {lvl}, bucket >> 1, cell, street, sum(n), sum(sx), sum(sy),
                   min(x0), min(y0), max(x1), max(y1)
            FROM incident_coarse WHERE lvl = {lvl - 1}
            GROUP BY res, bucket >> 1, cell, street ORDER BY res, bucket >> 1, cell, street""")
        ).rowcount  # type: ignore[attr-defined]
    session.execute(text("ANALYZE incident_coarse"))
    return int(total or 0)


def check(session: Session) -> Drift:
    """Compare every level of the rollup (rows plus pending deltas) with a direct
    ``GROUP BY`` of the counted incidents: keys whose count or coordinate sums differ,
    and counted points outside their rows' boxes (:class:`geodata.queries.rollup.Drift`)."""
    levels = f"generate_series(0, {LEVELS - 1})"
    truth = f"""
        SELECT d.res, l.lvl, (d.day - DATE '1970-01-01') >> l.lvl AS bucket, d.cell,
               d.street, count(*) AS n, sum(d.dx) AS sx, sum(d.dy) AS sy
        FROM ({_deltas("incident")}) d CROSS JOIN {levels} l(lvl)
        GROUP BY 1, 2, 3, 4, 5"""
    kept = f"""
        SELECT res, lvl, bucket, cell, street, sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy
        FROM (SELECT {KEY}, n, sx, sy FROM incident_coarse
              UNION ALL
              SELECT d.res, l.lvl, (d.day - DATE '1970-01-01') >> l.lvl, d.cell, d.street,
                     d.n, d.sx, d.sy
              FROM incident_coarse_delta d CROSS JOIN {levels} l(lvl)) u
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(sx) <> 0 OR sum(sy) <> 0"""
    rows = session.execute(
        text(f"""
        SELECT CAST(ROW(coalesce(t.res, k.res), coalesce(t.lvl, k.lvl),
                        coalesce(t.bucket, k.bucket), coalesce(t.cell, k.cell),
                        coalesce(t.street, k.street)) AS text), k.n, t.n
        FROM ({truth}) t FULL JOIN ({kept}) k
          ON (k.res, k.lvl, k.bucket, k.cell, k.street) = (t.res, t.lvl, t.bucket, t.cell, t.street)
        WHERE (t.n, t.sx, t.sy) IS DISTINCT FROM (k.n, k.sx, k.sy)
        ORDER BY 1""")
    ).all()
    uncovered = session.execute(
        text(f"""
        SELECT count(*) FROM ({_deltas("incident")}) d
        CROSS JOIN {levels} l(lvl)
        WHERE NOT EXISTS (
            SELECT 1 FROM incident_coarse r
            WHERE (r.res, r.lvl, r.bucket, r.cell, r.street)
                = (d.res, l.lvl, (d.day - DATE '1970-01-01') >> l.lvl, d.cell, d.street)
              AND d.px BETWEEN r.x0 AND r.x1 AND d.py BETWEEN r.y0 AND r.y1)
          AND NOT EXISTS (
            SELECT 1 FROM incident_coarse_delta x
            WHERE (x.res, x.day, x.cell, x.street) = (d.res, d.day, d.cell, d.street)
              AND d.px BETWEEN x.x0 AND x.x1 AND d.py BETWEEN x.y0 AND x.y1)""")
    ).scalar_one()
    examples = tuple(
        (str(k), None if a is None else int(a), None if b is None else int(b))
        for k, a, b in rows[:5]
    )
    return Drift(len(rows), int(uncovered), examples)


# -- the layers' entry points -----------------------------------------------------------


def h3_counts(
    session: Session, bbox: Sequence[float], where: IncidentWhere, res: int, limit: int
) -> list[tuple[int, int]]:
    """Density ``[(cell, count), ...]`` largest first: from the coarse rollup where it
    serves the request, else from 0024's rollup (which falls back to the raw query)."""
    rows = cell_counts(session, bbox, where, res, limit, centroids=False)
    if rows is None:
        return fine_h3_counts(session, bbox, where, res, limit)
    return [(c, n) for c, n, _, _ in rows]


def clusters(
    session: Session, bbox: Sequence[float], where: IncidentWhere, res: int, limit: int
) -> list[tuple]:
    """The incidents layer's clusters ``[(cell, count, lon, lat), ...]``: from the coarse
    rollup where it serves the request, else the raw query."""
    rows = cell_counts(session, bbox, where, res, limit)
    if rows is None:
        return raw_h3_counts(session, bbox, where, res, limit, with_centroid=True)
    return list(rows)
