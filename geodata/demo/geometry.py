"""Geometry helpers for the demo city: Voronoi tiling, sampling and validity.

Everything here is pure shapely + numpy and deterministic given the random generator.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import shapely
from shapely import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

log = logging.getLogger(__name__)

SLIVER_AREA = 1e-9  # deg²; polygon parts smaller than this are merged into a neighbour
FAR_GAP = 0.1  # deg; parts farther than this from the main part are "offshore"


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """The polygonal parts of ``geom`` as a valid MultiPolygon (possibly empty)."""
    if geom.is_empty:
        return MultiPolygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon | MultiPolygon)]
    polys: list[Polygon] = []
    for p in parts:
        polys.extend(shapely.get_parts(p) if isinstance(p, MultiPolygon) else [p])
    polys = [p for p in polys if not p.is_empty and p.area > 0]
    return MultiPolygon(polys)


def split_far_parts(
    geom: MultiPolygon, gap: float = FAR_GAP, anchor: tuple[float, float] | None = None
) -> tuple[MultiPolygon, list[Polygon]]:
    """Split ``geom`` into its main body and the parts lying more than ``gap`` away.

    The main body is the part nearest ``anchor`` (default: the largest part) plus every
    part within ``gap`` of it; the rest are far (offshore) parts, largest first.
    """
    parts = sorted(shapely.get_parts(geom), key=lambda p: -p.area)
    if len(parts) <= 1:
        return geom, []
    main = parts[0]
    if anchor is not None:
        pt = Point(anchor)
        main = min(parts, key=lambda p: p.distance(pt))
    near = [p for p in parts if p is main or p.distance(main) <= gap]
    far = [p for p in parts if p is not main and p.distance(main) > gap]
    return MultiPolygon(near), far


def place_inside(
    geom: BaseGeometry, x: float, y: float, margin: float = 0.003
) -> tuple[float, float]:
    """``(x, y)`` if it lies inside ``geom``, else the nearest point a bit inside it."""
    if shapely.contains_xy(geom, x, y):
        return x, y
    pt = Point(x, y)
    inner = geom.buffer(-margin)
    target = inner if not inner.is_empty else geom
    q = nearest_points(target, pt)[0]
    if not shapely.contains_xy(geom, q.x, q.y):
        q = geom.point_on_surface()
    return float(q.x), float(q.y)


def sample_uniform(
    rng: np.random.Generator, geom: BaseGeometry, n: int, max_rounds: int = 200
) -> np.ndarray:
    """``n`` points drawn uniformly inside ``geom`` (rejection in its bounding box)."""
    out = np.empty((0, 2))
    if n <= 0:
        return out
    minx, miny, maxx, maxy = geom.bounds
    fill = max(geom.area / max((maxx - minx) * (maxy - miny), 1e-18), 1e-3)
    shapely.prepare(geom)
    for _ in range(max_rounds):
        need = n - len(out)
        if need <= 0:
            break
        k = int(need / fill * 1.3) + 8
        xs = rng.uniform(minx, maxx, k)
        ys = rng.uniform(miny, maxy, k)
        ok = shapely.contains_xy(geom, xs, ys)
        out = np.vstack([out, np.column_stack([xs[ok], ys[ok]])[:need]])
    if len(out) < n:  # pathological shapes: fall back to the point on surface
        p = geom.point_on_surface()
        out = np.vstack([out, np.tile([p.x, p.y], (n - len(out), 1))])
    return out


def spaced_seeds(
    rng: np.random.Generator,
    geom: BaseGeometry,
    candidates: np.ndarray,
    n: int,
    min_dist: float,
    fixed: Sequence[tuple[float, float]] = (),
) -> np.ndarray:
    """Pick up to ``n`` seeds (after the ``fixed`` ones) from ``candidates`` in order,
    skipping any closer than ``min_dist`` to a seed already taken or outside ``geom``."""
    seeds: list[tuple[float, float]] = list(fixed)
    if len(candidates):
        inside = shapely.contains_xy(geom, candidates[:, 0], candidates[:, 1])
        candidates = candidates[inside]
    for x, y in candidates.tolist():
        if len(seeds) >= n:
            break
        if seeds:
            arr = np.asarray(seeds)
            if np.min(np.hypot(arr[:, 0] - x, arr[:, 1] - y)) < min_dist:
                continue
        seeds.append((x, y))
    return np.asarray(seeds, dtype=float).reshape(-1, 2)


def tile(parent: MultiPolygon, seeds: np.ndarray) -> list[MultiPolygon]:
    """Voronoi cells of ``seeds`` clipped to ``parent``: one geometry per seed.

    The cells tile ``parent`` (no gaps, no overlaps). Parts smaller than
    :data:`SLIVER_AREA` are merged into the sibling sharing the longest border with
    them; a seed whose cell ends up empty gets an empty MultiPolygon (callers drop it).
    """
    if len(seeds) == 1:
        return [parent]
    minx, miny, maxx, maxy = parent.bounds
    frame = shapely.box(minx - 0.05, miny - 0.05, maxx + 0.05, maxy + 0.05)
    vor = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    cells = list(shapely.get_parts(vor))
    if len(cells) != len(seeds):
        raise ValueError(f"Voronoi returned {len(cells)} cells for {len(seeds)} seeds")
    shapely.prepare(parent)
    clipped = shapely.intersection(np.asarray(cells, dtype=object), parent)
    pieces: list[list[Polygon]] = []
    slivers: list[Polygon] = []
    for g in clipped:
        keep: list[Polygon] = []
        for p in shapely.get_parts(as_multipolygon(g)):
            (keep if p.area >= SLIVER_AREA else slivers).append(p)
        pieces.append(keep)
    if slivers:
        _merge_slivers(pieces, slivers)
    return [
        as_multipolygon(shapely.union_all(ps)) if len(ps) > 1 else MultiPolygon(ps) for ps in pieces
    ]


def _merge_slivers(pieces: list[list[Polygon]], slivers: list[Polygon]) -> None:
    """Give every sliver to the child sharing the longest border with it."""
    merged = [MultiPolygon(ps) for ps in pieces]
    for s in slivers:
        best, best_len = -1, -1.0
        for i, m in enumerate(merged):
            if m.is_empty or m.distance(s) > 1e-9:
                continue
            shared = m.boundary.intersection(s.boundary).length
            if shared > best_len:
                best, best_len = i, shared
        if best < 0:  # isolated: give it to the nearest child
            best = int(np.argmin([m.distance(s) if not m.is_empty else np.inf for m in merged]))
        pieces[best].append(s)
        merged[best] = MultiPolygon(pieces[best])
    log.debug("merged %d sliver(s)", len(slivers))
