"""Spikes planted in the demo city, so that the spike warnings (突增预警,
``governance/spikes.py``) visibly find something in a fresh demo and the tests can check
that they do.

Two bursts in the last hours before ``now`` (the end of the demo's window):

* 香洲街道 (城区, street code 441502001000): **city.garbage** (垃圾堆放), spread over the
  hours from 7 to 1 hour before ``now``, reported by the 12345 hotline and the public, as
  after a missed collection round in the old town;
* 城东街道 (陆丰市, street code 441581002000): **service.water_supply** (供水), in the
  4 hours before ``now``, as after a burst main.

Each batch of generated incidents (:func:`geodata.demo.incidents.generate`) turns
:func:`burst_size` of its own incidents into each burst: at least :data:`MIN_BURST`, and
more in a bigger city (6 per 100,000 incidents), so the burst stays several times the
street's usual count for that category at any size of city: the 2,000 and 20,000
incidents of the tests (about 0.02 and 0.2 such reports a day there) as well as the
1,000,000 of the benchmark (about 8 a day; 4 batches plant 15 each). The incidents taken
are drawn at random from the batch, so the city's total count is unchanged, and with a
generator spawned from the batch's own, so every other draw stays what it was. A street
missing from the city (another installation's areas) plants nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from geodata.demo.catalog import LEAF_INDEX
from geodata.demo.rhythms import SOURCES, Calendar
from geodata.demo.spatial import CityModel


@dataclass(frozen=True)
class Planted:
    """One burst: where, what, and in which hours before ``now`` (``first`` to ``last``
    hours before, ``first > last >= 0``)."""

    street_code: str
    category: str
    first: int
    last: int
    sources: tuple[str, ...]


PLANTED: Final = (
    Planted("441502001000", "city.garbage", 7, 1, ("hotline_12345", "public")),
    Planted("441581002000", "service.water_supply", 4, 0, ("hotline_12345", "police_110")),
)
MIN_BURST: Final = 12
PER_INCIDENT: Final = 6e-5


def burst_size(n: int) -> int:
    """Incidents each burst takes from a batch of ``n``."""
    return max(MIN_BURST, round(n * PER_INCIDENT))


def _street_grids(model: CityModel, street_code: str) -> np.ndarray:
    prefix = street_code[:9]
    comms = np.array([c[:9] == prefix for c in model.comm_code], dtype=bool)
    return np.flatnonzero(comms[model.grid_comm])


def plant(
    rng: np.random.Generator,
    model: CityModel,
    cal: Calendar,
    src: np.ndarray,
    cat: np.ndarray,
    hour: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
) -> None:
    """Turn some of the batch's incidents (source index, leaf index, hour index into
    ``cal``, point) into the :data:`PLANTED` bursts, in place."""
    own = rng.spawn(1)[0]  # leaves ``rng``'s own sequence untouched
    n = len(src)
    free = np.ones(n, dtype=bool)
    for burst in PLANTED:
        grids = _street_grids(model, burst.street_code)
        k = burst_size(n)
        if not len(grids) or free.sum() < k or burst.category not in LEAF_INDEX:
            continue
        take = own.choice(np.flatnonzero(free), size=k, replace=False)
        free[take] = False
        src[take] = [SOURCES.index(own.choice(burst.sources)) for _ in range(k)]
        cat[take] = LEAF_INDEX[burst.category]
        hour[take] = cal.n_hours - own.integers(burst.last + 1, burst.first + 1, k)
        xs[take], ys[take] = model.grids.sample_in(own, own.choice(grids, k))
