"""Density from the incident rollup (migration 0024_incident_rollup), its check and rebuild.

Counting raw rows made city-wide density grow with the table (issue 17: 0.47 s at 1M
incidents, 2.83 s at 7M for a year). ``incident_rollup`` holds exact counts per local day
x H3 cells x category x source x grid, kept by statement-level triggers, so a window's
whole days are summed from it and only its two partial days (a rolling "30 d" window
starts and ends mid-day) are read from ``incident``.

The answer is the raw answer, exactly: the same counted cases, the same filters and the
same viewport semantics (``geom && viewport``, PostGIS's box test). A rollup row is taken
whole when the viewport contains its ``extent`` (a box around all of its points, so all of
them pass the point test: both tests compare the same outward-rounded float boxes); a row
whose extent only overlaps the viewport counts its key's raw rows in the viewport (an
index probe on ``(h3_10, occurred_at)``); a row whose extent misses the viewport has no
point in it. The map's urgency filter (open cases whatever their date) and the cluster
centroids keep the raw query (:func:`geodata.queries.layers.h3_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.models import H3_RESOLUTIONS
from geodata.queries import case_state
from geodata.queries.layers import ENVELOPE, IncidentWhere, _bbox_params
from geodata.queries.layers import h3_counts as raw_h3_counts

TZ: Final = "Asia/Shanghai"  # the rollup's days (the triggers' literal, migration 0024)
LOCAL: Final = ZoneInfo(TZ)
KEY: Final = ("day", "h3_10", "h3_9", "h3_8", "h3_7", "h3_6", "category_code", "source", "grid_id")


def raw_key(alias: str = "i") -> str:
    """The rollup key of incident rows ``alias``, in :data:`KEY` order."""
    a = alias
    return (
        f"({a}.occurred_at AT TIME ZONE '{TZ}')::date, {a}.h3_10, {a}.h3_9, {a}.h3_8, "
        f"{a}.h3_7, {a}.h3_6, {a}.category_code, {a}.source, coalesce({a}.grid_id, 0)"
    )


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL)


def whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """``(first, stop)``: the local days lying wholly inside ``[start, end)`` are
    ``first <= day < stop``; None when there is none. ``start``/``end`` are aware."""
    ls = start.astimezone(LOCAL)
    first = ls.date() if ls.time() == time(0) else ls.date() + timedelta(days=1)
    stop = end.astimezone(LOCAL).date()
    return (first, stop) if first < stop else None


def _edge(x0: str, y0: str, x1: str, y1: str) -> str:
    return f"r.extent && ST_SetSRID(ST_MakeLine(ST_MakePoint({x0}, {y0}), ST_MakePoint({x1}, {y1})), 4326)"


# A box that overlaps the viewport without lying inside it crosses one of its four edges:
# these find the few such rows on the extent's GiST index instead of testing every row.
EDGES: Final = " OR ".join(
    (
        _edge(":minlon", ":minlat", ":minlon", ":maxlat"),
        _edge(":maxlon", ":minlat", ":maxlon", ":maxlat"),
        _edge(":minlon", ":minlat", ":maxlon", ":minlat"),
        _edge(":minlon", ":maxlat", ":maxlon", ":maxlat"),
    )
)


def _raw_rows_of_key() -> str:
    """The count of the rollup row ``r``'s own raw rows inside the viewport (its extent
    straddles the viewport's edge)."""
    same_key = " AND ".join(
        f"i.{c} = r.{c}" for c in ("h3_9", "h3_8", "h3_7", "h3_6", "category_code", "source")
    )
    return f"""(SELECT count(*) FROM incident i
                WHERE i.h3_10 = r.h3_10
                  AND i.occurred_at >= (r.day::timestamp AT TIME ZONE '{TZ}')
                  AND i.occurred_at < ((r.day + 1)::timestamp AT TIME ZONE '{TZ}')
                  AND {same_key} AND coalesce(i.grid_id, 0) = r.grid_id
                  AND i.geom && {ENVELOPE} AND {case_state.counted("i.status")})"""


