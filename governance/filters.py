"""Parsing and validation of the filters every layer and panel shares.

All inputs arrive as strings from HTTP or callbacks; anything invalid raises
:class:`InvalidInput` with a catalog key, never a bare ``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from governance.errors import InvalidInput

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
WINDOWS = {"today": 0, "7d": 7, "30d": 30, "90d": 90, "365d": 365}
MAX_ZOOM = 22


@dataclass(frozen=True)
class BBox:
    """A WGS84 bounding box."""

    minlon: float
    minlat: float
    maxlon: float
    maxlat: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.minlon, self.minlat, self.maxlon, self.maxlat)


@dataclass(frozen=True)
class TimeRange:
    """A half-open interval [start, end) in UTC-aware datetimes."""

    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return max(1, math.ceil((self.end - self.start).total_seconds() / 86400))


@dataclass(frozen=True)
class IncidentFilter:
    """Time range plus optional category (leaf codes, already expanded) and sources."""

    time: TimeRange
    categories: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    extra: dict[str, str] = field(default_factory=dict)


def parse_bbox(raw: str | None) -> BBox:
    """``minlon,minlat,maxlon,maxlat`` -> :class:`BBox` (validated)."""
    if not raw:
        raise InvalidInput("error.bbox_format")
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidInput("error.bbox_format")
    try:
        vals = [float(p) for p in parts]
    except ValueError:
        raise InvalidInput("error.bbox_format") from None
    if not all(math.isfinite(v) for v in vals):
        raise InvalidInput("error.bbox_range")
    minlon, minlat, maxlon, maxlat = vals
    if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
        raise InvalidInput("error.bbox_range")
    return BBox(minlon, minlat, maxlon, maxlat)


def parse_zoom(raw: str | float | None) -> float:
    """A web-map zoom level 0..22."""
    try:
        z = float(raw) if raw is not None and raw != "" else math.nan
    except (TypeError, ValueError):
        z = math.nan
    if not math.isfinite(z) or not 0 <= z <= MAX_ZOOM:
        raise InvalidInput("error.zoom_range")
    return z


def _parse_instant(raw: str, name: str, *, end: bool) -> datetime:
    try:
        if len(raw) == 10:
            d = date.fromisoformat(raw)
            local = datetime.combine(d + timedelta(days=1) if end else d, time(), LOCAL_TZ)
            return local
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("error.time_format", name=name) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=LOCAL_TZ)


def parse_time(
    window: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    now: datetime | None = None,
) -> TimeRange:
    """A time range from a named window or explicit dates (local days, end inclusive).

    ``today`` starts at local midnight; ``7d`` is the last 7 x 24 hours.
    """
    now = now or datetime.now(LOCAL_TZ)
    if start or end:
        s = _parse_instant(start, "start", end=False) if start else now - timedelta(days=365)
        e = _parse_instant(end, "end", end=True) if end else now
        if s >= e:
            raise InvalidInput("error.time_inverted")
        return TimeRange(s, e)
    window = window or "30d"
    if window not in WINDOWS:
        raise InvalidInput("error.time_window", window=window, choices=", ".join(WINDOWS))
    if window == "today":
        midnight = datetime.combine(now.astimezone(LOCAL_TZ).date(), time(), LOCAL_TZ)
        return TimeRange(midnight, now)
    return TimeRange(now - timedelta(days=WINDOWS[window]), now)


def parse_list(raw: str | list[str] | None) -> tuple[str, ...] | None:
    """Comma-separated or list input -> sorted unique tuple, None when empty."""
    if raw is None:
        return None
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    vals = sorted({i.strip() for i in items if i and i.strip()})
    return tuple(vals) or None


def parse_choice(
    raw: str | None, name: str, choices: tuple[str, ...] | list[str], default: str | None = None
) -> str | None:
    """One of ``choices`` (or ``default`` when empty)."""
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise InvalidInput("error.unknown_value", name=name, value=raw)
    return raw
