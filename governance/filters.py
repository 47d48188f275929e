"""Parsing and validation of the filters every layer and panel shares.

All inputs arrive as strings from HTTP or callbacks and pass the one normaliser
(:mod:`governance.inputs`: ASCII numbers in range, days bounded to this century);
anything invalid raises :class:`InvalidInput` with a catalog key, never a bare
``ValueError`` or an overflow.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from governance import inputs
from governance.errors import InvalidInput
from governance.shapes import INSTANT_PATTERN

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


_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def _coordinate(part: str) -> float:
    """One bbox value through the normaliser: ASCII decimal as sent, finite."""
    if part != part.strip() or _NONFINITE.fullmatch(part):
        raise InvalidInput(
            "error.bbox_range" if _NONFINITE.fullmatch(part) else "error.bbox_format"
        )
    try:
        return inputs.number(part, "bbox", lo=-180.0, hi=180.0)
    except InvalidInput as err:
        bad_format = err.key == "error.input.number"
        raise InvalidInput("error.bbox_format" if bad_format else "error.bbox_range") from None


def parse_bbox(raw: object) -> BBox:
    """``minlon,minlat,maxlon,maxlat`` -> :class:`BBox` (validated)."""
    if not isinstance(raw, str) or not raw:
        raise InvalidInput("error.bbox_format")
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidInput("error.bbox_format")
    minlon, minlat, maxlon, maxlat = (_coordinate(p) for p in parts)
    if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
        raise InvalidInput("error.bbox_range")
    return BBox(minlon, minlat, maxlon, maxlat)


def parse_zoom(raw: object) -> float:
    """A web-map zoom level 0..22 (ASCII decimal or a number)."""
    try:
        return inputs.number(raw, "z", lo=0.0, hi=float(MAX_ZOOM))
    except InvalidInput:
        raise InvalidInput("error.zoom_range") from None


def _parse_instant(raw: object, name: str, *, end: bool) -> datetime:
    """A day (``end``: the next midnight, so the day is included) or a time, ASCII, in
    2000-01-01 .. 2099-12-31: far enough from ``date.max`` to add a day to."""
    if not isinstance(raw, str) or not re.fullmatch(INSTANT_PATTERN, raw):
        raise InvalidInput("error.time_format", name=name)
    if len(raw) == 10:
        d = inputs.day(raw, name)
        return datetime.combine(d + timedelta(days=1) if end else d, time(), LOCAL_TZ)
    try:
        dt = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("error.time_format", name=name) from None
    inputs.day(dt.date(), name)  # bounded like a day
    return dt if dt.tzinfo else dt.replace(tzinfo=LOCAL_TZ)


def parse_instant(raw: object, name: str) -> datetime:
    """One instant from outside (``YYYY-MM-DD``: its local midnight, or an ISO time; local
    when it carries no offset), bounded like a day; else a translated :class:`InvalidInput`."""
    return _parse_instant(raw, name, end=False)


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
