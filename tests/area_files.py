"""A corrected grid file of one demo community, as its street office would send it.

Shared by the integration and Chromium tests of the area import: the community's grids as
a zipped Shapefile with a GBK attribute table and no .cpg (what ArcGIS on a Chinese
Windows writes), columns 网格编码 / 网格名称 / 上级编码, in which

* the boundary between the first two grids has moved (a strip of the second now belongs
  to the first: ``moved``), so incidents in the strip change grid;
* the first grid has a hole of ~0.0006 degrees square (~60 x 65 m): a gap in the community;
* the third grid's longest edge has a small loop that crosses itself: a self-intersection
  to repair.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import text


@dataclass(frozen=True)
class GridFile:
    community: str  # stored code
    codes: list[str]  # the grids, in file order
    data: bytes  # the zipped Shapefile
    moved: object  # the strip that changed grid (WGS84 shapely geometry)
    hole: object  # the gap
    gainer: str  # code of the grid that gained the strip
    loser: str


def community_with_grids(s, least: int = 3) -> str:  # type: ignore[no-untyped-def]
    """A community with at least ``least`` grids whose first two touch along an edge and
    the second holds incidents near the first."""
    return s.execute(
        text(
            "SELECT c.code FROM area c JOIN area g ON g.parent_id = c.id "
            "WHERE c.level = 'community' GROUP BY c.id, c.code HAVING count(*) >= :n "
            "ORDER BY count(*) DESC, c.code LIMIT 1"
        ),
        {"n": least},
    ).scalar_one()


def grid_file(s, community: str | None = None) -> GridFile:  # type: ignore[no-untyped-def]
    community = community or community_with_grids(s)
    rows = s.execute(
        text(
            "SELECT g.code, g.name, ST_AsBinary(g.geom) FROM area g JOIN area c "
            "ON c.id = g.parent_id WHERE c.code = :c ORDER BY g.code"
        ),
        {"c": community},
    ).all()
    codes = [r[0] for r in rows]
    names = [r[1] for r in rows]
    geoms = [shapely.from_wkb(bytes(r[2])) for r in rows]
    a, b = _touching(geoms)
    strip = shapely.intersection(geoms[b], shapely.buffer(geoms[a], 0.0008))
    geoms[a] = shapely.union(geoms[a], strip)
    geoms[b] = shapely.difference(geoms[b], strip)
    inner = shapely.buffer(geoms[a], -0.001)
    spot = inner.representative_point() if not inner.is_empty else geoms[a].representative_point()
    hole = shapely.box(spot.x - 0.0003, spot.y - 0.0003, spot.x + 0.0003, spot.y + 0.0003)
    geoms[a] = shapely.difference(geoms[a], hole)
    c = next(k for k in range(len(geoms)) if k not in (a, b))
    geoms[c] = _bowtie(geoms[c])
    for k in (a, b):
        geoms[k] = _rounded(geoms[k])
    frame = gpd.GeoDataFrame(
        {"网格编码": codes, "网格名称": names, "上级编码": [community] * len(codes)},
        geometry=geoms,
        crs="EPSG:4490",
    )
    return GridFile(community, codes, _zipped(frame), strip, hole, codes[a], codes[b])


def _touching(geoms: list) -> tuple[int, int]:  # type: ignore[type-arg]
    for i, g in enumerate(geoms):
        for j, h in enumerate(geoms):
            if i < j and shapely.length(shapely.intersection(g.boundary, h.boundary)) > 0.002:
                return i, j
    raise AssertionError("no two grids of the community share an edge")


def _bowtie(geom: object) -> object:
    """The largest polygon with a small loop on its longest edge p-q that crosses itself:
    p -> C (52 % along, ~3 m out) -> D (48 % along, out) -> E (50 % along, in) -> q: a
    repair of some 100 m², too small to leave a gap or poke out of the community."""
    poly = max(shapely.get_parts(geom), key=lambda p: p.area)
    ring = list(poly.exterior.coords)[:-1]
    k = max(range(len(ring)), key=lambda i: _dist(ring[i], ring[(i + 1) % len(ring)]))
    (px, py), (qx, qy) = ring[k], ring[(k + 1) % len(ring)]
    dx, dy = qx - px, qy - py
    size = _dist(ring[k], ring[(k + 1) % len(ring)])
    nx, ny = -dy / size * 0.00003, dx / size * 0.00003
    loop = [
        (px + 0.52 * dx + nx, py + 0.52 * dy + ny),
        (px + 0.48 * dx + nx, py + 0.48 * dy + ny),
        (px + 0.5 * dx - nx, py + 0.5 * dy - ny),
    ]
    out = shapely.Polygon(ring[: k + 1] + loop + ring[k + 1 :] + [ring[0]], poly.interiors)
    assert not out.is_valid, "the loop did not cross"
    return out


def _dist(a: tuple, b: tuple) -> float:  # type: ignore[type-arg]
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


def _rounded(geom: object) -> object:
    """On the 1e-7 degree grid the import stores, kept valid (unless made invalid)."""
    return shapely.set_precision(geom, 1e-7) if shapely.is_valid(geom) else geom


def _zipped(frame: gpd.GeoDataFrame) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "网格.shp"
        frame.to_file(path, driver="ESRI Shapefile", encoding="GBK", engine="pyogrio")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                if part.suffix != ".cpg":
                    zf.write(part, part.name)
        return buf.getvalue()
