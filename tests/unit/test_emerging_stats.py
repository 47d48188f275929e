"""Emerging hot-spot statistics: Gi* against PySAL's esda, Mann-Kendall against
pymannkendall, and each ESRI category on hand-built series."""

from __future__ import annotations

import numpy as np
import pytest
from h3.api import basic_int

from geodata.hexagons import ring1_neighbours
from governance import emerging_stats as es


def _grid() -> tuple[np.ndarray, list[np.ndarray]]:
    """A small real H3 grid: two rings around a cell (19 cells, resolution 8)."""
    centre = basic_int.latlng_to_cell(22.78, 115.37, 8)
    cells = np.array(sorted(basic_int.grid_disk(centre, 2)), dtype=np.int64)
    return cells, ring1_neighbours(cells)


def test_ring1_neighbours_are_symmetric_and_at_most_six() -> None:
    cells, nb = _grid()
    assert len(cells) == 19
    assert max(len(x) for x in nb) == 6 and min(len(x) for x in nb) == 3
    for i, x in enumerate(nb):
        for j in x:
            assert i in nb[j]


def test_gi_star_z_matches_esda_g_local_star() -> None:
    esda = pytest.importorskip("esda")
    from libpysal.weights import W

    cells, nb = _grid()
    rng = np.random.default_rng(3)
    counts = rng.poisson(3.0, size=(len(cells), 6)).astype(float)
    counts[:4, 2] += 12  # a cluster in one bin
    w = W({i: list(map(int, x)) for i, x in enumerate(nb)}, silence_warnings=True)
    ours = es.gi_star(counts, nb, permutations=0)
    for b in range(counts.shape[1]):
        ref = esda.G_Local(counts[:, b], w, transform="B", star=True, permutations=0)
        np.testing.assert_allclose(ours.z[:, b], ref.Zs, rtol=1e-10, atol=1e-10)


def test_gi_star_permutation_p_agrees_with_esda() -> None:
    """Different random draws, same distribution: with 999 permutations each pseudo p
    is within sampling error of esda's (continuous data: no ties)."""
    esda = pytest.importorskip("esda")
    from libpysal.weights import W

    cells, nb = _grid()
    rng = np.random.default_rng(5)
    y = rng.gamma(2.0, 2.0, size=len(cells))
    y[:3] += 9.0
    w = W({i: list(map(int, x)) for i, x in enumerate(nb)}, silence_warnings=True)
    ref = esda.G_Local(y, w, transform="B", star=True, permutations=999, seed=11)
    ours = es.gi_star(y[:, None], nb, permutations=999, seed=11)
    assert np.abs(ours.p[:, 0] - ref.p_sim).max() < 0.04
    assert ((ours.p[:, 0] < 0.05) == (ref.p_sim < 0.05)).mean() >= 0.9


def test_empty_and_constant_bins_test_nothing() -> None:
    _, nb = _grid()
    counts = np.zeros((19, 3), dtype=np.int64)
    counts[:, 1] = 2
    gi = es.gi_star(counts, nb, permutations=19)
    assert not gi.hot.any() and not gi.cold.any()
    assert (gi.z == 0).all() and (gi.p == 1).all()


def test_ties_in_the_draws_are_not_significant() -> None:
    """An empty cell among empty neighbours is not a cold spot (esda would say so)."""
    cells, nb = _grid()
    counts = np.zeros((len(cells), 1), dtype=np.int64)
    counts[0, 0] = 5
    gi = es.gi_star(counts, nb, permutations=99)
    lonely = [i for i in range(len(cells)) if 0 not in nb[i] and i != 0]
    assert not gi.cold[lonely].any()


@pytest.mark.parametrize("seed", range(4))
def test_mann_kendall_matches_pymannkendall(seed: int) -> None:
    mk = pytest.importorskip("pymannkendall")
    rng = np.random.default_rng(seed)
    x = np.vstack(
        [
            rng.normal(size=30).cumsum(),
            np.arange(30) + rng.normal(size=30),
            rng.integers(0, 3, size=30),  # many ties
            np.zeros(30),
        ]
    )
    ours = es.mann_kendall(x)
    for r in range(len(x)):
        ref = mk.original_test(x[r])
        assert ours.s[r] == pytest.approx(ref.s)
        assert ours.z[r] == pytest.approx(ref.z, abs=1e-12)
        assert ours.p[r] == pytest.approx(ref.p, abs=1e-12)
        assert ours.tau[r] == pytest.approx(ref.Tau, abs=1e-12)


def _bins(text: str) -> tuple[np.ndarray, np.ndarray]:
    """'..HH.C' -> hot and cold rows (H hot, C cold, . neither)."""
    return np.array([c == "H" for c in text]), np.array([c == "C" for c in text])


