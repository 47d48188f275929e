"""The grid worker's suggested walking order through the day's patrol stops.

A grid worker has today's and overdue patrol tasks at key sites and, usually, a position
from the phone. :func:`order_stops` orders up to :data:`MAX_STOPS` stops into an open path
(the worker does not walk back) from that position: a nearest-neighbour walk first, then
local search until neither a 2-opt move (reverse a stretch of the walk) nor an Or-opt move
(move one, two or three consecutive stops elsewhere, either way round) shortens it.
Up to :data:`EXACT_UP_TO` stops the walk is instead the shortest one (Held-Karp), which
costs a few milliseconds there: on 20,000 random sets of 4-7 stops the local search alone
was up to 18 % longer than the shortest walk (mostly optimal, but a worker with six stops
notices a detour). Distances are great-circle metres (haversine, mean Earth radius),
computed once as a numpy matrix; the result is a suggestion, not a street route.

Without a position the walk starts at the westernmost stop (the lowest index among equal
longitudes), so the suggestion is still the same every time for the same stops.

Why written here and not taken from a library: the TSP packages on PyPI solve closed
tours (python-tsp, networkx's approximations, fast-tsp, elkai/LKH) or are a large native
dependency for this job (OR-Tools, PyVRP); an open path from a fixed start then needs a
dummy node, and several of them stop on a time limit or a random seed, so the same stops
would not always give the same order. The search below is about 200 lines on numpy (a
pinned dependency already), deterministic, and orders 50 stops in a few milliseconds
(``bench/route.py``).

Deterministic: the same input gives the same output. Ties go to the lowest index: the
nearest stop, and among equally good moves the first one found (``numpy.argmin``).
A move is taken only if it saves more than :data:`MIN_SAVING_M`, so rounding cannot make
the search cycle.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from governance.errors import InvalidInput

EARTH_RADIUS_M: Final = 6_371_008.8  # the mean radius (IUGG)
MAX_STOPS: Final = 500  # "a few hundred" with room: 500 stops take under a second
EXACT_UP_TO: Final = 8  # up to this many stops the walk is the shortest (a few ms)
EXACT_MAX: Final = 10  # :func:`shortest_order` refuses more (2^10 subsets: ~30 ms)
MIN_SAVING_M: Final = 1e-6  # a move must save more than a micrometre to be taken
OR_OPT_LENGTHS: Final = (1, 2, 3)  # how many consecutive stops an Or-opt move carries

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Route:
    """A suggested walking order.

    ``order`` holds indices into the stops given, in walking order. ``legs_m[k]`` is the
    distance in metres walked to reach ``order[k]``: from the worker's position for the
    first stop, or 0.0 when there was no position (the walk starts at that stop).
    ``length_m`` is the sum of the legs.
    """

    order: tuple[int, ...]
    legs_m: tuple[float, ...]
    length_m: float


def order_stops(start: tuple[float, float] | None, stops: Sequence[tuple[float, float]]) -> Route:
    """The suggested walking order through ``stops`` (``(lon, lat)``, WGS84) from ``start``.

    ``start`` is the worker's position, or None to start at the westernmost stop. Raises
    :class:`~governance.errors.InvalidInput` for a position or stop that is not a pair of
    finite numbers with longitude in [-180, 180] and latitude in [-90, 90], or for more
    than :data:`MAX_STOPS` stops. Up to :data:`EXACT_UP_TO` stops the shortest walk;
    beyond, nearest-neighbour construction, then 2-opt and Or-opt until neither finds a
    saving. Never longer than :func:`nearest_neighbour`.
    """
    points, first = _prepare(start, stops)
    d = _with_open_end(distance_matrix(points))
    if len(stops) <= EXACT_UP_TO:
        return _route(d, _exact_path(d, first, len(stops)), len(stops))
    path = _improve(d, _nearest_neighbour_path(d, first, len(stops)))
    return _route(d, path, len(stops))


def shortest_order(
    start: tuple[float, float] | None, stops: Sequence[tuple[float, float]]
) -> Route:
    """The shortest walk (Held-Karp dynamic programming, 2^n n^2 steps), for at most
    :data:`EXACT_MAX` stops: what :func:`order_stops` returns for a handful of stops, and
    the yardstick ``bench/route.py`` measures the local search against."""
    if len(stops) > EXACT_MAX:
        raise InvalidInput("error.route.too_many", max=EXACT_MAX, count=len(stops))
    points, first = _prepare(start, stops)
    d = _with_open_end(distance_matrix(points))
    return _route(d, _exact_path(d, first, len(stops)), len(stops))


def nearest_neighbour(
    start: tuple[float, float] | None, stops: Sequence[tuple[float, float]]
) -> Route:
    """The nearest-neighbour walk alone (always the nearest stop not yet visited, ties to
    the lowest index): where :func:`order_stops` starts from, and the baseline it beats."""
    points, first = _prepare(start, stops)
    d = _with_open_end(distance_matrix(points))
    return _route(d, _nearest_neighbour_path(d, first, len(stops)), len(stops))


def distance_matrix(points: FloatArray) -> FloatArray:
    """Great-circle distances in metres between rows of ``points`` (``(lon, lat)`` degrees):
    symmetric, zero on the diagonal."""
    lon, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
    sin_dlat = np.sin((lat[:, None] - lat[None, :]) / 2)
    sin_dlon = np.sin((lon[:, None] - lon[None, :]) / 2)
    cos_lat = np.cos(lat)
    h = sin_dlat**2 + cos_lat[:, None] * cos_lat[None, :] * sin_dlon**2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return np.minimum(d, d.T)  # exactly symmetric whatever the rounding of sin(-x)


# -- input -------------------------------------------------------------------------------


def _coordinates(value: object) -> tuple[float, float] | None:
    """``value`` as (lon, lat) floats, or None if it is not a valid WGS84 position."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        return None
    if len(value) != 2 or not all(_is_number(v) for v in value):
        return None
    try:
        lon, lat = float(value[0]), float(value[1])
    except OverflowError:  # an int too large for a float
        return None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        return None
    return lon, lat


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def _prepare(
    start: tuple[float, float] | None, stops: Sequence[tuple[float, float]]
) -> tuple[FloatArray, int]:
    """Checked coordinates as one array (the stops, then the position if there is one) and
    the row the walk starts from."""
    if len(stops) > MAX_STOPS:
        raise InvalidInput("error.route.too_many", max=MAX_STOPS, count=len(stops))
    rows: list[tuple[float, float]] = []
    for i, stop in enumerate(stops):
        point = _coordinates(stop)
        if point is None:
            raise InvalidInput("error.route.stop", index=i, number=i + 1, value=repr(stop)[:80])
        rows.append(point)
    if start is not None:
        point = _coordinates(start)
        if point is None:
            raise InvalidInput("error.route.start", value=repr(start)[:80])
        rows.append(point)
    points = np.array(rows, dtype=np.float64).reshape(-1, 2)
    if start is not None:
        return points, len(stops)
    return points, int(np.argmin(points[:, 0])) if len(stops) else 0


