"""The topology checks of an area import, on WGS84 geometries, areas in square metres.

:func:`check_geometries` looks at each feature alone (readable, polygonal, finite, in
China, valid; an invalid one is repaired with GEOS ``MakeValid``, the algorithm behind
PostGIS ``ST_MakeValid``, and the area change is reported); :func:`check_topology` at
features together: a child outside its parent beyond the tolerance, siblings overlapping,
gaps between siblings inside their parent.

Areas are measured in a Lambert azimuthal equal-area projection centred on the file
(errors far below a square metre for a county), vectorised with shapely/GEOS so 100,000
grids take seconds, not minutes: per-pair work is limited to pairs an R-tree says meet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from pyproj import CRS, Transformer

CHINA: Final = (72.004, 0.8293, 137.8347, 55.8271)  # the GCJ-02 formula's own box
POLYGONAL: Final = frozenset({"Polygon", "MultiPolygon"})
# A repair changing the area by less than this is made without asking (and reported):
# a ring touching itself at a vertex, or made invalid by rounding to 1 cm
TINY_REPAIR_M2: Final = 1.0
CHUNK: Final = 10_000  # shapes whose coordinates are looked at together


@dataclass(frozen=True)
class Tolerances:
    """How much disagreement the checks let pass (the operator may change them)."""

    outside_share: float = 0.01  # of a child's area lying outside its parent
    overlap_m2: float = 100.0  # siblings may overlap by slivers this small
    gap_m2: float = 100.0  # holes between siblings smaller than this are not reported


@dataclass(frozen=True)
class Finding:
    """One thing the checks found: ``feature`` is the index in the file (None: a gap
    belongs to no feature), ``kind`` an i18n key under ``areas.check.``."""

    feature: int | None
    kind: str
    severity: str  # error | warning | repair
    area_m2: float | None = None
    share: float | None = None
    other: str | None = None  # the other code (an overlap) or the parent's (a gap)
    geom: object | None = None  # WGS84 shapely geometry to show on the preview map
    detail: str | None = None


def equal_area(geoms: np.ndarray) -> Transformer:
    """A transformer from WGS84 to an equal-area projection centred on ``geoms``."""
    box = shapely.total_bounds(geoms)
    lon0 = (box[0] + box[2]) / 2 if np.isfinite(box).all() else 115.0
    lat0 = (box[1] + box[3]) / 2 if np.isfinite(box).all() else 23.0
    laea = CRS.from_proj4(f"+proj=laea +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m")
    return Transformer.from_crs(4326, laea, always_xy=True)


def projected(geoms: np.ndarray, tr: Transformer) -> np.ndarray:
    def run(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, run)


def check_geometries(
    geoms: np.ndarray, repair: bool
) -> tuple[np.ndarray, np.ndarray, list[Finding]]:
    """Each feature alone: the geometries to keep (MultiPolygons, None where refused),
    the same with every possible repair made (what the topology checks look at, so a
    shape waiting for the operator's consent leaves no false gap) and what was found.
    ``repair``: the operator accepted ``MakeValid`` repairs."""
    out = np.empty(len(geoms), dtype=object)
    seen = np.empty(len(geoms), dtype=object)
    found: list[Finding] = []
    missing = shapely.is_missing(geoms)
    types = shapely.get_type_id(geoms)
    for i in np.flatnonzero(missing):
        found.append(Finding(int(i), "unreadable", "error"))
    for i in np.flatnonzero(~missing & ~np.isin(types, (3, 6))):
        found.append(Finding(int(i), "not_polygon", "error", detail=geoms[i].geom_type))
    poly = ~missing & np.isin(types, (3, 6))
    empty = poly & shapely.is_empty(geoms)
    for i in np.flatnonzero(empty):
        found.append(Finding(int(i), "empty", "error"))
    ok = poly & ~empty
    idx = np.flatnonzero(ok)
    bounds = shapely.bounds(geoms[idx]) if len(idx) else np.empty((0, 4))
    # bounds skip NaN; every coordinate must be a number (and not 1e308, which overflows
    # every projection): checked on all of them, 10,000 shapes at a time (the coordinates
    # of 100,000 real grids take ~250 MB at once)
    finite = np.ones(len(idx), dtype=bool)
    for start in range(0, len(idx), CHUNK):
        xy, owner = shapely.get_coordinates(geoms[idx[start : start + CHUNK]], return_index=True)
        with np.errstate(invalid="ignore"):
            wrong = ~(np.isfinite(xy).all(axis=1) & (np.abs(xy) < 1e7).all(axis=1))
        finite[start + np.unique(owner[wrong])] = False
    for i in idx[~finite]:
        found.append(Finding(int(i), "not_finite", "error"))
    idx, bounds = idx[finite], bounds[finite]
    world = (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) & (bounds[:, 1] >= -90)
    world &= bounds[:, 3] <= 90
    swapped = (bounds[:, 1] >= CHINA[0]) & (bounds[:, 3] <= CHINA[2])
    swapped &= (bounds[:, 0] >= CHINA[1]) & (bounds[:, 2] <= CHINA[3])
    for k, i in enumerate(idx):  # latitude 72-137 is impossible: such a file is swapped
        if swapped[k] or not world[k]:
            found.append(Finding(int(i), "swapped" if swapped[k] else "not_degrees", "error"))
    world &= ~swapped
    idx, bounds = idx[world], bounds[world]
    china = (bounds[:, 0] >= CHINA[0]) & (bounds[:, 1] >= CHINA[1])
    china &= (bounds[:, 2] <= CHINA[2]) & (bounds[:, 3] <= CHINA[3])
    for i in idx[~china]:
        found.append(Finding(int(i), "outside_china", "error"))
    idx = idx[china]
    if len(idx) == 0:
        return out, seen, found
    valid = shapely.is_valid(geoms[idx])
    for i in idx[valid]:
        out[i] = seen[i] = _multi(geoms[i])
    bad = idx[~valid]
    if len(bad):
        tr = equal_area(geoms[idx])
        fixed = shapely.make_valid(geoms[bad])
        before = shapely.area(projected(geoms[bad], tr))
        for k, i in enumerate(bad):
            kept = _polygons(fixed[k])
            reason = shapely.is_valid_reason(geoms[i])
            if kept is None:
                found.append(Finding(int(i), "unrepairable", "error", detail=reason))
                continue
            change = float(shapely.area(projected(np.array([kept]), tr))[0]) - float(before[k])
            tiny = abs(change) < TINY_REPAIR_M2  # a touching vertex, centimetre rounding
            kind, severity = ("invalid_tiny", "warning") if tiny else ("invalid", "repair")
            found.append(Finding(int(i), kind, severity, area_m2=change, geom=kept, detail=reason))
            seen[i] = kept
            if repair or tiny:
                out[i] = kept
    return out, seen, found


def _multi(geom: object) -> object:
    return geom if geom.geom_type == "MultiPolygon" else shapely.MultiPolygon([geom])  # type: ignore[attr-defined]


def _polygons(geom: object) -> object | None:
    """The polygonal part of a repaired geometry as a MultiPolygon (None if none)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in POLYGONAL]
    flat = [q for p in parts for q in shapely.get_parts(p)]
    flat = [q for q in flat if not q.is_empty]
    return shapely.MultiPolygon(flat) if flat else None


