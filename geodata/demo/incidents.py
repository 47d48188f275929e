"""Synthetic incidents: where (spatial mixture), when (rhythms and episodes), what
(category mix per source). How far along the closed loop each one is comes after, from
its path (:mod:`geodata.demo.lifecycle`).

All draws come from one ``numpy.random.Generator``; static features (IoT sensors,
hotspots) come from a generator seeded by ``seed`` alone, so they persist across
batches added later with :func:`geodata.demo.seed_incidents`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from geodata.demo import planted, planted_spikes
from geodata.demo.catalog import LEAF_CODES, LEAF_INDEX, LEAVES
from geodata.demo.rhythms import (
    DELAY,
    EPISODES,
    SOURCE_SHARE,
    SOURCES,
    Calendar,
    mix_matrix,
)
from geodata.demo.spatial import COORD_DECIMALS, CityModel, weighted_choice
from geodata.demo.texts import AddressBook, descriptions
from geodata.hexagons import cells_for_points
from geodata.models import H3_RESOLUTIONS

log = logging.getLogger(__name__)

# IoT sensors per category: (count, placement) - "urban", "any" or "hills"
SENSORS: dict[str, tuple[int, str]] = {
    "safety.fire_hazard": (120, "urban"),
    "safety.gas_leak": (80, "urban"),
    "flood.waterlogging": (60, "urban"),
    "eco.water_pollution": (40, "any"),
    "eco.air_pollution": (30, "any"),
    "production.hazchem": (20, "any"),
    "flood.landslide": (25, "hills"),
}
# share of the general mixture drawn around hotspots (markets, nightlife), by category
HOT_SHARE = {
    "city.street_vending": 0.35,
    "city.clutter": 0.25,
    "city.garbage": 0.25,
    "service.noise": 0.3,
    "safety.public_order": 0.25,
}
N_HOTSPOTS = 15


@dataclass
class IncidentBatch:
    """Column arrays of incidents, ordered by ``occurred_at`` (and then id)."""

    ids: np.ndarray
    source: list[str]
    external_id: list[str]
    category: list[str]
    leaf: np.ndarray  # index into LEAF_CODES
    occurred: np.ndarray  # datetime64[s], UTC
    reported: np.ndarray
    grid_id: np.ndarray
    priority: np.ndarray
    description: list[str]
    address: list[str]
    x: np.ndarray
    y: np.ndarray
    h3: dict[int, np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)


class Placer:
    """Draws incident locations inside the city's grids."""

    def __init__(self, model: CityModel, hotspots: np.ndarray, seed: int) -> None:
        self.m = model
        self.seed = seed
        static = np.random.default_rng([seed, 9001])
        self.w_grid = model.grid_pop * np.where(model.grid_urban, 1.8, 1.0)
        self.w_comm = model.comm_pop * np.where(model.comm_urban, 1.5, 1.0)
        lat = model.grids.label[:, 1]
        self.w_hills = model.grid_area * np.clip(lat - 22.95, 0.01, None) * ~model.grid_urban
        if not self.w_hills.any():
            self.w_hills = model.grid_area.copy()
        self.w_urban = model.grid_pop * np.where(model.grid_urban, 4.0, 0.3)
        if len(hotspots):
            pick = static.choice(len(hotspots), size=min(N_HOTSPOTS, len(hotspots)), replace=False)
            self.hot = hotspots[np.sort(pick)]
        else:
            self.hot = model.comm_label[model.comm_urban][:N_HOTSPOTS]
        self.hot_w = static.lognormal(0.0, 0.6, len(self.hot))
        self.sensors: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for code, (count, where) in SENSORS.items():
            g = weighted_choice(static, self._weights(where), count)
            xs, ys = model.grids.sample_in(static, g)
            self.sensors[code] = (xs, ys, static.lognormal(0.0, 1.0, count))
        self.blind_spots = planted.spots_of(model, seed)

    def _weights(self, where: str) -> np.ndarray:
        return {"urban": self.w_urban, "hills": self.w_hills}.get(where, self.w_grid)

    def in_grids(
        self, rng: np.random.Generator, n: int, where: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Uniform points in grids weighted for ``where``."""
        return self.m.grids.sample_in(rng, weighted_choice(rng, self._weights(where), n))

    def at_sensors(
        self, rng: np.random.Generator, code: str, n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        xs, ys, w = self.sensors[code]
        s = weighted_choice(rng, w, n)
        return xs[s], ys[s]

    def mixture(
        self, rng: np.random.Generator, hot_share: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gaussian mixture around grid and community centres, town seats and hotspots;
        points falling outside every grid (the sea) are redrawn."""
        m, n = self.m, len(hot_share)
        comp = rng.choice(3, size=n, p=[0.55, 0.28, 0.17])
        comp = np.where(rng.random(n) < hot_share, 3, comp)
        cx, cy, sig = np.empty(n), np.empty(n), np.empty(n)
        for k in range(4):
            sel = np.flatnonzero(comp == k)
            if not len(sel):
                continue
            if k == 0:
                i = weighted_choice(rng, self.w_grid, len(sel))
                c, s = m.grids.label[i], 0.45 * np.sqrt(m.grid_area[i])
            elif k == 1:
                i = weighted_choice(rng, self.w_comm, len(sel))
                c, s = m.comm_label[i], 0.5 * np.sqrt(m.comm_area[i])
            elif k == 2:
                i = weighted_choice(rng, m.street_pop, len(sel))
                c, s = m.street_seat[i], np.full(len(sel), 0.008)
            else:
                i = weighted_choice(rng, self.hot_w, len(sel))
                c, s = self.hot[i], np.full(len(sel), 0.0012)
            cx[sel], cy[sel], sig[sel] = c[:, 0], c[:, 1], s
        xs, ys = np.empty(n), np.empty(n)
        pending = np.arange(n)
        for _ in range(40):
            if not len(pending):
                break
            x = np.round(
                cx[pending] + rng.normal(0.0, 1.0, len(pending)) * sig[pending], COORD_DECIMALS
            )
            y = np.round(
                cy[pending] + rng.normal(0.0, 1.0, len(pending)) * sig[pending], COORD_DECIMALS
            )
            ok = m.grids.locate(x, y) >= 0
            xs[pending[ok]], ys[pending[ok]] = x[ok], y[ok]
            pending = pending[~ok]
        if len(pending):
            xs[pending], ys[pending] = self.in_grids(rng, len(pending), "any")
        return xs, ys


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _when_and_what(rng: np.random.Generator, cal: Calendar, n: int) -> tuple[np.ndarray, ...]:
    """(source index, leaf index, hour index, episode flag) of ``n`` incidents."""
    n_epi = [int(round(share * n)) for *_, share, _c, _s in EPISODES]
    n_base = n - sum(n_epi)
    src = rng.choice(len(SOURCES), size=n_base, p=[SOURCE_SHARE[s] for s in SOURCES])
    cat = np.empty(n_base, dtype=np.int64)
    mix = mix_matrix()
    for s in range(len(SOURCES)):
        sel = np.flatnonzero(src == s)
        cat[sel] = rng.choice(len(LEAF_CODES), size=len(sel), p=mix[s])
    hour = np.empty(n_base, dtype=np.int64)
    for s in range(len(SOURCES)):
        for c in range(len(LEAF_CODES)):
            sel = np.flatnonzero((src == s) & (cat == c))
            if len(sel):
                w = cal.weights(SOURCES[s], LEAF_CODES[c])
                hour[sel] = rng.choice(cal.n_hours, size=len(sel), p=w / w.sum())
    parts = [(src, cat, hour, np.zeros(n_base, dtype=bool))]
    for (name, month, day, days, _share, cats, srcs), k in zip(EPISODES, n_epi, strict=True):
        h0 = cal.episode_start(month, day, days)
        if h0 is None:  # cannot happen for a 365-day window; keep the count anyway
            log.warning("episode %s is outside the window", name)
            h0 = 0
        e_src = np.array([SOURCES.index(s) for s in _pick(rng, srcs, k)], dtype=np.int64)
        e_cat = np.array([LEAF_INDEX[c] for c in _pick(rng, cats, k)], dtype=np.int64)
        ramp = np.sin(np.linspace(0.15, np.pi - 0.15, days * 24)) ** 2  # builds up, fades
        evening = cal.local_hour[h0 : h0 + days * 24] >= 18
        hw = ramp * (1.0 + (2.0 if name.endswith("noise") else 0.3) * evening)
        e_hour = h0 + rng.choice(days * 24, size=k, p=hw / hw.sum())
        parts.append((e_src, e_cat, e_hour, np.ones(k, dtype=bool)))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))


