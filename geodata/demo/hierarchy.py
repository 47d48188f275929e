"""The area hierarchy of the demo city: county > street/town > community > grid.

Counties are real; below them every level is a Voronoi tiling of its parent, seeded
around real or approximate town seats, so children tile their parent exactly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import MultiPolygon, Point

from geodata.demo.boundaries import (
    COUNTY_SEAT_TOWN,
    OFFSHORE_TOWN,
    County,
    TownSeat,
    load_counties,
    load_town_seats,
)
from geodata.demo.catalog import (
    GIVEN,
    PLACE_HEAD,
    PLACE_TAIL,
    SURNAMES,
    URBAN_TAIL,
    cn_number,
    stem,
)
from geodata.demo.geometry import (
    FAR_GAP,
    as_multipolygon,
    sample_uniform,
    spaced_seeds,
    split_far_parts,
    tile,
)
from geodata.models import AreaLevel

log = logging.getLogger(__name__)


@dataclass
class AreaRow:
    """One ``area`` row, with its id assigned in Python so children know their parent."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    is_urban: bool
    geom: MultiPolygon
    label: Point
    population: int | None = None
    worker_name: str | None = None
    worker_phone: str | None = None
    seat: tuple[float, float] | None = None  # streets only (not stored)


@dataclass
class City:
    """The whole hierarchy, ordered by id (counties, streets, communities, grids)."""

    areas: list[AreaRow]

    def level(self, level: AreaLevel) -> list[AreaRow]:
        return [a for a in self.areas if a.level == level.value]


def _row(ids: list[int], **kw: object) -> AreaRow:
    ids[0] += 1
    geom = kw["geom"]
    if not isinstance(geom, MultiPolygon) or geom.is_empty:
        raise ValueError(f"area {kw['code']} needs a non-empty MultiPolygon")
    return AreaRow(id=ids[0], label=geom.point_on_surface(), **kw)  # type: ignore[arg-type]


def _streets(
    county: County, seats: list[TownSeat], parent_id: int, ids: list[int]
) -> list[AreaRow]:
    """Voronoi cells of the town seats clipped to the county; offshore parts go to the
    town in :data:`OFFSHORE_TOWN` (or the nearest seat)."""
    main, far = split_far_parts(county.geom)
    # streets (街道) first, then towns (镇), in file order
    seats = [s for s in seats if s.kind == "street"] + [s for s in seats if s.kind != "street"]
    xy = np.array([(s.lon, s.lat) for s in seats])
    cells = tile(main, xy)
    owner = OFFSHORE_TOWN.get(county.adcode)
    for part in far:
        idx = next((i for i, s in enumerate(seats) if s.name == owner), None)
        if idx is None:
            c = part.point_on_surface()
            idx = int(np.argmin(np.hypot(xy[:, 0] - c.x, xy[:, 1] - c.y)))
        cells[idx] = as_multipolygon(shapely.union_all([cells[idx], part]))
    rows: list[AreaRow] = []
    n_street = n_town = 0
    for seat, cell in zip(seats, cells, strict=True):
        if cell.is_empty:
            log.warning("seat %s of %s has an empty cell: dropped", seat.name, county.name)
            continue
        if seat.kind == "street":
            n_street += 1
            serial = n_street
        else:
            n_town += 1
            serial = 100 + n_town
        urban = seat.kind == "street" or seat.name == COUNTY_SEAT_TOWN.get(county.adcode)
        rows.append(
            _row(
                ids,
                code=f"{county.adcode}{serial:03d}000",
                name=seat.name,
                level=AreaLevel.STREET.value,
                parent_id=parent_id,
                is_urban=urban,
                geom=cell,
                seat=(seat.lon, seat.lat),
            )
        )
    return rows


def _community_seeds(rng: np.random.Generator, town: AreaRow, n: int) -> tuple[np.ndarray, float]:
    """Seeds of a town's communities: the seat, then a 60/40 mixture of points around
    the seat and uniform points; one extra seed per offshore part."""
    near, far = split_far_parts(town.geom, anchor=town.seat)
    sx, sy = town.seat  # type: ignore[misc]
    area = near.area
    sigma = 0.28 * np.sqrt(area) * (0.8 if town.is_urban else 1.0)
    k = 30 * n
    gauss = np.column_stack([rng.normal(sx, sigma, k), rng.normal(sy, sigma, k)])
    unif = sample_uniform(rng, near, k)
    pick = rng.random(k) < 0.6
    cands = np.where(pick[:, None], gauss, unif)
    fixed = [(sx, sy)] + [(p.point_on_surface().x, p.point_on_surface().y) for p in far]
    min_dist = 0.3 * np.sqrt(area / n)
    seeds = spaced_seeds(rng, near, cands, n + len(far), min_dist, fixed=fixed)
    return seeds, float(sigma)


def _unique_name(rng: np.random.Generator, used: set[str], make: list[str], suffix: str) -> str:
    for _ in range(200):
        name = "".join(make[int(i)] for i in rng.integers(0, len(make), 2)) + suffix
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("name pool exhausted")  # pragma: no cover