@dataclass(frozen=True)
class Node:
    """A feature (or a loaded area) as the topology checks see it."""

    code: str
    parent: str | None
    geom: object  # WGS84 MultiPolygon
    feature: int | None  # index in the file; None: already loaded, not in the file


def check_topology(nodes: list[Node], parents: dict[str, object], tol: Tolerances) -> list[Finding]:
    """Features together: outside the parent, overlapping a sibling, gaps in a parent.

    ``nodes`` are the file's features with a geometry plus loaded siblings they must fit
    between; ``parents`` maps parent codes to their geometry (from the file or loaded).
    """
    if not nodes:
        return []
    geoms = np.array([n.geom for n in nodes], dtype=object)
    tr = equal_area(geoms)
    flat = projected(geoms, tr)
    areas = shapely.area(flat)
    found: list[Finding] = []
    found += _outside(nodes, flat, areas, parents, tr, tol)
    found += _overlaps(nodes, geoms, flat, tr, tol)
    found += _gaps(nodes, flat, parents, tr, tol)
    return found


def _outside(nodes, flat, areas, parents, tr, tol) -> list[Finding]:  # type: ignore[no-untyped-def]
    found: list[Finding] = []
    pairs = [(k, n.parent) for k, n in enumerate(nodes) if n.feature is not None and n.parent]
    pairs = [(k, p) for k, p in pairs if p in parents]
    if not pairs:
        return found
    codes = sorted({p for _, p in pairs})
    flat_parent = dict(
        zip(codes, projected(np.array([parents[p] for p in codes]), tr), strict=True)
    )
    for g in flat_parent.values():
        shapely.prepare(g)  # each parent is tested against all its children
    pgeoms = np.array([flat_parent[p] for _, p in pairs], dtype=object)
    ks = np.array([k for k, _ in pairs])
    # most children lie wholly inside: a prepared "covers" clears them without the
    # overlay a difference costs (4.9 s -> ~1 s for 100,000 grids)
    covered = shapely.covers(pgeoms, flat[ks])
    outside = np.full(len(ks), None, dtype=object)
    outside[~covered] = shapely.difference(flat[ks][~covered], pgeoms[~covered])
    out_area = np.where(covered, 0.0, shapely.area(outside))
    inverse = _inverse(tr)
    for j, k in enumerate(ks):
        share = out_area[j] / areas[k] if areas[k] > 0 else 0.0
        if share > tol.outside_share:
            found.append(
                Finding(
                    nodes[k].feature,
                    "outside_parent",
                    "error",
                    area_m2=float(out_area[j]),
                    share=float(share),
                    other=pairs[j][1],
                    geom=shapely.transform(outside[j], inverse),
                )
            )
    return found


