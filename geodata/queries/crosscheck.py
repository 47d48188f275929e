"""Counts of the reverse cross-check (逆向倒查, ``governance/crosscheck.py``): reports of the
grid's own channel against the external channels, per H3 cell (resolution 8) x category
and per grid x category, in a period and an area (a code prefix)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.queries import kept
from geodata.queries.planner import with_work_mem

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
    as_of: datetime | None = None  # kept counts: when they were counted; None: just now


KIND: Final = "crosscheck_counts"
# what reading a kept body can raise when it is not what _pack wrote
UNREADABLE: Final = (ValueError, OSError, KeyError, EOFError, zipfile.BadZipFile)


def counts(
    s: Session,
    prefix: str,
    periods: Sequence[tuple[datetime, datetime]],
    external: Sequence[str] = EXTERNAL,
    timely_minutes: int = 60,
    *,
    cells: bool = True,
) -> list[Counts]:
    """The counts of each of ``periods`` (adjacent half-open ``[start, end)``, in time
    order) of incidents that occurred in grids whose code starts with ``prefix`` ("" for
    the whole city), merged duplicates left out: per H3 cell (resolution 8) x category and
    per grid x category, the grid's own reports and those of the ``external`` channels;
    and per grid x category with own reports, how many were reported within
    ``timely_minutes`` of the occurrence and how many were rejected at triage.

    A period that has ended is read from its kept counts when there are some, and kept
    when it is counted (``geodata/queries/kept.py``: a closed period's figures are those
    known when it was first counted; ``Counts.as_of`` says when). The periods still to
    count are counted in one scan of their incidents (``GROUPING SETS``, hashed), so the
    use case's period and the previous one cost one index range scan, not six; each
    period's groups come back as arrays in one row per grouping set (no row per group
    through the driver: 200,000 groups for 1M incidents).

    ``cells=False``: the caller reads the grids only, so kept counts are read without
    their cells (a few hundred thousand rows at 10M incidents) and ``Counts.cells`` may
    be empty; a period counted here is still counted and kept whole."""
    params = f"ext={','.join(sorted(external))};timely={int(timely_minutes)}"
    raw: dict[int, tuple[dict[int, dict[str, np.ndarray]], datetime | None]] = {}
    closed = [kept.closed(s, end) for _, end in periods]
    for k, (start, end) in enumerate(periods):
        if closed[k]:
            got = kept.get(s, KIND, prefix, start, end, params)
            if got is not None:
                try:
                    raw[k] = (_unpack(got.body, (0, 1) if cells else (1,)), got.computed_at)
                except UNREADABLE:
                    # unreadable (a body from a future layout, a damaged row): count
                    # again and keep the new counts in its place
                    kept.drop(s, KIND, prefix, start, end, params)
    missing = [k for k in range(len(periods)) if k not in raw]
    for run in _runs(missing):
        scanned = _scan(s, prefix, [periods[k] for k in run], external, timely_minutes)
        for k, sets in zip(run, scanned, strict=True):
            raw[k] = (sets, None)
            if closed[k]:
                kept.put(s, KIND, prefix, *periods[k], params, _pack(sets))
    names = dict(
        (int(i), (c, n))
        for i, c, n in s.execute(
            text("SELECT id, code, name FROM area WHERE level = 'grid' AND code LIKE :prefix"),
            {"prefix": prefix + "%"},
        ).all()
    )
    return [_assemble(raw[k][0], names, raw[k][1]) for k in range(len(periods))]


def _runs(ks: list[int]) -> list[list[int]]:
    """``ks`` (ascending) cut into runs of consecutive numbers: adjacent periods, each
    run one scan."""
    out: list[list[int]] = []
    for k in ks:
        if out and out[-1][-1] == k - 1:
            out[-1].append(k)
        else:
            out.append([k])
    return out


_EMPTY: Final = {
    "place": np.zeros(0, np.int64),
    "cat": np.zeros(0, object),
    **{c: np.zeros(0, np.int64) for c in ("own", "ext", "rej", "timely")},
}


def _scan(
    s: Session,
    prefix: str,
    periods: Sequence[tuple[datetime, datetime]],
    external: Sequence[str],
    timely_minutes: int,
) -> list[dict[int, dict[str, np.ndarray]]]:
    """Each of ``periods``' (adjacent) groups, as columns per grouping set (0: by cell,
    1: by grid), in one scan."""
    bounds = [p[0] for p in periods] + [periods[-1][1]]
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
    out: list[dict[int, dict[str, np.ndarray]]] = [{} for _ in periods]
    for k, by_grid, place, cat, own, ext, rej, timely in rows:
        out[int(k) - 1][int(by_grid)] = {
            "place": np.asarray(place, dtype=np.int64),
            "cat": np.asarray(cat, dtype=object),
            "own": np.asarray(own, dtype=np.int64),
            "ext": np.asarray(ext, dtype=np.int64),
            "rej": np.asarray(rej, dtype=np.int64),
            "timely": np.asarray(timely, dtype=np.int64),
        }
    return out


def _pack(sets: dict[int, dict[str, np.ndarray]]) -> bytes:
    """A period's groups as a compressed NumPy archive of plain arrays (the categories
    as indices into a list of codes: nothing that needs pickle to read back)."""
    arrays: dict[str, np.ndarray] = {}
    for side in (0, 1):
        cols = sets.get(side, _EMPTY)
        codes, index = np.unique(cols["cat"].astype(str), return_inverse=True)
        arrays[f"{side}_codes"] = codes.astype(np.str_)
        arrays[f"{side}_cat"] = index.astype(np.int32)
        for c in ("place", "own", "ext", "rej", "timely"):
            arrays[f"{side}_{c}"] = cols[c].astype(np.int64)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def _unpack(body: bytes, sides: Sequence[int] = (0, 1)) -> dict[int, dict[str, np.ndarray]]:
    """:func:`_pack` read back: the grouping sets of ``sides`` (an archive's arrays are
    decompressed only when read)."""
    with np.load(io.BytesIO(body), allow_pickle=False) as z:
        out: dict[int, dict[str, np.ndarray]] = {}
        for side in sides:
            codes = z[f"{side}_codes"].astype(object)
            cols = {c: z[f"{side}_{c}"] for c in ("place", "own", "ext", "rej", "timely")}
            cols["cat"] = codes[z[f"{side}_cat"]] if len(codes) else np.zeros(0, object)
            out[side] = cols
        return out


def _assemble(
    sets: dict[int, dict[str, np.ndarray]],
    names: dict[int, tuple[str, str]],
    as_of: datetime | None,
) -> Counts:
    cells = _ordered(sets.get(0, _EMPTY), None)
    grids = _ordered(sets.get(1, _EMPTY), names)
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
    return Counts(cell_table, grid_table, own_table, as_of)


def _ordered(
    cols: dict[str, np.ndarray], names: dict[int, tuple[str, str]] | None
) -> dict[str, np.ndarray]:
    """The columns in a stable order (grids by code, cells by index; then category), with
    each grid's code and name when ``names`` is given."""
    n = len(cols["place"])
    full = {c: cols.get(c, np.zeros(n, np.int64)) for c in ("own", "ext", "rej", "timely")}
    full |= {"place": cols["place"], "cat": cols["cat"]}
    if names is not None:
        # a grid of kept counts may have been removed since: its code stands for it
        named = [names.get(int(g), (str(int(g)), "")) for g in full["place"]]
        full["code"] = np.array([c for c, _ in named], dtype=object)
        full["name"] = np.array([n for _, n in named], dtype=object)
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
