"""Coordinate systems used in China: WGS84, CGCS2000, GCJ-02 ("Mars") and BD-09.

CGCS2000 and WGS84 differ by centimetres, far below map precision, so CGCS2000 is
treated as WGS84. GCJ-02 is an obfuscated datum used by AMap/Tencent; BD-09 is Baidu's
offset on top of GCJ-02. The GCJ-02 inverse is iterative (error < 1 cm).
"""

from __future__ import annotations

import math

import numpy as np

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
SUPPORTED = ("wgs84", "cgcs2000", "gcj02", "bd09")


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lon: float, lat: float) -> tuple[float, float]:
    return _offset(lon, lat, math.sin, math.cos, math.sqrt, abs)


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if _out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlon, wlat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert one point from ``crs`` to WGS84; raises ValueError on an unknown CRS."""
    crs = crs.lower()
    if crs in ("wgs84", "cgcs2000", "epsg:4326", "epsg:4490"):
        return lon, lat
    if crs == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if crs == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise ValueError(f"unknown CRS {crs!r}; expected one of {', '.join(SUPPORTED)}")


def from_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert one WGS84 point to ``crs`` (for drawing on GCJ-02 / BD-09 basemaps)."""
    crs = crs.lower()
    if crs in ("wgs84", "cgcs2000"):
        return lon, lat
    if crs == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if crs == "bd09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    raise ValueError(f"unknown CRS {crs!r}; expected one of {', '.join(SUPPORTED)}")


# ----------------------------------------------------------------------------- arrays
# The same formulas over NumPy arrays: a boundary file holds millions of vertices, and the
# scalar loop costs ~40 us a vertex for the iterative GCJ-02 inverse.
def _offset(lon, lat, sin, cos, sqrt, fabs):  # type: ignore[no-untyped-def]
    """The GCJ-02 offset at (lon, lat) in degrees, with the maths functions given: those
    of ``math`` for one point, NumPy's for arrays (one formula, two speeds)."""
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * sqrt(fabs(x))
        + (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2 / 3
        + (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2 / 3
        + (160.0 * sin(y / 12.0 * pi) + 320 * sin(y * pi / 30.0)) * 2 / 3
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * sqrt(fabs(x))
        + (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2 / 3
        + (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2 / 3
        + (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2 / 3
    )
    radlat = lat / 180.0 * pi
    magic = 1 - _EE * sin(radlat) ** 2
    sqrtmagic = sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * cos(radlat) * pi)
    return dlon, dlat


def _delta_np(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _offset(lon, lat, np.sin, np.cos, np.sqrt, np.abs)  # type: ignore[no-any-return]


def _in_china_np(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def wgs84_to_gcj02_np(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`wgs84_to_gcj02` of arrays (points outside China and NaN pass unchanged)."""
    inside = _in_china_np(lon, lat)
    with np.errstate(invalid="ignore"):
        dlon, dlat = _delta_np(np.where(inside, lon, 105.0), np.where(inside, lat, 35.0))
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84_np(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`gcj02_to_wgs84` of arrays: the same fixed-point iteration, all at once."""
    wlon, wlat = lon.astype(float), lat.astype(float)
    for _ in range(30):
        glon, glat = wgs84_to_gcj02_np(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if not (
            np.nanmax(np.abs(dlon), initial=0) >= 1e-9 or np.nanmax(np.abs(dlat), initial=0) >= 1e-9
        ):
            break
    return wlon, wlat


def bd09_to_gcj02_np(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`bd09_to_gcj02` of arrays."""
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def to_wgs84_np(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`to_wgs84` of arrays; raises ValueError on an unknown CRS."""
    crs = crs.lower()
    if crs in ("wgs84", "cgcs2000", "epsg:4326", "epsg:4490"):
        return lon, lat
    if crs == "gcj02":
        return gcj02_to_wgs84_np(lon, lat)
    if crs == "bd09":
        return gcj02_to_wgs84_np(*bd09_to_gcj02_np(lon, lat))
    raise ValueError(f"unknown CRS {crs!r}; expected one of {', '.join(SUPPORTED)}")


def transform_coords(coords: object, fn) -> object:  # type: ignore[no-untyped-def]
    """Apply ``fn(lon, lat)`` to every position of a GeoJSON coordinates array."""
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        lon, lat = fn(float(coords[0]), float(coords[1]))
        return [round(lon, 7), round(lat, 7)]
    return [transform_coords(c, fn) for c in coords]  # type: ignore[attr-defined,union-attr]


__all__ = [
    "SUPPORTED",
    "from_wgs84",
    "to_wgs84",
    "to_wgs84_np",
    "transform_coords",
    "wgs84_to_gcj02_np",
]
