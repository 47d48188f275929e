"""Counts of the reverse cross-check (逆向倒查, ``governance/crosscheck.py``): reports of the
grid's own channel against the external channels, per H3 cell (resolution 8) x category
and per grid x category, in a period and an area (a code prefix)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries.planner import with_work_mem, without_jit

WORK_MEM_MB: Final = 256  # ~90 MB of hash tables for 1M incidents over 180 days
OWN: Final = ("grid", "patrol")  # the grid's own eyes: grid reports, patrol findings
RESIDENTS: Final = ("hotline_12345", "police_110", "public")  # what people tell others
SENSORS: Final = ("iot",)
EXTERNAL: Final = RESIDENTS + SENSORS
_COUNTS: Final = (
    "count(*) FILTER (WHERE i.source = ANY(CAST(:own AS text[]))) AS own, "
    "count(*) FILTER (WHERE i.source = ANY(CAST(:ext AS text[]))) AS external"
)


def _params(
    prefix: str, start: datetime, end: datetime, external: Sequence[str]
) -> dict[str, object]:
    return {
        "prefix": prefix + "%",
        "start": start,
        "end": end,
        "own": list(OWN),
        "ext": list(external),
    }


@dataclass(frozen=True)
class Counts:
    """The counts of one period, as the tests of ``governance/crosscheck_stats`` take them:
    each row ends in (category, x, n-or-other), see the fields."""

    cells: list[tuple]  # (h3_8 cell, category, own, external)
    grids: list[tuple]  # (grid id, grid code, grid name, category, own, external)
    own: list[tuple]  # (grid id, code, name, timely, category, own, rejected): own > 0


def counts(
    s: Session,
    prefix: str,
    periods: Sequence[tuple[datetime, datetime]],
    external: Sequence[str] = EXTERNAL,
    timely_minutes: int = 60,
) -> list[Counts]:
    """The counts of each of ``periods`` (adjacent half-open ``[start, end)``, in time
    order) of incidents that occurred in grids whose code starts with ``prefix`` ("" for
    the whole city), merged duplicates left out: per H3 cell (resolution 8) x category and
    per grid x category, the grid's own reports and those of the ``external`` channels;
    and per grid x category with own reports, how many were reported within
    ``timely_minutes`` of the occurrence and how many were rejected at triage.

    One scan of the incidents of all periods (``GROUPING SETS``), so the use case's
    period and the previous one cost one index range scan, not six."""
    bounds = [p[0] for p in periods] + [periods[-1][1]]
    without_jit(s)
    with_work_mem(s, WORK_MEM_MB)  # both grouping sets hashed in memory, no sort on disk
    rows = s.execute(
        text(
            "SELECT width_bucket(CAST(extract(epoch FROM i.occurred_at) AS float8), "
            f"CAST(:edges AS float8[])) AS k, GROUPING(i.h3_8) AS by_grid, i.h3_8, "
            f"g.id, g.code, g.name, i.category_code, {_COUNTS}, "
            "count(*) FILTER (WHERE i.source = ANY(CAST(:own AS text[])) "
            "AND i.status = 'rejected') AS rejected, "
            "count(*) FILTER (WHERE i.source = ANY(CAST(:own AS text[])) "
            "AND i.reported_at - i.occurred_at <= make_interval(mins => :timely)) AS timely "
            "FROM incident i JOIN area g ON g.id = i.grid_id WHERE g.code LIKE :prefix "
            "AND i.occurred_at >= :start AND i.occurred_at < :end AND i.status <> 'merged' "
            "GROUP BY GROUPING SETS ((1, i.h3_8, i.category_code), "
            "(1, g.id, g.code, g.name, i.category_code))"
        ),
        {
            **_params(prefix, bounds[0], bounds[-1], external),
            "edges": [b.timestamp() for b in bounds[:-1]],
            "timely": timely_minutes,
        },
    ).all()
    out = [Counts([], [], []) for _ in periods]
    for k, by_grid, cell, gid, code, name, cat, own, ext, rejected, timely in rows:
        c = out[int(k) - 1]
        if by_grid:  # the (grid, category) set: h3_8 is aggregated away
            c.grids.append((gid, code, name, cat, own, ext))
            if own:
                c.own.append((gid, code, name, timely, cat, own, rejected))
        else:
            c.cells.append((cell, cat, own, ext))
    for c in out:  # a stable order for the caller (ties in q keep it): place, category
        c.cells.sort(key=lambda r: (r[0], r[1]))
        c.grids.sort(key=lambda r: (r[1], r[3]))
        c.own.sort(key=lambda r: (r[1], r[4]))
    return out


def external_cases(
    s: Session,
    prefix: str,
    start: datetime,
    end: datetime,
    category: str,
    external: Sequence[str],
    *,
    cell: int | None = None,
    limit: int = 50,
) -> list[tuple]:
    """(id, source, occurred_at, status) of the external reports of one blind spot (a grid
    by its code ``prefix``, or an H3 cell inside the area ``prefix``), newest first."""
    where = " AND i.h3_8 = :cell" if cell is not None else ""
    return [
        tuple(r)
        for r in s.execute(
            text(
                "SELECT i.id, i.source, i.occurred_at, i.status FROM incident i "
                "JOIN area g ON g.id = i.grid_id WHERE g.code LIKE :prefix "
                "AND i.occurred_at >= :start AND i.occurred_at < :end AND i.status <> 'merged' "
                f"AND i.category_code = :category AND i.source = ANY(CAST(:ext AS text[])){where} "
                "ORDER BY i.occurred_at DESC, i.id DESC LIMIT :limit"
            ),
            {**_params(prefix, start, end, external), "category": category, "cell": cell,
             "limit": limit},
        ).all()
    ]  # fmt: skip


def outlines(s: Session, prefix: str, codes: Sequence[str]) -> list[dict[str, object]]:
    """GeoJSON features (simplified to ~1 m, 6 decimals) of the grids ``codes`` under
    ``prefix``, with their code and name: the frame of the blind-spot cells."""
    if not codes:
        return []
    rows = s.execute(
        text(
            "SELECT code, name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00001), 6) "
            "FROM area WHERE level = 'grid' AND code = ANY(CAST(:codes AS text[])) "
            "AND code LIKE :prefix ORDER BY code"
        ),
        {"codes": list(codes), "prefix": prefix + "%"},
    ).all()
    return [
        {
            "type": "Feature",
            "geometry": json.loads(geom),
            "properties": {"code": code, "name": name, "tooltip": f"{name} ({code})"},
        }
        for code, name, geom in rows
    ]