UP, FLAT, DOWN = (3.0, 0.001), (0.0, 1.0), (-3.0, 0.001)
N = 20
CASES = [
    ("." * (N - 1) + "H", FLAT, "new_hot"),
    ("." * (N - 4) + "HHHH", FLAT, "consecutive_hot"),
    ("." * (N - 2) + "HH", UP, "consecutive_hot"),
    ("." + "H" * (N - 1), UP, "intensifying_hot"),
    ("H" * N, FLAT, "persistent_hot"),
    (".H" + "H" * (N - 2), DOWN, "diminishing_hot"),
    ("H" * (N - 1) + ".", FLAT, "historical_hot"),
    ("..H..H" + "." * (N - 7) + "H", FLAT, "sporadic_hot"),
    ("." * 5 + "H" + "." * (N - 8) + "HH", FLAT, "sporadic_hot"),
    ("..C..." + "." * (N - 7) + "H", FLAT, "oscillating_hot"),
    ("C" + "." * (N - 3) + "HH", FLAT, "oscillating_hot"),
    ("." * (N - 1) + "C", FLAT, "new_cold"),
    ("." * (N - 3) + "CCC", FLAT, "consecutive_cold"),
    ("C" * N, DOWN, "intensifying_cold"),  # z falling further below zero
    ("C" * N, FLAT, "persistent_cold"),
    ("C" * N, UP, "diminishing_cold"),
    ("C" * (N - 1) + ".", FLAT, "historical_cold"),
    ("C..C" + "." * (N - 5) + "C", FLAT, "sporadic_cold"),
    ("H" + "." * (N - 2) + "C", FLAT, "oscillating_cold"),
    ("." * N, FLAT, "none"),
    ("..H..H" + "." * (N - 6), FLAT, "none"),  # hot earlier, not at the end, < 90 %
    ("H" * (N - 3) + "...", FLAT, "none"),  # 85 % then not: not historical
    ("C" * (N - 1) + "H", FLAT, "oscillating_hot"),  # the final bin decides
]


@pytest.mark.parametrize(("bins", "trend", "expected"), CASES)
def test_each_category(bins: str, trend: tuple[float, float], expected: str) -> None:
    hot, cold = _bins(bins)
    got = es.classify(hot[None, :], cold[None, :], np.array([trend[0]]), np.array([trend[1]]))
    assert got[0] == expected
    assert expected in es.CATEGORIES


def test_classify_is_row_wise() -> None:
    """All cases at once give the same answers as one by one."""
    hot = np.array([_bins(b)[0] for b, _, _ in CASES])
    cold = np.array([_bins(b)[1] for b, _, _ in CASES])
    z = np.array([t[0] for _, t, _ in CASES])
    p = np.array([t[1] for _, t, _ in CASES])
    assert list(es.classify(hot, cold, z, p)) == [e for _, _, e in CASES]


@pytest.mark.parametrize("seed", range(3))
def test_planted_clusters_are_found(seed: int) -> None:
    """On 91 cells over twenty weeks: a cluster (a cell and its ring) that appears in the
    last three weeks is a consecutive hot spot (oscillating if chance made it a cold spot
    in an earlier week: 5 % a side each week); one there all along and growing is an
    intensifying hot spot; the empty background has no hot spot."""
    centre = basic_int.latlng_to_cell(22.78, 115.37, 8)
    cells = np.array(sorted(basic_int.grid_disk(centre, 5)), dtype=np.int64)
    nb = ring1_neighbours(cells)
    pos = {int(c): k for k, c in enumerate(cells)}
    rng = np.random.default_rng(seed)
    counts = rng.poisson(2.0, size=(len(cells), N))
    fresh = [pos[c] for c in basic_int.grid_disk(centre, 1)]
    counts[fresh, -3:] += 12
    far = basic_int.grid_disk(centre, 4)[-1]  # a cell of ring 4
    grown = [pos[c] for c in basic_int.grid_disk(far, 1) if c in pos]
    counts[grown] += (8 + np.arange(N))[None, :]
    got = es.emerging(counts, nb, permutations=99, seed=seed)
    c = pos[centre]
    assert got.gi.hot[c, -3:].all() and not got.gi.hot[c, :-3].any()
    assert got.category[c] == ("oscillating_hot" if got.gi.cold[c].any() else "consecutive_hot")
    assert got.category[pos[far]] == "intensifying_hot"
    assert got.count_trend.tau[pos[far]] > 0 and got.count_trend.p[pos[far]] < 0.05
    quiet = [k for k in range(len(cells)) if k not in fresh + grown]
    assert (got.gi.hot[quiet].mean()) < 0.1
