"""Where a register's row is: coordinates in any of the four CRSs, or a community named
in the row (no online geocoder: a county's addresses must not leave the county).

Used by :mod:`governance.registry_import`. A row locates itself by, in this order:

1. longitude and latitude, in the row's own CRS column or the file's CRS; a pair given
   the wrong way round (latitude in the longitude column) is swapped, as a correction
   the user must accept, as the hotline import does;
2. a community column naming an existing community (``area.name``, level
   ``community``), narrowed by a street column when two streets have communities of
   that name: the point is the community's label point;
3. an address containing the name of exactly one community (and, when several match,
   the name of its street).

The point's grid is then found by point-in-polygon (``geodata/queries/registry_import``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from geodata import crs as crs_mod
from governance.registry_fields import CellError, read_coordinate

# Mainland China and its islands, with a margin: a "longitude" in the latitude range
# and a "latitude" in the longitude range is a swapped pair, not two typos.
CHINA_LON: Final = (73.0, 136.0)
CHINA_LAT: Final = (3.0, 54.0)
_CRS_ALIASES: Final = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "gps": "wgs84",
    "epsg:4326": "wgs84",
    "4326": "wgs84",
    "cgcs2000": "cgcs2000",
    "epsg:4490": "cgcs2000",
    "4490": "cgcs2000",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "火星坐标": "gcj02",
    "高德": "gcj02",
    "腾讯": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "百度": "bd09",
}


@dataclass(frozen=True)
class Point:
    """A WGS84 point and how it was found: ``swapped`` (the file's pair was the wrong way
    round) or the community it stands for."""

    lon: float
    lat: float
    swapped: bool = False
    community: str | None = None


def read_crs(value: str) -> str:
    """A CRS name as people write it (WGS84, GCJ-02, 百度 ...) -> a code of
    :data:`geodata.crs.SUPPORTED`."""
    code = _CRS_ALIASES.get("".join(unicodedata.normalize("NFKC", value).split()).lower())
    if code is None:
        raise CellError("registry.cell.crs", choices="WGS84, CGCS2000, GCJ-02, BD-09")
    return code


def read_point(lon_text: str, lat_text: str, crs: str) -> Point:
    """The WGS84 point of a pair in ``crs``; a pair the wrong way round is swapped."""
    lon = read_coordinate(lon_text, -180.0, 180.0)
    lat = read_coordinate(lat_text, -180.0, 180.0)
    swapped = _inside(lat, CHINA_LON) and _inside(lon, CHINA_LAT)
    if swapped:
        lon, lat = lat, lon
    if not -90.0 <= lat <= 90.0:
        raise CellError("registry.cell.range", lo=-90.0, hi=90.0)
    x, y = crs_mod.to_wgs84(lon, lat, crs)
    return Point(x, y, swapped=swapped)


def _inside(v: float, span: tuple[float, float]) -> bool:
    return span[0] <= v <= span[1]


def _fold(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


class Communities:
    """The communities of the city, looked up by name (and street)."""

    def __init__(self, rows: Sequence[dict[str, Any]]) -> None:
        self._by_name: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            self._by_name.setdefault(_fold(str(r["name"])), []).append(r)
        names = sorted(self._by_name, key=len, reverse=True)  # longest first
        self._pattern = re.compile("|".join(map(re.escape, names))) if names else None
        self._found: dict[tuple[str, str], Point | None] = {}

    def _pick(self, found: list[dict[str, Any]], street: str | None) -> Point:
        if street:
            found = [r for r in found if r["street"] and _fold(str(r["street"])) == _fold(street)]
            if not found:
                raise CellError("registry.cell.street_unknown")
        if len(found) > 1:
            streets = "、".join(sorted({str(r["street"]) for r in found}))
            raise CellError("registry.cell.community_ambiguous", streets=streets)
        r = found[0]
        return Point(float(r["lon"]), float(r["lat"]), community=str(r["name"]))

    def by_name(self, name: str, street: str | None) -> Point:
        """The label point of the community ``name`` (in ``street`` when given)."""
        found = self._by_name.get(_fold(name))
        if not found:
            raise CellError("registry.cell.community_unknown", value=name[:40])
        return self._pick(found, street)

    def in_address(self, address: str, street: str | None) -> Point | None:
        """The label point of the one community whose name the address holds (None:
        none does). A street named in the address (or the street column) settles a
        name two streets share."""
        key = (_fold(address), street or "")
        if key not in self._found:
            self._found[key] = self._search(key[0], street)
        return self._found[key]

    def _search(self, text: str, street: str | None) -> Point | None:
        if self._pattern is None:
            return None
        names = {m.group(0) for m in self._pattern.finditer(text)}
        if not names:
            return None
        found = [r for n in names for r in self._by_name[n]]
        if street is None:
            named = [r for r in found if r["street"] and _fold(str(r["street"])) in text]
            found = named or found
        try:
            return self._pick(found, street)
        except CellError as err:
            if err.key == "registry.cell.street_unknown":
                return None
            raise
