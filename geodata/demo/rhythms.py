"""When and what: the source/category mix and the time rhythms of demo incidents.

Hours are local (Asia/Shanghai, UTC+8 all year). Profiles are relative weights.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from geodata.demo.catalog import LEAF_CODES, LEAF_INDEX
from geodata.models import IncidentSource

# The channels of the generated incidents; cases from patrol findings come from the demo's
# patrol history instead (geodata/demo/patrol.py).
SOURCES: list[str] = [s.value for s in IncidentSource if s is not IncidentSource.PATROL]
SOURCE_SHARE = {
    "grid": 0.35,
    "hotline_12345": 0.30,
    "police_110": 0.15,
    "iot": 0.08,
    "public": 0.12,
}
LOCAL_OFFSET_H = 8

# category weights per source (leaf codes not listed get 0)
_MIX: dict[str, dict[str, float]] = {
    "grid": {
        "city.street_vending": 12,
        "city.clutter": 12,
        "city.garbage": 10,
        "city.illegal_building": 8,
        "safety.fire_hazard": 7,
        "safety.public_order": 2,
        "safety.traffic_accident": 1,
        "safety.gas_leak": 1,
        "dispute.neighbour": 5,
        "dispute.labour": 2,
        "dispute.property": 3,
        "service.water_supply": 2,
        "service.power_outage": 1,
        "service.street_light": 5,
        "service.road_damage": 6,
        "service.noise": 2,
        "eco.water_pollution": 3,
        "eco.air_pollution": 2,
        "eco.waste_burning": 5,
        "production.site_hazard": 5,
        "production.hazchem": 2,
        "flood.waterlogging": 2,
        "flood.landslide": 1,
    },
    "hotline_12345": {
        "city.street_vending": 6,
        "city.clutter": 4,
        "city.garbage": 6,
        "city.illegal_building": 4,
        "safety.fire_hazard": 2,
        "safety.public_order": 2,
        "safety.traffic_accident": 1,
        "safety.gas_leak": 1,
        "dispute.neighbour": 5,
        "dispute.labour": 7,
        "dispute.property": 8,
        "service.water_supply": 8,
        "service.power_outage": 5,
        "service.street_light": 6,
        "service.road_damage": 6,
        "service.noise": 12,
        "eco.water_pollution": 3,
        "eco.air_pollution": 4,
        "eco.waste_burning": 3,
        "production.site_hazard": 3,
        "production.hazchem": 1,
        "flood.waterlogging": 3,
        "flood.landslide": 0.5,
    },
    "police_110": {
        "safety.public_order": 40,
        "safety.traffic_accident": 30,
        "dispute.neighbour": 8,
        "service.noise": 8,
        "dispute.labour": 3,
        "safety.gas_leak": 2,
        "safety.fire_hazard": 3,
        "dispute.property": 2,
        "production.hazchem": 0.5,
        "flood.landslide": 0.5,
        "city.illegal_building": 0.5,
        "eco.waste_burning": 0.5,
    },
    "iot": {
        "safety.fire_hazard": 30,
        "safety.gas_leak": 20,
        "flood.waterlogging": 22,
        "eco.water_pollution": 15,
        "eco.air_pollution": 8,
        "production.hazchem": 3,
        "flood.landslide": 2,
    },
    "public": {
        "city.street_vending": 10,
        "city.clutter": 10,
        "city.garbage": 10,
        "city.illegal_building": 6,
        "safety.fire_hazard": 3,
        "safety.public_order": 2,
        "dispute.neighbour": 4,
        "dispute.property": 4,
        "service.water_supply": 4,
        "service.power_outage": 2,
        "service.street_light": 8,
        "service.road_damage": 8,
        "service.noise": 10,
        "eco.water_pollution": 4,
        "eco.air_pollution": 3,
        "eco.waste_burning": 6,
        "production.site_hazard": 2,
        "flood.waterlogging": 3,
        "flood.landslide": 0.5,
    },
}


def mix_matrix() -> np.ndarray:
    """(source, leaf) probabilities, rows in :data:`SOURCES` order."""
    m = np.zeros((len(SOURCES), len(LEAF_CODES)))
    for i, s in enumerate(SOURCES):
        for code, w in _MIX[s].items():
            m[i, LEAF_INDEX[code]] = w
    return m / m.sum(axis=1, keepdims=True)


def _profile(points: dict[int, float]) -> np.ndarray:
    """24 hourly weights interpolated (circularly) between anchor hours."""
    hours = sorted(points)
    xs = np.array(hours + [hours[0] + 24], dtype=float)
    ys = np.array([points[h] for h in hours] + [points[hours[0]]])
    h = np.arange(24, dtype=float)
    return np.interp(np.where(h < hours[0], h + 24, h), xs, ys)


# office rhythm: peaks 9-11h and 14-17h
_OFFICE = _profile(
    {
        0: 0.08,
        5: 0.08,
        7: 0.4,
        9: 1.0,
        10: 1.0,
        11: 0.8,
        12: 0.45,
        13: 0.55,
        14: 0.95,
        16: 0.95,
        17: 0.7,
        19: 0.35,
        22: 0.15,
    }
)
HOURLY: dict[str, np.ndarray] = {
    "grid": _profile(
        {
            0: 0.02,
            6: 0.03,
            8: 0.6,
            9: 1.0,
            11: 0.9,
            12: 0.3,
            14: 0.9,
            16: 1.0,
            17: 0.6,
            18: 0.15,
            21: 0.04,
        }
    ),
    "hotline_12345": _OFFICE,
    "police_110": _profile(
        {0: 0.8, 3: 0.35, 6: 0.25, 9: 0.5, 12: 0.6, 15: 0.6, 18: 0.85, 20: 1.0, 22: 1.0}
    ),
    "iot": _profile({0: 0.7, 6: 0.75, 12: 1.0, 15: 1.0, 18: 0.85, 22: 0.75}),
    "public": _profile(
        {0: 0.1, 6: 0.15, 8: 0.6, 10: 1.0, 12: 0.7, 15: 0.9, 18: 0.8, 21: 0.7, 23: 0.3}
    ),
}
# category modifiers of the hourly rhythm
CAT_HOURLY: dict[str, np.ndarray] = {
    "service.noise": _profile({0: 1.6, 3: 0.4, 7: 0.3, 12: 0.6, 18: 1.4, 21: 2.2}),
    "safety.public_order": _profile({0: 1.6, 4: 0.6, 10: 0.6, 18: 1.0, 22: 1.8}),
    "safety.traffic_accident": _profile(
        {0: 0.5, 5: 0.3, 8: 1.6, 10: 1.0, 12: 1.0, 18: 1.6, 21: 0.8}
    ),
}
# Monday .. Sunday
WEEKLY: dict[str, np.ndarray] = {
    "grid": np.array([1.05, 1.0, 1.0, 1.0, 0.95, 0.45, 0.35]),
    "hotline_12345": np.array([1.1, 1.0, 1.0, 1.0, 0.95, 0.8, 0.8]),
    "police_110": np.array([0.9, 0.9, 0.9, 0.95, 1.15, 1.3, 1.2]),
    "iot": np.ones(7),
    "public": np.array([0.95, 0.95, 0.95, 0.95, 1.0, 1.15, 1.1]),
}
CAT_WEEKLY: dict[str, np.ndarray] = {
    "service.noise": np.array([0.9, 0.9, 0.9, 0.9, 1.1, 1.5, 1.4]),
}
# category -> (amplitude, peak day of year) of a yearly cosine; default mild summer peak
CAT_SEASON: dict[str, tuple[float, int]] = {
    "flood.waterlogging": (0.85, 190),
    "flood.landslide": (0.85, 190),
    "safety.fire_hazard": (0.35, 15),
    "eco.waste_burning": (0.5, 20),
    "eco.air_pollution": (0.4, 10),
    "service.power_outage": (0.35, 200),
    "service.water_supply": (0.25, 200),
}
DEFAULT_SEASON = (0.12, 200)


class Calendar:
    """The hourly time axis of the window ``[now - days, now)``."""

    def __init__(self, now: datetime, days: int = 365) -> None:
        self.now = now
        self.start = now - timedelta(days=days)
        self.n_hours = days * 24
        self.start64 = np.datetime64(self.start.replace(tzinfo=None), "s")
        slots = np.arange(self.n_hours, dtype=np.int64) * 3600 + LOCAL_OFFSET_H * 3600
        local = self.start64 + slots.astype("timedelta64[s]")
        self.local_hour = (local.astype(np.int64) // 3600) % 24
        days64 = local.astype("datetime64[D]")
        self.weekday = ((days64.astype(np.int64) + 3) % 7).astype(np.int64)  # Monday = 0
        self.doy = (days64 - days64.astype("datetime64[Y]")).astype(np.int64)

    def weights(self, source: str, code: str) -> np.ndarray:
        """Relative intensity of (source, category) in every hour of the window."""
        h = HOURLY[source][self.local_hour]
        if code in CAT_HOURLY:
            h = h * CAT_HOURLY[code][self.local_hour]
        w = WEEKLY[source][self.weekday]
        if code in CAT_WEEKLY:
            w = w * CAT_WEEKLY[code][self.weekday]
        amp, peak = CAT_SEASON.get(code, DEFAULT_SEASON)
        season = 1.0 + amp * np.cos(2 * np.pi * (self.doy - peak) / 365.0)
        return h * w * season

    def episode_start(self, month: int, day: int, days: int) -> int | None:
        """First hour index of the latest ``month-day`` episode fully inside the window."""
        for year in (self.now.year, self.now.year - 1):
            try:
                t0 = datetime(year, month, day, tzinfo=self.now.tzinfo)
            except ValueError:
                continue
            t0 -= timedelta(hours=LOCAL_OFFSET_H)  # local midnight
            if t0 >= self.start and t0 + timedelta(days=days) <= self.now:
                return int((t0 - self.start).total_seconds() // 3600)
        return None


# name, month, day, days, share of all incidents, categories, sources, hourly modifier
EPISODES: list[tuple[str, int, int, int, float, dict[str, float], dict[str, float]]] = [
    (
        "typhoon",
        8,
        27,
        5,
        0.025,
        {
            "flood.waterlogging": 0.55,
            "flood.landslide": 0.2,
            "service.power_outage": 0.15,
            "service.street_light": 0.05,
            "service.road_damage": 0.05,
        },
        {"grid": 0.3, "hotline_12345": 0.35, "iot": 0.2, "public": 0.15},
    ),
    (
        "dragon_boat_rain",
        6,
        8,
        4,
        0.012,
        {"flood.waterlogging": 0.8, "flood.landslide": 0.1, "service.road_damage": 0.1},
        {"grid": 0.35, "hotline_12345": 0.3, "iot": 0.25, "public": 0.1},
    ),
    (
        "national_day_noise",
        10,
        1,
        7,
        0.008,
        {"service.noise": 0.85, "safety.public_order": 0.15},
        {"hotline_12345": 0.6, "public": 0.25, "police_110": 0.15},
    ),
]

# reporting delay (minutes): lognormal (median, sigma) per source
DELAY: dict[str, tuple[float, float]] = {
    "grid": (30.0, 0.9),
    "hotline_12345": (90.0, 1.0),
    "police_110": (4.0, 0.6),
    "iot": (0.5, 0.5),
    "public": (240.0, 1.1),
}