def _locate_all(
    rng: np.random.Generator, placer: Placer, src: np.ndarray, cat: np.ndarray, episode: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(src)
    xs, ys = np.empty(n), np.empty(n)
    iot = SOURCES.index("iot")
    waterlog, landslide = LEAF_INDEX["flood.waterlogging"], LEAF_INDEX["flood.landslide"]
    done = np.zeros(n, dtype=bool)
    for code in SENSORS:
        sel = np.flatnonzero((src == iot) & (cat == LEAF_INDEX[code]))
        xs[sel], ys[sel] = placer.at_sensors(rng, code, len(sel))
        done[sel] = True
    sel = np.flatnonzero(~done & (cat == landslide))
    xs[sel], ys[sel] = placer.in_grids(rng, len(sel), "hills")
    done[sel] = True
    sel = np.flatnonzero(~done & (cat == waterlog) & ((rng.random(n) < 0.7) | episode))
    xs[sel], ys[sel] = placer.in_grids(rng, len(sel), "urban")
    done[sel] = True
    sel = np.flatnonzero(~done)
    hot = np.array([HOT_SHARE.get(code, 0.08) for code in LEAF_CODES])[cat[sel]]
    xs[sel], ys[sel] = placer.mixture(rng, hot)
    return xs, ys


def generate(
    rng: np.random.Generator,
    model: CityModel,
    book: AddressBook,
    placer: Placer,
    n: int,
    now: datetime,
    first_id: int,
    serial_start: dict[str, int],
    prefix: str,
) -> IncidentBatch:
    """``n`` incidents over the 365 days before ``now`` with ids from ``first_id``.

    ``serial_start[source]`` is the last serial already used for that source.
    """
    cal = Calendar(now)
    src, cat, hour, episode = _when_and_what(rng, cal, n)
    xs, ys = _locate_all(rng, placer, src, cat, episode)
    # its own stream: the city's other draws stay exactly as they were without planting
    own = np.random.default_rng([placer.seed, planted.BATCH_STREAM, first_id])
    planted.plant(own, placer.blind_spots, model.grids, src, cat, xs, ys, episode)
    planted_spikes.plant(rng, model, cal, src, cat, hour, xs, ys)  # 突增预警 has something to find
    g = model.grids.locate(xs, ys)
    if (g < 0).any():  # sensors and uniform draws are inside by construction
        raise RuntimeError(f"{int((g < 0).sum())} incident points outside every grid")
    occurred = cal.start64 + (hour * 3600 + rng.integers(0, 3600, n)).astype("timedelta64[s]")
    med = np.array([DELAY[s][0] for s in SOURCES])[src]
    sig = np.array([DELAY[s][1] for s in SOURCES])[src]
    delay_s = np.maximum(np.rint(60 * med * rng.lognormal(0.0, 1.0, n) ** sig), 5).astype(np.int64)
    now64 = np.datetime64(now.replace(tzinfo=None), "s")
    reported = np.minimum(occurred + delay_s.astype("timedelta64[s]"), now64)
    order = np.lexsort((np.arange(n), occurred))
    src, cat, xs, ys, g = src[order], cat[order], xs[order], ys[order], g[order]
    occurred, reported = occurred[order], reported[order]
    default = np.array([leaf.priority for leaf in LEAVES])[cat]
    r = rng.random(n)
    shift = np.clip(default + rng.choice([-1, 1], size=n), 1, 4)
    priority = np.where(r < 0.5, default, np.where(r < 0.85, 3, shift)).astype(np.int64)
    k, num = rng.integers(0, 4, n), rng.integers(1, 300, n)
    address, short = book.addresses(g, k, num)
    source = [SOURCES[s] for s in src.tolist()]
    desc = descriptions(rng, source, cat, short)
    counters = dict(serial_start)
    ext: list[str] = []
    for s in source:
        counters[s] = counters.get(s, 0) + 1
        ext.append(f"{prefix}-{s}-{counters[s]:07d}")
    lats, lons = ys.tolist(), xs.tolist()
    h3 = cells_for_points(lats, lons, H3_RESOLUTIONS)
    return IncidentBatch(
        ids=np.arange(first_id, first_id + n, dtype=np.int64),
        source=source,
        external_id=ext,
        category=[LEAF_CODES[c] for c in cat.tolist()],
        leaf=cat,
        occurred=occurred,
        reported=reported,
        grid_id=model.grids.ids[g],
        priority=priority,
        description=desc,
        address=address,
        x=xs,
        y=ys,
        h3=h3,
    )
