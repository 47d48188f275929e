"""What an aggregate-only viewer (the wall screen) may see of incidents: never one.

The wall shows a county's situation to a room, and its kiosk link opens without a
password, so what it receives must not let anyone find a single incident: its density
layer is at most H3 resolution :data:`MAX_RES` (cells of about 5 km², edge ~1.2 km) over
at least :data:`MIN_WINDOW`, whatever the URL asks, and the live stream's new-incident
pulses are placed at the centre of their resolution-:data:`MAX_RES` cell, not at the
point. Roles that may see incident points (``map.view``) are unaffected.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any, Final

from h3.api import basic_int

from geodata.hexagons import cell_center_lonlat
from governance.access import MAP_VIEW, Principal

MAX_RES: Final = 7
MIN_WINDOW: Final = timedelta(hours=24)


def aggregate_only(principal: Principal | None) -> bool:
    """A viewer of aggregates only (the wall), not of incident points."""
    return principal is not None and not principal.can(MAP_VIEW)


def density_resolution(res: int) -> int:
    return min(res, MAX_RES)


def widened(where: Any) -> Any:
    """An incident filter (``start``/``end``) covering at least :data:`MIN_WINDOW`."""
    if where.end - where.start >= MIN_WINDOW:
        return where
    return replace(where, start=where.end - MIN_WINDOW)


def snapped(item: dict[str, Any]) -> dict[str, Any]:
    """A live-stream item with its point moved to the centre of its coarse cell."""
    lon, lat = item.get("lon"), item.get("lat")
    if not isinstance(lon, float | int) or not isinstance(lat, float | int):
        return {**item, "lon": None, "lat": None}
    cx, cy = cell_center_lonlat(basic_int.latlng_to_cell(float(lat), float(lon), MAX_RES))
    return {**item, "lon": round(cx, 5), "lat": round(cy, 5)}