# -- search ------------------------------------------------------------------------------


def _with_open_end(d: FloatArray) -> FloatArray:
    """``d`` with one more node at distance 0 from every other: the walk's free end. A path
    from the start to this node is an open walk, and every move below keeps both ends."""
    m = d.shape[0]
    out = np.zeros((m + 1, m + 1))
    out[:m, :m] = d
    return out


def _nearest_neighbour_path(d: FloatArray, first: int, n_stops: int) -> IntArray:
    """Nodes in walking order: ``first``, every other stop, then the open end node."""
    end = d.shape[0] - 1
    visited = np.zeros(end, dtype=bool)
    visited[n_stops:] = True  # the position (if any) is not a stop
    path = [first] if end else []
    if end:
        visited[first] = True
    current = first
    for _ in range(int((~visited).sum())):
        current = int(np.argmin(np.where(visited, np.inf, d[current, :end])))
        visited[current] = True
        path.append(current)
    path.append(end)
    return np.array(path, dtype=np.intp)


def _exact_path(d: FloatArray, first: int, n_stops: int) -> IntArray:
    """The shortest path from node ``first`` through every stop (Held-Karp).

    ``rest[mask, j]``: the shortest walk that starts at stop j and visits the stops of
    ``mask`` (j among them), ending anywhere. Subsets are taken in increasing order, so
    each is final before a larger one reads it. The walk is then read from its start;
    every tie goes to the lowest index (``numpy.argmin``)."""
    end = d.shape[0] - 1
    if n_stops == 0:
        return np.array([first, end] if end else [end], dtype=np.intp)
    n, full = n_stops, (1 << n_stops) - 1
    rest = np.full((full + 1, n), np.inf)
    then = np.full((full + 1, n), -1, dtype=np.intp)
    bits, legs, stops = 1 << np.arange(n), d[:n, :n], np.arange(n)
    rest[bits, stops] = 0.0
    for mask in range(1, full):
        via = legs + rest[mask][None, :]  # via[j, k]: from j to k, then the rest from k
        k = np.argmin(via, axis=1)
        new = np.flatnonzero((mask & bits) == 0)
        rest[mask | bits[new], new] = via[new, k[new]]
        then[mask | bits[new], new] = k[new]
    if first >= n:  # from the worker's position
        j = int(np.argmin(d[first, :n] + rest[full]))
    else:  # from the westernmost stop
        j = first
    mask, order = full, []
    while j >= 0:
        order.append(j)
        j, mask = int(then[mask, j]), mask & ~(1 << j)
    start = [first] if first >= n else []
    return np.array([*start, *order, end], dtype=np.intp)


