"""Planted blind spots (逆向倒查): places where residents keep reporting one kind of problem
through 12345, 110 and public reports while the grid itself never reports it.

The reverse cross-check (``governance/crosscheck.py``) must visibly find something in the
demo city, and the tests check that it finds exactly what was planted. A synthetic city
drawn from one mixture has no blind spot of its own, so :data:`N_BLIND_SPOTS` are planted:

* **Where and what.** ``N_BLIND_SPOTS`` distinct grids, busy urban ones likely (drawn by
  population with the urban weight, from a generator seeded by ``seed`` alone, so every
  batch added later plants in the same places), the first inside the city's first street
  (lowest code: the street of the demo supervisor), each paired with one of
  :data:`CATEGORIES` in order: kinds a grid worker walking the streets would see.
* **Residents report it.** In every batch, :func:`per_spot` residents' reports (12345, 110,
  public; never sensors, never a seasonal episode) of the batch are moved into the grid
  (around one place in it, :func:`around_place`) and become that category: about
  ``max(MIN_PER_BATCH, SHARE * batch size)`` per spot per year of incidents.
* **The grid does not.** Every grid report of that category that falls in that grid
  becomes a 12345 report: the grid's own share of it is zero.

One kind of blind spot exists without planting: the National Day noise episode
(``rhythms.EPISODES``) is reported by residents only, around the nightlife hotspots, so a
cross-check over a period holding early October also lists noise there.

Ids, times and the rest of each incident are left as drawn, so the city's volume, rhythm
and channel mix barely move (a few hundred reports in 200,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from geodata.demo.catalog import LEAF_INDEX
from geodata.demo.rhythms import SOURCES
from geodata.demo.spatial import COORD_DECIMALS, CityModel, GridIndex

N_BLIND_SPOTS: Final = 6
CATEGORIES: Final = (
    "city.garbage",
    "city.clutter",
    "service.road_damage",
    "service.street_light",
    "city.street_vending",
    "service.noise",
)
SHARE: Final = 0.0008  # residents' reports moved per spot, as a share of the batch
MIN_PER_BATCH: Final = 40
RESIDENT_CHANNELS: Final = ("hotline_12345", "police_110", "public")
STATIC_STREAM: Final = 9101  # the generator of the places: [seed, STATIC_STREAM]
PLACE_SPREAD: Final = 0.0008  # degrees (~80 m): how far around its place a spot is reported
BATCH_STREAM: Final = 9102  # the moves of a batch: [seed, BATCH_STREAM, its first id]


@dataclass(frozen=True)
class BlindSpot:
    grid: int  # index into the city model's grids
    category: str


def blind_spots(seed: int, grid_weights: np.ndarray, first_street: np.ndarray) -> list[BlindSpot]:
    """The planted blind spots of the city drawn with ``seed`` (same seed, same spots).
    The first lies in the grids marked ``first_street`` (the street the demo supervisor
    oversees, so the supervisor's cross-check has something to show), the others anywhere.
    """
    static = np.random.default_rng([seed, STATIC_STREAM])
    w = np.asarray(grid_weights, dtype=float) + 1e-9  # every grid possible, busy ones likely
    first = np.flatnonzero(first_street)
    picked: list[int] = []
    if len(first):
        picked.append(int(static.choice(first, p=w[first] / w[first].sum())))
    rest = np.setdiff1d(np.arange(len(w)), picked)
    n = min(N_BLIND_SPOTS - len(picked), len(rest))
    picked += [
        int(g) for g in static.choice(rest, size=n, replace=False, p=w[rest] / w[rest].sum())
    ]
    return [BlindSpot(g, CATEGORIES[k]) for k, g in enumerate(picked)]


def spots_of(model: CityModel, seed: int) -> list[BlindSpot]:
    """The planted blind spots of the demo city ``model`` seeded with ``seed`` (the
    placer's urban weight; the first street by code)."""
    w = model.grid_pop * np.where(model.grid_urban, 4.0, 0.3)
    street = np.array([c[:9] for c in model.comm_code], dtype=object)[model.grid_comm]
    first = street == min(street) if len(street) else np.zeros(0, dtype=bool)
    return blind_spots(seed, w, first)


def per_spot(batch: int) -> int:
    """Residents' reports moved into each planted spot in a batch of ``batch`` incidents."""
    return max(MIN_PER_BATCH, int(round(SHARE * batch)))


def around_place(
    rng: np.random.Generator, grids: GridIndex, grid: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` points around the spot's place in ``grid`` (a point drawn once per grid):
    within about :data:`PLACE_SPREAD` degrees of it, inside the grid (else the place
    itself). A blind spot is a place (a market corner, a back street), so the cross-check
    finds it in the grid's H3 cells too, not only in the grid's total."""
    cx, cy = grids.sample_in(np.random.default_rng([grid, STATIC_STREAM]), np.array([grid]))
    x = np.round(cx[0] + rng.normal(0.0, PLACE_SPREAD, k), COORD_DECIMALS)
    y = np.round(cy[0] + rng.normal(0.0, PLACE_SPREAD, k), COORD_DECIMALS)
    outside = grids.locate(x, y) != grid
    x[outside], y[outside] = cx[0], cy[0]
    return x, y


def plant(
    rng: np.random.Generator,
    spots: list[BlindSpot],
    grids: GridIndex,
    src: np.ndarray,
    cat: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    episode: np.ndarray,
) -> None:
    """Plant ``spots`` in one batch, in place (arrays aligned: source index, leaf index,
    longitude, latitude, episode flag)."""
    residents = np.isin(src, [SOURCES.index(s) for s in RESIDENT_CHANNELS]) & ~episode
    pool = np.flatnonzero(residents)
    k = min(per_spot(len(src)), len(pool) // max(1, len(spots)))
    if not spots or k == 0:
        return
    moved = rng.choice(pool, size=k * len(spots), replace=False).reshape(len(spots), k)
    for spot, rows in zip(spots, moved, strict=True):
        px, py = around_place(rng, grids, spot.grid, k)
        xs[rows], ys[rows], cat[rows] = px, py, LEAF_INDEX[spot.category]
    g = grids.locate(xs, ys)
    grid, hotline = SOURCES.index("grid"), SOURCES.index("hotline_12345")
    for spot in spots:
        own = (src == grid) & (g == spot.grid) & (cat == LEAF_INDEX[spot.category])
        src[own] = hotline
