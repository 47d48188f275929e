"""Layer URLs: viewport + filters -> ``/api/v1/layers/<layer>?...``.

The bbox sent to the server is padded and snapped outwards to a zoom-dependent grid, so
small pans produce the same URL and the browser answers from its cache
(the API sends ``Cache-Control: private, max-age=60``). Pure functions, no Dash, no SQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeGuard
from urllib.parse import urlencode

API_PREFIX = "/api/v1/layers"
WINDOWS: tuple[str, ...] = ("today", "7d", "30d", "90d", "365d")
CUSTOM_WINDOW = "custom"
DEFAULT_WINDOW = "30d"
PAD = 0.25  # fraction of the viewport span added on each side
SNAP_DIVISOR = 4  # snap step = a quarter of a 256-px tile at the zoom
MIN_ZOOM, MAX_ZOOM = 0, 22
LAT_LIMIT = 85.0
DIGITS = 6  # snapped bbox values are rounded to ~0.1 m: no float noise in URLs

BBox = tuple[float, float, float, float]
# The urgency filter (the API's ``urgency`` vocabulary, geodata/queries/case_state.py
# URGENCY_FILTERS) and the hours of "due soon" the map offers (``due``).
URGENCY: tuple[str, ...] = ("overdue", "due_soon", "waiting", "handling", "closed")
NEEDS_NOW: tuple[str, ...] = ("overdue", "due_soon")  # the "what needs me now" view
DUE_HOURS: tuple[int, ...] = (2, 4, 8, 24, 72)
DEFAULT_DUE_HOURS = 24


@dataclass(frozen=True)
class LayerFilters:
    """The incident filters shared by the incidents and density layers."""

    window: str = DEFAULT_WINDOW
    start: str | None = None
    end: str | None = None
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    urgency: tuple[str, ...] = ()  # URGENCY values; () = every case in the window
    due: int = DEFAULT_DUE_HOURS

    @classmethod
    def from_inputs(
        cls,
        window: str | None,
        start: str | None,
        end: str | None,
        categories: Iterable[str] | None,
        sources: Iterable[str] | None,
        urgency: Iterable[str] | None = None,
        due: object = None,
    ) -> LayerFilters:
        """Normalise raw control values (None, unsorted lists, datetime strings). A
        callback's values may come from a hand-made request: anything that is not what
        the control sends (a window name, day strings, lists of codes) is ignored."""
        win = window if window in WINDOWS or window == CUSTOM_WINDOW else DEFAULT_WINDOW
        return cls(
            window=win,
            start=_day(start) if win == CUSTOM_WINDOW else None,
            end=_day(end) if win == CUSTOM_WINDOW else None,
            categories=_codes(categories),
            sources=_codes(sources),
            urgency=tuple(u for u in URGENCY if u in _codes(urgency)),
            due=_due(due),
        )

    def time_args(self) -> tuple[str | None, str | None, str | None]:
        """``(window, start, end)`` for the services: a named window or explicit days."""
        p = self.params()
        return p.get("window"), p.get("start"), p.get("end")

    def params(self) -> dict[str, str]:
        """Query parameters of the filters (stable order, nothing empty)."""
        out: dict[str, str] = {}
        if self.window == CUSTOM_WINDOW and (self.start or self.end):
            if self.start:
                out["start"] = self.start
            if self.end:
                out["end"] = self.end
        else:
            out["window"] = self.window if self.window in WINDOWS else DEFAULT_WINDOW
        if self.categories:
            out["categories"] = ",".join(self.categories)
        if self.sources:
            out["sources"] = ",".join(self.sources)
        if self.urgency:
            out["urgency"] = ",".join(self.urgency)
            if "due_soon" in self.urgency:
                out["due"] = str(self.due)
        return out


MAX_CODES = 200  # more codes than any control offers
MAX_CODE = 64


def _codes(raw: object) -> tuple[str, ...]:
    """Sorted unique short codes of a multi-select's value (anything else: none)."""
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(
        sorted({c for c in raw[:MAX_CODES] if isinstance(c, str) and 0 < len(c) <= MAX_CODE})
    )


