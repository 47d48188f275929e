"""Hotspots (热点): H3 cells with unusually many incidents, compared with the period
before.

Shared contract (used by the wall, briefings, dispatch and the weekly consultation):
:func:`hotspots` takes the caller's session (the caller owns the transaction and has
checked access) and an area-code prefix (None: the whole city).

Rules, computed in SQL (``geodata/queries/hotspots.py``):

* Incidents count by ``occurred_at`` (the clock of the map's density layer) in the
  half-open period ``[start, end)``, and in the previous period of equal length
  ``[start - (end - start), start)``; within a scope, only incidents in grids under it.
* A cell is **hot** in a period when its count is at least
  ``max(MIN_COUNT, mean + SD_FACTOR * sd)`` of the counts of that period's *other*
  non-empty cells (leave-one-out, population standard deviation; a cell alone in its
  area needs only ``MIN_COUNT``) — it must stand out from its surroundings and have at
  least a few cases. Leaving the cell out keeps one very busy cell from raising its own
  bar, which would otherwise hide it in a small area (with five cells or fewer, no cell
  can reach mean + 2 sd of a set that includes itself).
* Labels: hot now and not before = ``new``; hot in both = ``persistent``; hot before and
  not now = ``cooling``.
* Name: the grid (inside the scope) at the cell's centre; when the centre lies outside
  the scope's grids, the grid with most of the cell's incidents in the two periods.
* Order: new and persistent cells by count (largest first), then cooling cells by their
  previous count; at most ``limit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from geodata.hexagons import cell_center_lonlat
from geodata.queries import hotspots as q

Label = Literal["new", "persistent", "cooling"]
MIN_COUNT = 3  # a hot cell has at least this many incidents in the period
SD_FACTOR = 2.0  # ... and at least mean + SD_FACTOR standard deviations


@dataclass(frozen=True)
class Hotspot:
    """A hot (or formerly hot) H3 cell."""

    cell: int
    res: int
    lon: float
    lat: float
    count: int
    previous: int
    label: Label
    grid_name: str | None  # the grid at the centre, else the one with most of its cases
    top_category: str | None


def _label(hot_now: bool, hot_before: bool) -> Label:
    if hot_now:
        return "persistent" if hot_before else "new"
    return "cooling"


def hotspots(
    session: Session,
    *,
    scope: str | None,
    start: datetime,
    end: datetime,
    res: int = 8,
    limit: int = 10,
) -> list[Hotspot]:
    """The hot cells of ``[start, end)`` and the cells that cooled since the previous
    period of equal length, labelled and ordered as the module docstring says."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("hotspot periods must be timezone-aware")
    if end <= start:
        return []
    prev_start = start - (end - start)
    bounds = {"prev_start": prev_start, "start": start, "end": end}
    rows = q.hot_cells(
        session,
        scope=scope,
        res=res,
        min_count=MIN_COUNT,
        sd_factor=SD_FACTOR,
        prev_start=prev_start,
        start=start,
        end=end,
    )
    rows.sort(
        key=lambda r: (
            not r["hot_now"],
            -(r["count"] if r["hot_now"] else r["previous"]),
            r["cell"],
        )
    )
    rows = rows[: max(0, limit)]
    cells = [r["cell"] for r in rows]
    centres = [cell_center_lonlat(c) for c in cells]
    names = q.grid_names_at(session, centres, scope)
    if None in names:  # the centre lies outside the area: name the cell's busiest grid
        busiest = q.busiest_grids(
            session, cells=cells, scope=scope, res=res, since=prev_start, end=end
        )
        names = [n or busiest.get(c) for n, c in zip(names, cells, strict=True)]
    cats = q.top_categories(session, cells=cells, scope=scope, res=res, **bounds)
    return [
        Hotspot(
            cell=r["cell"],
            res=res,
            lon=lon,
            lat=lat,
            count=r["count"],
            previous=r["previous"],
            label=_label(r["hot_now"], r["hot_before"]),
            grid_name=name,
            top_category=cats.get(r["cell"]),
        )
        for r, (lon, lat), name in zip(rows, centres, names, strict=True)
    ]
