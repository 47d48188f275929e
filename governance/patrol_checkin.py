"""Check-in: was the worker at the place? Decided by the server from what the phone said.

* On site: a position within the rule's radius (default 100 m) of the site or the
  person's home, with an accuracy no worse than the radius.
* Otherwise (too far, too inaccurate, no position because geolocation was denied or
  failed) the checklist is still accepted, flagged off site, but only with a typed
  reason.
* A position implausibly far from the worker's previous check-in for the time between
  them (faster than :data:`MAX_SPEED_KMH`) is flagged ``too_fast`` as well: a borrowed
  phone, a spoofed position or a checklist filled from memory.

Positions are WGS84 as the browser's Geolocation API gives them; the page never shifts
them to GCJ-02, and neither does this module. Distances are great-circle (haversine on
the WGS84 mean radius: under 0.5 % from the ellipsoid, centimetres at this scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from governance.patrol_params import Position

EARTH_RADIUS_M: Final = 6_371_008.8
MAX_SPEED_KMH: Final = 120.0
MIN_REASON_CHARS: Final = 4


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Previous:
    """The worker's last check-in with a position."""

    lon: float
    lat: float
    at: datetime


@dataclass(frozen=True)
class Verdict:
    on_site: bool
    distance_m: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def needs_reason(self) -> bool:
        return not self.on_site


def judge(
    position: Position | None,
    target: tuple[float, float],
    radius_m: float,
    *,
    at: datetime,
    previous: Previous | None = None,
) -> Verdict:
    """The check-in verdict for ``position`` (None: none given) against the target's
    ``(lon, lat)`` at time ``at``."""
    if position is None:
        return Verdict(False, None, ["no_position"])
    d = distance_m(position.lon, position.lat, *target)
    flags = []
    if d > radius_m:
        flags.append("off_site")
    if position.accuracy_m > radius_m:
        flags.append("low_accuracy")
    if previous is not None:
        hours = abs((at - previous.at).total_seconds()) / 3600
        moved_km = distance_m(position.lon, position.lat, previous.lon, previous.lat) / 1000
        # a few hundred metres of GPS jitter is never "too fast", however short the gap
        if moved_km > 1 and (hours == 0 or moved_km / hours > MAX_SPEED_KMH):
            flags.append("too_fast")
    return Verdict(not ({"off_site", "low_accuracy"} & set(flags)), round(d, 1), flags)
