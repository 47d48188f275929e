"""Coordinates of a boundary file: what it declares, to WGS84, and whether it is secretly
GCJ-02 or BD-09.

**Declared systems.** A file that declares its CRS is reprojected with PROJ (``pyproj``):
EPSG:4326 (WGS84), EPSG:4490 (CGCS2000; centimetres from WGS84), the projected CGCS2000
Gauss-Kruger zones EPSG:4491-4554 and EPSG:3857 (web Mercator). Any other declared system
is refused by name: a county's data comes in these, and a guess would put grids in the
wrong place without a word.

**Shifted data.** GCJ-02 (AMap, Tencent) and BD-09 (Baidu) are obfuscations, not CRSs; no
file says it is in them. A file that says nothing, or says WGS84 / CGCS2000 (geographic),
may well be. :func:`detect_shift` compares the file with what is already loaded: the
boundaries of a county do not move, so a file whose vertices fall on the loaded linework
only after undoing the GCJ-02 (or BD-09) offset is in that system. The test takes a
sample of the file's vertices and, for each candidate, the share lying within
:data:`ON_LINE_M` of a loaded boundary; a candidate wins when its share is at least
:data:`MIN_SHARE` and :data:`MIN_GAIN` times the next best. Inner vertices (grid edges
inside a loaded community) lie on nothing loaded under every candidate and do not bias it.
With nothing loaded nearby the result is "cannot tell" and the operator chooses.

Offsets in Shanwei are 300-600 m, far above :data:`ON_LINE_M`; CGCS2000 and WGS84 differ by
centimetres.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geodata import crs as shifts
from governance.errors import InvalidInput

log = logging.getLogger(__name__)

GEOGRAPHIC: Final = frozenset({4326, 4490})
PROJECTED: Final = frozenset(range(4491, 4555)) | {3857}
SHIFTS: Final = ("wgs84", "gcj02", "bd09")  # what a geographic file may really be in
ON_LINE_M: Final = 15.0  # a vertex this close to a loaded boundary lies on it
MIN_SHARE: Final = 0.2  # of sampled vertices on loaded lines, for a verdict
MIN_GAIN: Final = 3.0  # the winner's share over the next best's
SAMPLE: Final = 4000  # vertices sampled from the file
PRECISION: Final = 7  # decimal places of stored degrees (~1 cm)


@dataclass(frozen=True)
class Declared:
    """What the file says: an EPSG code (None: nothing) and whether it may be shifted."""

    epsg: int | None
    label: str  # shown to the operator: "EPSG:4490 (CGCS2000)", or "" if nothing

    @property
    def may_be_shifted(self) -> bool:
        return self.epsg is None or self.epsg in GEOGRAPHIC


@dataclass(frozen=True)
class Verdict:
    """What :func:`detect_shift` found: the system that fits, its share, the others'."""

    system: str | None  # wgs84 / gcj02 / bd09, or None: cannot tell
    shares: dict[str, float]
    sampled: int


def declared(crs_text: str | None) -> Declared:
    """The file's declared system, refused by name when it is not one we reproject."""
    if not crs_text:
        return Declared(None, "")
    try:
        crs = CRS.from_user_input(crs_text)
    except CRSError:
        raise InvalidInput("area_import.error.crs_unknown") from None
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is None and "2000" in crs.name and crs.is_geographic:
        epsg = 4490  # an ESRI .prj of CGCS2000 with no authority code
    if epsg not in GEOGRAPHIC | PROJECTED:
        raise InvalidInput("area_import.error.crs_unsupported", name=crs.name[:80])
    return Declared(epsg, f"EPSG:{epsg} ({crs.name})")


def to_wgs84(geoms: np.ndarray, source: Declared, shift: str = "wgs84") -> np.ndarray:
    """``geoms`` in WGS84 degrees rounded to :data:`PRECISION` places: reprojected from the
    declared system, then the ``shift`` (gcj02 / bd09) undone."""
    fn = _pipeline(source, shift)
    return shapely.transform(geoms, fn)


def _pipeline(source: Declared, shift: str) -> Callable[[np.ndarray], np.ndarray]:
    project: Callable[[np.ndarray], np.ndarray] | None = None
    if source.epsg in PROJECTED:
        tr = Transformer.from_crs(source.epsg, 4326, always_xy=True)

        def project(xy: np.ndarray) -> np.ndarray:
            x, y = tr.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

    unshift = _unshift(shift)

    def run(xy: np.ndarray) -> np.ndarray:
        if project is not None:
            xy = project(xy)
        if unshift is not None:
            xy = unshift(xy)
        return np.round(xy, PRECISION)

    return run


def _unshift(shift: str) -> Callable[[np.ndarray], np.ndarray] | None:
    if shift == "wgs84":
        return None
    if shift not in SHIFTS:
        raise InvalidInput("area_import.error.crs_choice")

    def run(xy: np.ndarray) -> np.ndarray:
        lon, lat = shifts.to_wgs84_np(xy[:, 0], xy[:, 1], shift)
        return np.column_stack([lon, lat])

    return run


def detect_shift(geoms: np.ndarray, loaded_lines: object | None) -> Verdict:
    """Which of wgs84 / gcj02 / bd09 puts the file's vertices on the loaded boundaries.

    ``geoms`` are in WGS84 as declared (the shift not undone); ``loaded_lines`` is the
    linework of the areas already loaded around them (a shapely geometry, None if none).
    """
    if loaded_lines is None or shapely.is_empty(loaded_lines):
        return Verdict(None, {}, 0)
    pts = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) == 0:
        return Verdict(None, {}, 0)
    rng = np.random.default_rng(15)  # the same sample for the same file
    if len(pts) > SAMPLE:
        pts = pts[rng.choice(len(pts), SAMPLE, replace=False)]
    lon0, lat0 = float(np.median(pts[:, 0])), float(np.median(pts[:, 1]))
    local = Transformer.from_crs(
        4326, CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84"), always_xy=True
    )

    def metres(xy: np.ndarray) -> np.ndarray:
        x, y = local.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    lines = shapely.transform(loaded_lines, metres)
    shapely.prepare(lines)
    shares: dict[str, float] = {}
    for system in SHIFTS:
        fn = _unshift(system)
        moved = fn(pts) if fn is not None else pts
        near = shapely.dwithin(lines, shapely.points(metres(moved)), ON_LINE_M)
        shares[system] = float(np.mean(near))
    ranked = sorted(shares, key=lambda k: shares[k], reverse=True)
    best, second = ranked[0], ranked[1]
    won = shares[best] >= MIN_SHARE and shares[best] >= MIN_GAIN * max(shares[second], 1e-3)
    log.info("shift detection on %d vertices: %s", len(pts), shares)
    return Verdict(best if won else None, shares, len(pts))