def _overlaps(nodes, geoms, flat, tr, tol) -> list[Finding]:  # type: ignore[no-untyped-def]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    parent = np.array([n.parent or "" for n in nodes], dtype=object)
    in_file = np.array([n.feature is not None for n in nodes])
    keep = (parent[left] == parent[right]) & (in_file[left] | in_file[right])
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return []
    inner = shapely.relate_pattern(flat[left], flat[right], "T********")
    left, right = left[inner], right[inner]
    shared = shapely.intersection(flat[left], flat[right])
    size = shapely.area(shared)
    found: list[Finding] = []
    inverse = _inverse(tr)
    for j in np.flatnonzero(size > tol.overlap_m2):
        a, b = int(left[j]), int(right[j])
        if nodes[a].feature is None:
            a, b = b, a
        found.append(
            Finding(
                nodes[a].feature,
                "overlap",
                "error",
                area_m2=float(size[j]),
                other=nodes[b].code,
                geom=shapely.transform(shared[j], inverse),
            )
        )
    return found


def _gaps(nodes, flat, parents, tr, tol) -> list[Finding]:  # type: ignore[no-untyped-def]
    by_parent: dict[str, list[int]] = defaultdict(list)
    for k, n in enumerate(nodes):
        by_parent[n.parent or ""].append(k)
    inverse = _inverse(tr)
    found: list[Finding] = []
    for parent, ks in by_parent.items():
        if not any(nodes[k].feature is not None for k in ks):
            continue
        union = shapely.union_all(flat[ks])
        if parent and parent in parents:
            holes = shapely.difference(projected(np.array([parents[parent]]), tr)[0], union)
        else:  # no parent geometry: only holes enclosed by the siblings themselves
            rings = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
            holes = shapely.union_all(rings) if rings else shapely.Polygon()
        for part in _parts(holes):
            if part.area > tol.gap_m2:
                found.append(
                    Finding(
                        None,
                        "gap",
                        "warning",
                        area_m2=float(part.area),
                        other=parent or None,
                        geom=shapely.transform(part, inverse),
                    )
                )
    return found


def _parts(geom: object) -> Iterable:  # type: ignore[type-arg]
    return [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]


def _inverse(tr: Transformer):  # type: ignore[no-untyped-def]
    def run(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1], direction="INVERSE")
        return np.column_stack([np.round(x, 7), np.round(y, 7)])

    return run
