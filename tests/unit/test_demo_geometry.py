"""Pure-geometry pieces of the demo city: Voronoi tiling, sampling, seat placement."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Polygon

from geodata.demo.geometry import (
    as_multipolygon,
    place_inside,
    sample_uniform,
    spaced_seeds,
    split_far_parts,
    tile,
)

# an L-shaped "county" with a far island
MAIN = Polygon([(0, 0), (1, 0), (1, 0.4), (0.4, 0.4), (0.4, 1), (0, 1)])
ISLAND = Polygon([(3, 3), (3.2, 3), (3.2, 3.1), (3, 3.1)])
COUNTY = MultiPolygon([MAIN, ISLAND])


def _assert_tiles(parent: MultiPolygon, children: list[MultiPolygon]) -> None:
    kids = [c for c in children if not c.is_empty]
    assert all(c.is_valid and isinstance(c, MultiPolygon) for c in kids)
    assert abs(sum(c.area for c in kids) - parent.area) / parent.area < 1e-9
    assert shapely.union_all(kids).symmetric_difference(parent).area < 1e-12
    for i, a in enumerate(kids):
        for b in kids[i + 1 :]:
            assert a.intersection(b).area < 1e-12


@pytest.mark.parametrize("n", [2, 5, 40])
def test_tile_partitions_the_parent(n: int) -> None:
    rng = np.random.default_rng(n)
    seeds = sample_uniform(rng, MAIN, n)
    cells = tile(COUNTY, seeds)
    assert len(cells) == n
    _assert_tiles(COUNTY, cells)
    for (x, y), cell in zip(seeds, cells, strict=True):  # each seed lies in its own cell
        assert shapely.contains_xy(cell, x, y)


def test_tile_single_seed_is_the_parent() -> None:
    assert tile(COUNTY, np.array([[0.1, 0.1]]))[0] is COUNTY


def test_tile_is_deterministic() -> None:
    seeds = sample_uniform(np.random.default_rng(3), MAIN, 12)
    a = [shapely.to_wkb(c) for c in tile(COUNTY, seeds)]
    b = [shapely.to_wkb(c) for c in tile(COUNTY, seeds)]
    assert a == b


def test_split_far_parts_prefers_the_anchor() -> None:
    near, far = split_far_parts(COUNTY)
    assert near.area == pytest.approx(MAIN.area) and len(far) == 1
    near, far = split_far_parts(COUNTY, anchor=(3.1, 3.05))
    assert near.area == pytest.approx(ISLAND.area) and far[0].equals(MAIN)


def test_sample_uniform_stays_inside() -> None:
    pts = sample_uniform(np.random.default_rng(1), MAIN, 500)
    assert pts.shape == (500, 2)
    assert shapely.contains_xy(MAIN, pts[:, 0], pts[:, 1]).all()


def test_place_inside_moves_outside_points_in() -> None:
    assert place_inside(MAIN, 0.2, 0.2) == (0.2, 0.2)
    x, y = place_inside(MAIN, 0.8, 0.8)  # in the notch of the L
    assert shapely.contains_xy(MAIN, x, y)
    assert np.hypot(x - 0.8, y - 0.8) < 0.5


def test_spaced_seeds_respects_spacing() -> None:
    cands = sample_uniform(np.random.default_rng(2), MAIN, 400)
    seeds = spaced_seeds(np.random.default_rng(2), MAIN, cands, 15, 0.1, fixed=[(0.05, 0.05)])
    assert len(seeds) == 15 and tuple(seeds[0]) == (0.05, 0.05)
    d = np.hypot(*(seeds[:, None, :] - seeds[None, :, :]).transpose(2, 0, 1))
    assert d[np.triu_indices(len(seeds), 1)].min() >= 0.1


def test_as_multipolygon_drops_lines() -> None:
    mixed = shapely.GeometryCollection([MAIN, shapely.LineString([(0, 0), (2, 2)])])
    out = as_multipolygon(mixed)
    assert isinstance(out, MultiPolygon) and out.area == pytest.approx(MAIN.area)