def _communities(rng: np.random.Generator, town: AreaRow, ids: list[int]) -> list[AreaRow]:
    area = split_far_parts(town.geom, anchor=town.seat)[0].area
    n = int(np.clip(round(5 + 900 * area + (3 if town.is_urban else 0)), 6, 20))
    seeds, sigma = _community_seeds(rng, town, n)
    cells = tile(town.geom, seeds)
    sx, sy = town.seat  # type: ignore[misc]
    dist = np.hypot(seeds[:, 0] - sx, seeds[:, 1] - sy)
    all_urban = int(town.code[6:9]) < 100  # 街道 (serials 001-099): every community is a 社区
    radius = (1.2 if town.is_urban else 0.45) * sigma
    base = stem(town.name)
    used: set[str] = set()
    specs: list[tuple[bool, str, MultiPolygon]] = []
    for i, cell in enumerate(cells):
        if cell.is_empty:
            continue
        urban = all_urban or i == 0 or bool(dist[i] < radius)
        if urban:
            if i == 0:
                name = base + "社区"
                used.add(name)
            else:
                for tail in rng.permutation(URBAN_TAIL).tolist():
                    name = base + tail + "社区"
                    if name not in used:
                        used.add(name)
                        break
                else:
                    name = _unique_name(rng, used, PLACE_HEAD + PLACE_TAIL, "社区")
        else:
            head = PLACE_HEAD[int(rng.integers(len(PLACE_HEAD)))]
            tail = PLACE_TAIL[int(rng.integers(len(PLACE_TAIL)))]
            name = head + tail + "村"
            if name in used:
                name = _unique_name(rng, used, PLACE_HEAD + PLACE_TAIL, "村")
            used.add(name)
        specs.append((urban, name, cell))
    rows: list[AreaRow] = []
    n_urban = n_rural = 0
    for urban, name, cell in sorted(specs, key=lambda s: not s[0]):  # 社区 first (stable)
        if urban:
            n_urban += 1
            serial = n_urban
        else:
            n_rural += 1
            serial = 200 + n_rural
        rows.append(
            _row(
                ids,
                code=f"{town.code[:9]}{serial:03d}",
                name=name,
                level=AreaLevel.COMMUNITY.value,
                parent_id=town.id,
                is_urban=urban,
                geom=cell,
            )
        )
    return rows


def _grids(
    rng: np.random.Generator,
    comm: AreaRow,
    county_main: MultiPolygon,
    ids: list[int],
    phone_serial: list[int],
) -> list[AreaRow]:
    near, far = split_far_parts(comm.geom)
    if comm.is_urban:
        n = int(rng.integers(4, 9))
    else:
        n = int(np.clip(round(1.5 + 250 * near.area + rng.integers(0, 2)), 2, 5))
    cands = sample_uniform(rng, near, 40 * n)
    fixed = [(p.point_on_surface().x, p.point_on_surface().y) for p in far]
    seeds = spaced_seeds(rng, near, cands, n + len(far), 0.35 * np.sqrt(near.area / n), fixed=fixed)
    cells = [c for c in tile(comm.geom, seeds) if not c.is_empty]
    rows: list[AreaRow] = []
    for i, cell in enumerate(cells, start=1):
        label = cell.point_on_surface()
        if comm.is_urban:
            pop = int(rng.integers(1000, 1501))
        else:
            pop = int(rng.integers(400, 1001))
        if label.distance(county_main) > FAR_GAP / 2:  # offshore: a few fishermen
            pop = int(rng.integers(10, 80))
        phone_serial[0] += 1
        surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
        given = "".join(GIVEN[int(j)] for j in rng.integers(0, len(GIVEN), 2))
        rows.append(
            _row(
                ids,
                code=f"{comm.code}{i:03d}",
                name=f"{comm.name}第{cn_number(i)}网格",
                level=AreaLevel.GRID.value,
                parent_id=comm.id,
                is_urban=comm.is_urban,
                geom=cell,
                population=pop,
                worker_name=surname + given,
                worker_phone=f"199000{phone_serial[0]:05d}",
            )
        )
    return rows


def build_city(rng: np.random.Generator) -> City:
    """Build every area row of the demo city (ids 1.. top-down, level by level)."""
    counties = load_counties()
    seats = load_town_seats(counties)
    ids = [0]
    county_rows = [
        _row(
            ids,
            code=c.adcode + "000000",
            name=c.name,
            level=AreaLevel.COUNTY.value,
            parent_id=None,
            is_urban=c.adcode == "441502",
            geom=c.geom,
        )
        for c in counties
    ]
    streets: list[AreaRow] = []
    for c, row in zip(counties, county_rows, strict=True):
        streets += _streets(c, [s for s in seats if s.county_adcode == c.adcode], row.id, ids)
    communities: list[AreaRow] = []
    for town in streets:
        communities += _communities(rng, town, ids)
    mains = {r.id: split_far_parts(r.geom)[0] for r in county_rows}
    street_county = {s.id: s.parent_id for s in streets}
    grids: list[AreaRow] = []
    phone_serial = [0]
    for comm in communities:
        main = mains[street_county[comm.parent_id]]  # type: ignore[index]
        grids += _grids(rng, comm, main, ids, phone_serial)
    _roll_up_population(county_rows + streets + communities, grids)
    log.info(
        "demo city: %d counties, %d streets/towns, %d communities, %d grids",
        len(county_rows),
        len(streets),
        len(communities),
        len(grids),
    )
    return City(county_rows + streets + communities + grids)


def _roll_up_population(upper: list[AreaRow], grids: list[AreaRow]) -> None:
    by_id = {a.id: a for a in upper}
    for a in upper:
        a.population = 0
    for g in grids:
        pid = g.parent_id
        while pid is not None:
            parent = by_id[pid]
            parent.population = (parent.population or 0) + (g.population or 0)
            pid = parent.parent_id
