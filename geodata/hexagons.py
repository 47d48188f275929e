"""H3 helpers. Cells are computed once, when a point is written, and stored as bigints.

H3 ids are 64-bit with the top bit clear, so they fit PostgreSQL's signed ``bigint``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import h3
import numpy as np
from h3.api import basic_int

from geodata.models import H3_RESOLUTIONS

# Web-map zoom -> H3 resolution: keeps a viewport at a few hundred to ~3,000 cells.
_ZOOM_TO_RES = {z: 6 for z in range(0, 10)} | {10: 7, 11: 8, 12: 8, 13: 9, 14: 9}
MIN_RES, MAX_RES = H3_RESOLUTIONS[0], H3_RESOLUTIONS[-1]


def resolution_for_zoom(zoom: float) -> int:
    """The H3 resolution drawn at a web-map zoom level."""
    return _ZOOM_TO_RES.get(int(zoom), MAX_RES)


def cells_for_points(
    lats: Sequence[float], lons: Sequence[float], resolutions: Iterable[int] = H3_RESOLUTIONS
) -> dict[int, np.ndarray]:
    """H3 cells of each point at each resolution, as int64 arrays.

    Every resolution is looked up from the point itself: H3 cells do not nest exactly,
    so the parent of a fine cell is not always the coarse cell containing the point
    (about 6 % differ), and density must count each point where it lies.
    """
    to_cell = basic_int.latlng_to_cell  # ints straight away: no hex string per cell
    out: dict[int, np.ndarray] = {}
    for r in sorted(resolutions):
        out[r] = np.fromiter(
            (to_cell(lat, lon, r) for lat, lon in zip(lats, lons, strict=True)),
            dtype=np.int64,
            count=len(lats),
        )
    return out


def covering_cells(
    bbox: Sequence[float], res: int, max_cells: int, margin: float = 0.002
) -> tuple[int, ...] | None:
    """Every res-``res`` cell that a point of ``bbox`` (minlon, minlat, maxlon, maxlat) can
    lie in, sorted; None when that would be more than ``max_cells``. A point's cell
    contains it, so it overlaps the box; the box is widened by ``margin`` degrees (~200 m)
    so that the straight-edged polygons H3 tests here, whose edges differ from the cells'
    arcs by far less, cannot leave one out (every extra cell is an index range to read). A superset: the caller still tests the point."""
    minlon, minlat, maxlon, maxlat = bbox
    x0, y0 = max(-180.0, minlon - margin), max(-89.0, minlat - margin)
    x1, y1 = min(180.0, maxlon + margin), min(89.0, maxlat + margin)
    # about how many: the box's area over a cell's (refuse before asking H3 for them)
    km2 = (y1 - y0) * 111.0 * (x1 - x0) * 111.0 * np.cos(np.radians((y0 + y1) / 2))
    if km2 / h3.average_hexagon_area(res, unit="km^2") > max_cells:
        return None
    poly = h3.LatLngPoly([(y0, x0), (y0, x1), (y1, x1), (y1, x0)])
    cells = sorted(h3.str_to_int(c) for c in h3.h3shape_to_cells_experimental(poly, res, "overlap"))
    return tuple(cells) if len(cells) <= max_cells else None


def cell_boundary_lonlat(cell: int) -> list[list[float]]:
    """A closed GeoJSON ring ([lon, lat] pairs) of a cell given as a bigint."""
    ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(h3.int_to_str(cell))]
    ring.append(ring[0])
    return ring


def cell_center_lonlat(cell: int) -> tuple[float, float]:
    lat, lng = h3.cell_to_latlng(h3.int_to_str(cell))
    return lng, lat


def ring1_neighbours(cells: np.ndarray) -> list[np.ndarray]:
    """For each cell of ``cells`` (int64 H3 ids, one resolution), the positions in
    ``cells`` of its ring-1 neighbours (``grid_disk(cell, 1)`` without the cell itself)
    that are also in ``cells``. A cell next to a pentagon or at the edge of the set has
    fewer than six."""
    where = {int(c): k for k, c in enumerate(cells)}
    out: list[np.ndarray] = []
    for c in cells:
        ring = basic_int.grid_disk(int(c), 1)
        out.append(
            np.array(sorted(where[r] for r in ring if r != int(c) and r in where), dtype=np.int64)
        )
    return out