def h3_counts(
    session: Session, bbox: Sequence[float], where: IncidentWhere, res: int, limit: int
) -> list[tuple[int, int]]:
    """``[(cell, count), ...]`` largest first, at most ``limit``: the same rows as
    :func:`geodata.queries.layers.h3_counts` (without centroids), from the rollup for the
    window's whole local days and from ``incident`` for the rest."""
    if res not in H3_RESOLUTIONS:
        raise ValueError(f"H3 resolution {res} not stored; stored: {H3_RESOLUTIONS}")
    days = None if where.urgency else whole_days(where.start, where.end)
    if days is None:
        return [(int(c), int(n)) for c, n in raw_h3_counts(session, bbox, where, res, limit)]
    first, stop = days
    key_filters = "".join(f" AND {p}" for p in where.key_sql("r"))
    whole = f"r.day >= :first AND r.day < :stop{key_filters}"
    sql = f"""
        SELECT cell, sum(n)::bigint AS n FROM (
            SELECT r.h3_{res} AS cell,
                   sum(CASE WHEN {ENVELOPE} ~ r.extent THEN r.n ELSE 0 END) AS n
            FROM incident_rollup r
            WHERE {whole} AND r.extent && {ENVELOPE}
            GROUP BY 1
            UNION ALL
            SELECT r.h3_{res}, {_raw_rows_of_key()} FROM incident_rollup r
            WHERE {whole} AND ({EDGES}) AND r.extent && {ENVELOPE} AND NOT {ENVELOPE} ~ r.extent
            UNION ALL
            SELECT i.h3_{res}, count(*) FROM incident i
            WHERE {where.sql()} AND i.occurred_at < :t_first GROUP BY 1
            UNION ALL
            SELECT i.h3_{res}, count(*) FROM incident i
            WHERE {where.sql()} AND i.occurred_at >= :t_stop GROUP BY 1
        ) p
        GROUP BY cell
        HAVING sum(n) > 0
        ORDER BY n DESC, cell
        LIMIT :limit
    """
    params = {
        **where.params(),
        **_bbox_params(bbox),
        "first": first,
        "stop": stop,
        "t_first": local_midnight(first),
        "t_stop": local_midnight(stop),
        "limit": limit,
    }
    return [(int(c), int(n)) for c, n in session.execute(text(sql), params)]


# -- maintenance ------------------------------------------------------------------------


def rebuild(session: Session) -> int:
    """Recompute the rollup from ``incident`` in the caller's transaction; returns its
    row count. For after a load with the triggers disabled, and as a repair; the extents
    come out tight again. Writers of incidents wait (``SHARE`` lock on ``incident``), and
    so do density readers (``TRUNCATE``: a ``DELETE`` would leave the old rows' pages
    behind the new ones, and every later scan would read both); the rows are written in
    day order, so a window's days lie together on disk. ~1 min for 1M incidents."""
    session.execute(text("LOCK TABLE incident IN SHARE MODE"))
    session.execute(text("TRUNCATE incident_rollup"))
    cols = ", ".join(KEY)
    done = session.execute(
        text(f"""
        INSERT INTO incident_rollup ({cols}, n, extent)
        SELECT {raw_key("i")}, count(*), ST_Envelope(ST_Collect(i.geom))
        FROM incident i WHERE {case_state.counted("i.status")}
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9""")
    )
    session.execute(text("ANALYZE incident_rollup"))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Drift:
    """How the rollup differs from a direct ``GROUP BY`` of ``incident``: keys whose
    counts differ (``examples``: up to 5 as ``(key, rollup n, true n)``), and counted
    incidents whose point is not inside their row's extent."""

    keys: int
    uncovered: int
    examples: tuple[tuple[str, int | None, int | None], ...]

    @property
    def exact(self) -> bool:
        return self.keys == 0 and self.uncovered == 0


def check(session: Session) -> Drift:
    """Compare the rollup with a direct ``GROUP BY`` of the counted incidents (one scan
    of each table); exact means equal counts for every key and no row missing on either
    side, and every point within its row's extent."""
    rollup_key = "(" + ", ".join(f"r.{c}" for c in KEY) + ")"
    rows = session.execute(
        text(f"""
        WITH truth AS (SELECT ({raw_key("i")}) AS k, count(*) AS n
                       FROM incident i WHERE {case_state.counted("i.status")} GROUP BY 1),
             kept AS (SELECT {rollup_key} AS k, r.n FROM incident_rollup r)
        SELECT CAST(coalesce(t.k, kept.k) AS text), kept.n, t.n
        FROM truth t FULL JOIN kept ON kept.k = t.k
        WHERE t.n IS DISTINCT FROM kept.n
        ORDER BY 1""")
    ).all()
    uncovered = session.execute(
        text(f"""
        SELECT count(*) FROM incident i
        LEFT JOIN incident_rollup r ON {rollup_key} = ({raw_key("i")})
        WHERE {case_state.counted("i.status")}
          AND (r.extent IS NULL OR NOT r.extent ~ i.geom)""")
    ).scalar_one()
    examples = tuple(
        (str(k), None if a is None else int(a), None if b is None else int(b))
        for k, a, b in rows[:5]
    )
    return Drift(len(rows), int(uncovered), examples)