def _due(raw: object) -> int:
    """Hours of "due soon" as the control sends them (one of DUE_HOURS), else the default."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return DEFAULT_DUE_HOURS
    return next((h for h in DUE_HOURS if str(h) == str(raw).strip()), DEFAULT_DUE_HOURS)


def _day(raw: object) -> str | None:
    """``YYYY-MM-DD`` from a date picker value (which may carry a time part)."""
    if not raw or not isinstance(raw, str):
        return None
    try:
        return date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        return None


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def valid_zoom(zoom: object) -> TypeGuard[float]:
    """A zoom level as the map reports it (a finite number)."""
    return _finite(zoom)


def valid_bounds(bounds: object) -> bool:
    """Leaflet bounds as the map reports them: ``[[south, west], [north, east]]``."""
    return (
        isinstance(bounds, list | tuple)
        and len(bounds) == 2
        and all(
            isinstance(corner, list | tuple) and len(corner) == 2 and all(map(_finite, corner))
            for corner in bounds
        )
    )


def int_zoom(zoom: float | None) -> int:
    """The integer zoom sent to the API (rounded, clamped)."""
    if not _finite(zoom):
        return MIN_ZOOM
    assert zoom is not None
    return max(MIN_ZOOM, min(MAX_ZOOM, round(zoom)))


def snap_step(zoom: int) -> float:
    """Snapping grid in degrees at ``zoom``: a fraction of one tile's width."""
    return 360.0 / (2**zoom) / SNAP_DIVISOR


def bounds_to_bbox(bounds: Sequence[Sequence[float]]) -> BBox:
    """Leaflet ``[[south, west], [north, east]]`` -> ``(minlon, minlat, maxlon, maxlat)``
    (ValueError for anything else: see :func:`valid_bounds`)."""
    if not valid_bounds(bounds):
        raise ValueError("not Leaflet bounds")
    (south, west), (north, east) = bounds
    return (float(west), float(south), float(east), float(north))


def padded_bbox(bbox: BBox, zoom: int, pad: float = PAD) -> BBox:
    """Expand ``bbox`` by ``pad`` of its span on each side and snap it outwards.

    Snapping to multiples of :func:`snap_step` makes nearby viewports share one URL;
    the result always contains the input and is valid for the API (min < max, in range).
    """
    minlon, minlat, maxlon, maxlat = bbox
    if minlon > maxlon:
        minlon, maxlon = maxlon, minlon
    if minlat > maxlat:
        minlat, maxlat = maxlat, minlat
    dx, dy = (maxlon - minlon) * pad, (maxlat - minlat) * pad
    step = snap_step(zoom)

    def down(v: float) -> float:
        return round(math.floor(v / step) * step, DIGITS)

    def up(v: float) -> float:
        return round(math.ceil(v / step) * step, DIGITS)

    out = (
        max(-180.0, down(minlon - dx)),
        max(-LAT_LIMIT, down(minlat - dy)),
        min(180.0, up(maxlon + dx)),
        min(LAT_LIMIT, up(maxlat + dy)),
    )
    if out[0] >= out[2] or out[1] >= out[3]:  # degenerate input: one snap cell around it
        return (
            max(-180.0, down(minlon) - step),
            max(-LAT_LIMIT, down(minlat) - step),
            min(180.0, up(maxlon) + step),
            min(LAT_LIMIT, up(maxlat) + step),
        )
    return out


def format_bbox(bbox: BBox) -> str:
    """``minlon,minlat,maxlon,maxlat`` without float noise (``115.25`` not ``115.2500001``)."""
    return ",".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in bbox)


def layer_url(layer: str, bbox: BBox, zoom: int, params: Mapping[str, str] | None = None) -> str:
    """``/api/v1/layers/<layer>?bbox=..&z=..&<params>`` (parameters in a stable order)."""
    query: dict[str, str] = {"bbox": format_bbox(bbox), "z": str(int(zoom))}
    query.update({k: v for k, v in (params or {}).items() if v not in (None, "")})
    return f"{API_PREFIX}/{layer}?" + urlencode(query, safe=",")