def _improve(d: FloatArray, path: IntArray) -> IntArray:
    """2-opt and Or-opt, each move the best of its kind, until neither saves anything.

    Stops after a generous number of moves as a safeguard; every move taken shortens the
    walk, so in practice the search ends long before (fewer moves than stops)."""
    if len(path) < 4:  # at most two stops: nothing to reorder
        return path
    for _ in range(50 * len(path)):
        walk = d[np.ix_(path, path)]  # distances between positions on the path
        moved = _two_opt(walk, path)
        if moved is None:
            moved = _or_opt(walk, path)
        if moved is None:
            break
        path = moved
    return path


def _two_opt(walk: FloatArray, path: IntArray) -> IntArray | None:
    """The path with the best 2-opt move applied, or None if no move saves anything.

    ``walk[p, q]`` is the distance between the nodes at positions p and q of ``path``.
    Removing edges k (positions k, k+1) and m > k + 1 and reversing positions k+1..m adds
    the edges k-m and (k+1)-(m+1)."""
    edge = np.diagonal(walk, 1)
    change = walk[:-1, :-1] + walk[1:, 1:] - edge[:, None] - edge[None, :]
    change += _blocked(len(edge), 0)
    k, m = divmod(int(np.argmin(change)), len(edge))
    if not change[k, m] < -MIN_SAVING_M:
        return None
    out = path.copy()
    out[k + 1 : m + 1] = path[k + 1 : m + 1][::-1]
    return out


def _or_opt(walk: FloatArray, path: IntArray) -> IntArray | None:
    """The path with the best Or-opt move applied, or None if no move saves anything.

    A segment at positions s..s+L-1 (never the start nor the open end) is taken out, its
    neighbours joined, and it is put into another edge j (positions j, j+1), forwards or
    reversed. Row r of each matrix below is the segment starting at s = r + 1."""
    n_edges = len(path) - 1
    edge = np.diagonal(walk, 1)
    best: tuple[float, int, int, int, bool] | None = None  # change, L, s, j, reversed
    for length in OR_OPT_LENGTHS:
        if n_edges - length < 1:
            continue
        heads, tails = walk[1 : n_edges - length + 1], walk[length:n_edges]
        saved = edge[: n_edges - length] + edge[length:] - np.diagonal(walk, length + 1)
        base = _blocked(n_edges, length) - saved[:, None] - edge[None, :]
        forward = heads[:, :-1] + tails[:, 1:] + base
        backward = tails[:, :-1] + heads[:, 1:] + base
        for rev, change in ((False, forward), (True, backward)):
            row, j = divmod(int(np.argmin(change)), n_edges)
            if change[row, j] < -MIN_SAVING_M and (best is None or change[row, j] < best[0]):
                best = (float(change[row, j]), length, row + 1, j, rev)
    if best is None:
        return None
    _, length, start, j, rev = best
    segment = path[start : start + length]
    if rev:
        segment = segment[::-1]
    rest = np.concatenate([path[:start], path[start + length :]])
    at = j + 1 if j < start else j + 1 - length  # the edge's far end, in ``rest``
    return np.concatenate([rest[:at], segment, rest[at:]])


@functools.lru_cache(maxsize=16)
def _blocked(n_edges: int, length: int) -> FloatArray:
    """Infinity where a move is not one, 0 elsewhere (read-only, cached).

    ``length`` 0: the 2-opt matrix (k, m) over edges, open only where m > k + 1.
    Otherwise the Or-opt matrix of segments of ``length`` (row r starts at s = r + 1)
    against edges j, closed where the edge touches the segment (s - 1 <= j <= s + L - 1).
    """
    if length == 0:
        open_ = np.triu(np.ones((n_edges, n_edges), dtype=bool), 2)
    else:
        offset = np.arange(n_edges)[None, :] - np.arange(1, n_edges - length + 1)[:, None]
        open_ = (offset < -1) | (offset > length - 1)
    out = np.where(open_, 0.0, np.inf)
    out.setflags(write=False)
    return out


def _route(d: FloatArray, path: IntArray, n_stops: int) -> Route:
    """The :class:`Route` of a node path (the start position and the open end dropped)."""
    nodes = [int(v) for v in path[:-1]]  # without the open end
    if nodes and nodes[0] >= n_stops:  # began at the worker's position
        legs = [float(d[u, v]) for u, v in zip(nodes, nodes[1:], strict=False)]
        order = nodes[1:]
    else:
        legs = [0.0] + [float(d[u, v]) for u, v in zip(nodes, nodes[1:], strict=False)]
        order = nodes
    legs = legs[: len(order)]
    return Route(order=tuple(order), legs_m=tuple(legs), length_m=math.fsum(legs))
