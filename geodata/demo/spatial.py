"""A compact, array-based view of the city used to place sites, persons and incidents.

The same :class:`CityModel` is built from the in-memory hierarchy (``seed``) or read
back from the database (``seed_incidents``), so both paths place points identically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.models import AreaLevel

COORD_DECIMALS = 7  # ~1 cm; points are rounded before they are located

# (id, code, name, level, parent_id, is_urban, population, geom, label_x, label_y)
AreaTuple = tuple[int, str, str, str, int | None, bool, int | None, object, float, float]


@dataclass
class GridIndex:
    """Grids as arrays plus an STRtree for bulk point-in-polygon."""

    ids: np.ndarray  # int64 area ids
    geoms: np.ndarray  # object array of MultiPolygons
    bounds: np.ndarray  # (n, 4)
    label: np.ndarray  # (n, 2)
    tree: STRtree

    @classmethod
    def build(cls, ids: Sequence[int], geoms: Sequence[object], label: np.ndarray) -> GridIndex:
        arr = np.asarray(geoms, dtype=object)
        shapely.prepare(arr)
        return cls(np.asarray(ids, dtype=np.int64), arr, shapely.bounds(arr), label, STRtree(arr))

    def __len__(self) -> int:
        return len(self.ids)

    def locate(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Index of the grid strictly containing each point, -1 where there is none.

        One bulk STRtree query; a point on a shared border goes to the lower index.
        """
        out = np.full(len(xs), -1, dtype=np.int64)
        if not len(xs):
            return out
        pts = shapely.points(xs, ys)
        inp, hit = self.tree.query(pts, predicate="within")
        if len(inp):
            order = np.lexsort((hit, inp))
            inp, hit = inp[order], hit[order]
            first = np.unique(inp, return_index=True)[1]
            out[inp[first]] = hit[first]
        return out

    def sample_in(
        self, rng: np.random.Generator, idx: np.ndarray, max_rounds: int = 60
    ) -> tuple[np.ndarray, np.ndarray]:
        """A uniform random point inside grid ``idx[i]`` for each i (rounded)."""
        n = len(idx)
        xs, ys = np.empty(n), np.empty(n)
        pending = np.arange(n)
        for _ in range(max_rounds):
            if not len(pending):
                break
            b = self.bounds[idx[pending]]
            x = np.round(rng.uniform(b[:, 0], b[:, 2]), COORD_DECIMALS)
            y = np.round(rng.uniform(b[:, 1], b[:, 3]), COORD_DECIMALS)
            ok = shapely.contains_xy(self.geoms[idx[pending]], x, y)
            xs[pending[ok]], ys[pending[ok]] = x[ok], y[ok]
            pending = pending[~ok]
        if len(pending):  # thin shapes: the label point is always inside
            xs[pending], ys[pending] = self.label[idx[pending], 0], self.label[idx[pending], 1]
        return xs, ys


@dataclass
class CityModel:
    """Arrays describing grids, communities and towns of the city (index-aligned)."""

    grids: GridIndex
    grid_pop: np.ndarray
    grid_urban: np.ndarray
    grid_area: np.ndarray
    grid_comm: np.ndarray  # index into the community arrays
    comm_name: list[str]
    comm_code: list[str]
    comm_urban: np.ndarray
    comm_label: np.ndarray
    comm_area: np.ndarray
    comm_pop: np.ndarray
    comm_street: np.ndarray  # index into the street arrays
    street_name: list[str]
    street_county: np.ndarray
    street_pop: np.ndarray
    street_seat: np.ndarray  # label point of the street's first (seat) community
    county_name: list[str]

    def grid_place(self, g: int) -> tuple[str, str, str]:
        """(county, street, community) names of grid index ``g``."""
        c = int(self.grid_comm[g])
        s = int(self.comm_street[c])
        return self.county_name[int(self.street_county[s])], self.street_name[s], self.comm_name[c]


def city_model(areas: Sequence[AreaTuple]) -> CityModel:
    """Build the model from area tuples ordered by id (see :data:`AreaTuple`)."""
    by_level: dict[str, list[AreaTuple]] = {lv.value: [] for lv in AreaLevel}
    for a in areas:
        by_level[a[3]].append(a)
    counties = by_level[AreaLevel.COUNTY.value]
    streets = by_level[AreaLevel.STREET.value]
    comms = by_level[AreaLevel.COMMUNITY.value]
    grids = by_level[AreaLevel.GRID.value]
    county_ix = {a[0]: i for i, a in enumerate(counties)}
    street_ix = {a[0]: i for i, a in enumerate(streets)}
    comm_ix = {a[0]: i for i, a in enumerate(comms)}
    g_geoms = [a[7] for a in grids]
    g_label = np.array([(a[8], a[9]) for a in grids], dtype=float).reshape(-1, 2)
    c_geoms = np.asarray([a[7] for a in comms], dtype=object)
    # the seat community of a town is its lowest code (serial 001)
    seat = np.zeros((len(streets), 2))
    seen: set[int] = set()
    for a in sorted(comms, key=lambda r: r[1]):
        s = street_ix[a[4]]  # type: ignore[index]
        if s not in seen:
            seen.add(s)
            seat[s] = (a[8], a[9])
    return CityModel(
        grids=GridIndex.build([a[0] for a in grids], g_geoms, g_label),
        grid_pop=np.array([a[6] or 0 for a in grids], dtype=float),
        grid_urban=np.array([a[5] for a in grids], dtype=bool),
        grid_area=shapely.area(np.asarray(g_geoms, dtype=object)),
        grid_comm=np.array([comm_ix[a[4]] for a in grids], dtype=np.int64),  # type: ignore[index]
        comm_name=[a[2] for a in comms],
        comm_code=[a[1] for a in comms],
        comm_urban=np.array([a[5] for a in comms], dtype=bool),
        comm_label=np.array([(a[8], a[9]) for a in comms], dtype=float).reshape(-1, 2),
        comm_area=shapely.area(c_geoms),
        comm_pop=np.array([a[6] or 0 for a in comms], dtype=float),
        comm_street=np.array([street_ix[a[4]] for a in comms], dtype=np.int64),  # type: ignore[index]
        street_name=[a[2] for a in streets],
        street_county=np.array([county_ix[a[4]] for a in streets], dtype=np.int64),  # type: ignore[index]
        street_pop=np.array([a[6] or 0 for a in streets], dtype=float),
        street_seat=seat,
        county_name=[a[2] for a in counties],
    )


def load_city_model(session: Session) -> CityModel:
    """Read the hierarchy back from the database (geometries exactly, via WKB)."""
    rows = session.execute(
        text(
            "SELECT id, code, name, level, parent_id, is_urban, population, "
            "ST_AsBinary(geom), ST_X(label_point), ST_Y(label_point) FROM area ORDER BY id"
        )
    ).all()
    geoms = shapely.from_wkb([bytes(r[7]) for r in rows])
    areas: list[AreaTuple] = [
        (r[0], r[1], r[2], r[3], r[4], r[5], r[6], g, r[8], r[9])
        for r, g in zip(rows, geoms, strict=True)
    ]
    return city_model(areas)


def weighted_choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """``size`` indices drawn with probability proportional to ``weights``."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())
