"""Counts of the reverse cross-check (逆向倒查, ``governance/crosscheck.py``): reports of the
grid's own channel against the external channels, per H3 cell (resolution 8) x category
and per grid x category, in a period and an area (a code prefix)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
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
class Table:
    """Rows of counts as NumPy columns (aligned, in a stable order: place, category);
    :meth:`row` gives one as the tuple of ``columns``."""

    columns: tuple[str, ...]
    data: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.data[self.columns[0]])

    def __getitem__(self, column: str) -> np.ndarray:
        return self.data[column]

    def row(self, k: int) -> tuple:
        return tuple(self.data[c][k].item() if self.data[c].dtype != object else self.data[c][k]
                     for c in self.columns)  # fmt: skip

    def rows(self) -> list[tuple]:
        return [self.row(k) for k in range(len(self))]

    def where(self, mask: np.ndarray) -> Table:
        return Table(self.columns, {c: v[mask] for c, v in self.data.items()})


CELL_COLUMNS: Final = ("cell", "category", "own", "external")
GRID_COLUMNS: Final = ("gid", "code", "name", "category", "own", "external")
OWN_COLUMNS: Final = ("gid", "code", "name", "timely", "category", "own", "rejected")


@dataclass(frozen=True)
class Counts:
    """The counts of one period, as the tests of ``governance/crosscheck_stats`` take them
    (each row ends in category, x, n-or-other)."""

    cells: Table  # CELL_COLUMNS: per H3 cell (resolution 8) x category
    grids: Table  # GRID_COLUMNS: per grid x category
    own: Table  # OWN_COLUMNS: per grid x category with own reports


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

    One scan of the incidents of all periods (``GROUPING SETS``, hashed), so the use
    case's period and the previous one cost one index range scan, not six; each period's
    groups come back as arrays in one row per grouping set (no row per group through the
    driver: 200,000 groups for 1M incidents)."""
    bounds = [p[0] for p in periods] + [periods[-1][1]]
    without_jit(s)
    with_work_mem(s, WORK_MEM_MB)  # both grouping sets hashed in memory, no sort on disk
    params = {
        **_params(prefix, bounds[0], bounds[-1], external),
        "edges": [b.timestamp() for b in bounds[:-1]],
        "timely": timely_minutes,
    }
    rows = s.execute(
        text(
            "WITH r AS (SELECT width_bucket(CAST(extract(epoch FROM i.occurred_at) AS float8), "
            "CAST(:edges AS float8[])) AS k, i.h3_8 AS cell, i.grid_id AS gid, "
            "i.category_code AS cat, i.source = ANY(CAST(:own AS text[])) AS is_own, "
            "i.source = ANY(CAST(:ext AS text[])) AS is_ext, i.status = 'rejected' AS rej, "
            "i.reported_at - i.occurred_at <= make_interval(mins => :timely) AS timely "
            "FROM incident i WHERE i.grid_id IN (SELECT id FROM area WHERE code LIKE :prefix) "
            "AND i.occurred_at >= :start AND i.occurred_at < :end AND i.status <> 'merged'), "
            "g AS (SELECT k, GROUPING(cell) AS by_grid, cell, gid, cat, "
            "count(*) FILTER (WHERE is_own) AS own, count(*) FILTER (WHERE is_ext) AS ext, "
            "count(*) FILTER (WHERE is_own AND rej) AS rej, "
            "count(*) FILTER (WHERE is_own AND timely) AS timely FROM r "
            "GROUP BY GROUPING SETS ((k, cell, cat), (k, gid, cat))) "
            "SELECT k, by_grid, array_agg(coalesce(cell, gid)), array_agg(cat), "
            "array_agg(own), array_agg(ext), array_agg(rej), array_agg(timely) "
            "FROM g GROUP BY k, by_grid"
        ),
        params,
    ).all()
    names = dict(
        (int(i), (c, n))
        for i, c, n in s.execute(
            text("SELECT id, code, name FROM area WHERE level = 'grid' AND code LIKE :prefix"),
            params,
        ).all()
    )
    empty = {"place": np.zeros(0, np.int64), "cat": np.zeros(0, object)}
    got: dict[tuple[int, int], dict[str, np.ndarray]] = {}
    for k, by_grid, place, cat, own, ext, rej, timely in rows:
        got[(int(k), int(by_grid))] = {
            "place": np.asarray(place, dtype=np.int64),
            "cat": np.asarray(cat, dtype=object),
            "own": np.asarray(own, dtype=np.int64),
            "ext": np.asarray(ext, dtype=np.int64),
            "rej": np.asarray(rej, dtype=np.int64),
            "timely": np.asarray(timely, dtype=np.int64),
        }
    out = []
    for k in range(1, len(periods) + 1):
        cells = _ordered(got.get((k, 0), empty), None)
        grids = _ordered(got.get((k, 1), empty), names)
        grid_table = Table(GRID_COLUMNS, {
            "gid": grids["place"], "code": grids["code"], "name": grids["name"],
            "category": grids["cat"], "own": grids["own"], "external": grids["ext"],
        })  # fmt: skip
        own_table = Table(OWN_COLUMNS, {
            "gid": grids["place"], "code": grids["code"], "name": grids["name"],
            "timely": grids["timely"], "category": grids["cat"], "own": grids["own"],
            "rejected": grids["rej"],
        }).where(grids["own"] > 0)  # fmt: skip
        cell_table = Table(CELL_COLUMNS, {
            "cell": cells["place"], "category": cells["cat"], "own": cells["own"],
            "external": cells["ext"],
        })  # fmt: skip
        out.append(Counts(cell_table, grid_table, own_table))
    return out


def _ordered(
    cols: dict[str, np.ndarray], names: dict[int, tuple[str, str]] | None
) -> dict[str, np.ndarray]:
    """The columns in a stable order (grids by code, cells by index; then category), with
    each grid's code and name when ``names`` is given."""
    n = len(cols["place"])
    full = {c: cols.get(c, np.zeros(n, np.int64)) for c in ("own", "ext", "rej", "timely")}
    full |= {"place": cols["place"], "cat": cols["cat"]}
    if names is not None:
        full["code"] = np.array([names[int(g)][0] for g in full["place"]], dtype=object)
        full["name"] = np.array([names[int(g)][1] for g in full["place"]], dtype=object)
        key = full["code"]
    else:
        key = full["place"]
    order = np.lexsort((full["cat"].astype(str), key.astype(str) if key.dtype == object else key))
    return {c: v[order] for c, v in full.items()}


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
