"""Emerging hot-spot analysis (新兴热点) as pure functions: weekly counts per H3 cell in,
one category per cell out. No database, no I/O.

Method (ESRI's "Emerging Hot Spot Analysis", with PySAL's conventions for the parts
ESRI leaves to the tool):

1. **Getis-Ord Gi\\*** per cell and weekly bin. The neighbourhood of a cell is itself and
   its H3 ring-1 neighbours (``grid_disk(cell, 1)``) that are in the study set (the cells
   with at least one incident in the period); binary weights, self included (Gi\\*, not
   Gi). The z-score is the analytical one (Getis & Ord 1995; identical to
   ``esda.G_Local(star=True, transform="B").Zs``). Significance is by **conditional
   permutation** (the cell's own count stays, its neighbours' counts are drawn without
   replacement from the other cells of the same bin; 99 permutations by default), with
   the pseudo p-value ``(min(larger, smaller) + 1) / (P + 1)`` (PySAL's, except that
   draws tying with the observed sum count in both tails: see :func:`_tails`); with 0
   permutations the analytical two-sided p of the z is used instead. A bin is a hot
   (cold) spot for a cell when p < ``alpha`` (0.05) and the count sits in the upper
   (lower) tail. A bin in which the study set has no incident, or all cells the same
   count, tests nothing (z 0, p 1). No FDR correction (as PySAL, sfdep and ArcMap 10.x;
   with 99 permutations the smallest p is 0.01, so FDR over thousands of cells would
   leave nothing).
2. **Mann-Kendall** trend test per cell over its series of Gi\\* z-scores (the trend of
   the intensity of clustering, which decides intensifying / diminishing), and over its
   weekly counts (reported, as ESRI's space-time cube does): S, the variance with the tie
   correction, the continuity-corrected z and the two-sided p; identical to
   ``pymannkendall.original_test``. A trend is significant at p < ``alpha``.
3. **Categories** (ESRI's definitions; "90 %" means at least 90 % of the bins; T bins):

   - *new hot spot*: hot in the final bin and never significant (hot or cold) before.
   - *consecutive hot spot*: a single uninterrupted run of at least two hot bins at the
     end, never significant before the run, and less than 90 % of the bins hot.
   - *intensifying hot spot*: hot in >= 90 % of the bins including the final one, and a
     significant increasing trend of the Gi\\* z-scores.
   - *persistent hot spot*: hot in >= 90 % of the bins including the final one, no
     significant trend.
   - *diminishing hot spot*: hot in >= 90 % of the bins including the final one, and a
     significant decreasing trend.
   - *sporadic hot spot*: hot in the final bin, an on-and-off history of hot bins, less
     than 90 % hot, and never a cold spot.
   - *oscillating hot spot*: hot in the final bin with a history of cold-spot bins, less
     than 90 % hot.
   - *historical hot spot*: not hot in the final bin, but hot in >= 90 % of the bins.
   - the eight *cold spot* categories mirror these with cold bins (and "increasing"
     meaning the z-scores fall further below zero: a significant decreasing trend is an
     intensifying cold spot);
   - *no pattern* otherwise.

   Where a cell fits a hot and a cold pattern at once (possible only when one of them is
   "historical"), the final bin decides: the pattern of the final bin's sign wins.

Why not ``esda`` at run time: esda 2.9 needs libpysal 4.14, which brings BeautifulSoup,
soupsieve and platformdirs (for its example-data downloader) into the server (its
scikit-learn, pandas and geopandas are already here), and ``G_Local`` tests one variable at
a time through a libpysal ``W`` (52 separate
calls, each with its own permutation loop). Here the neighbourhood sums of all bins are
one sparse matrix product and each permutation draws one set of neighbour ids shared by
every bin, so a year of weeks over a whole city takes seconds. ``esda`` and
``pymannkendall`` stay as development dependencies to check these numbers
(``tests/unit/test_emerging_stats.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import sparse, stats

ALPHA: Final = 0.05
PERMUTATIONS: Final = 99
SHARE: Final = 0.9  # "90 percent of the time-step intervals"
NONE: Final = "none"
KINDS: Final = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
HOT: Final = tuple(f"{k}_hot" for k in KINDS)
COLD: Final = tuple(f"{k}_cold" for k in KINDS)
CATEGORIES: Final = (*HOT, *COLD, NONE)
_MK_CHUNK: Final = 512  # cells per Mann-Kendall block (T x T comparisons per cell)


@dataclass(frozen=True)
class GiStar:
    """Gi* of every cell (rows) in every bin (columns)."""

    z: np.ndarray  # analytical z-scores
    p: np.ndarray  # pseudo p (permutations) or analytical two-sided p
    hot: np.ndarray  # significant and high
    cold: np.ndarray  # significant and low


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall trend test of each row of a series."""

    s: np.ndarray
    tau: np.ndarray
    z: np.ndarray
    p: np.ndarray


@dataclass(frozen=True)
class Emerging:
    """The whole analysis: Gi* per bin, the two trends and the category of each cell."""

    gi: GiStar
    trend: MannKendall  # over the Gi* z-scores
    count_trend: MannKendall  # over the counts
    category: np.ndarray  # of CATEGORIES (dtype object)


def weights(neighbours: list[np.ndarray]) -> sparse.csr_matrix:
    """Binary Gi* weights (self included) from each cell's neighbour positions."""
    n = len(neighbours)
    empty = np.zeros(0, dtype=np.int64)
    rows = np.concatenate([empty, *(np.full(len(nb) + 1, i) for i, nb in enumerate(neighbours))])
    cols = np.concatenate([empty, *(np.r_[i, nb] for i, nb in enumerate(neighbours))])
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows.astype(np.int64), cols.astype(np.int64))), (n, n))


def gi_star(
    counts: np.ndarray,
    neighbours: list[np.ndarray],
    permutations: int = PERMUTATIONS,
    alpha: float = ALPHA,
    seed: int = 0,
) -> GiStar:
    """Gi* of ``counts`` (cells x bins) with ``neighbours`` (positions of each cell's
    neighbours, self excluded): all bins at once."""
    y = np.asarray(counts, dtype=np.float64)
    n, t = y.shape
    w = weights(neighbours)
    card = np.asarray(w.sum(axis=1)).ravel()[:, None]  # neighbours + self
    lag = np.asarray(w @ y)
    mean = y.mean(axis=0)
    var = (y**2).mean(axis=0) - mean**2
    tested = (y.sum(axis=0) > 0) & (var > 1e-12) & (n > 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - card * mean) / np.sqrt(card * (n - card) / max(n - 1, 1) * var)
    z = np.where(tested[None, :] & np.isfinite(z), z, 0.0)
    if permutations > 0 and n > 1:
        larger, smaller = _tails(counts, lag, neighbours, permutations, seed)
        upper = larger <= smaller
        p = np.minimum((np.minimum(larger, smaller) + 1.0) / (permutations + 1.0), 1.0)
    else:
        upper = z > 0
        p = 2.0 * stats.norm.sf(np.abs(z))
    p = np.where(tested[None, :], p, 1.0)
    sig = p < alpha
    return GiStar(z=z, p=p, hot=sig & upper & (z > 0), cold=sig & ~upper & (z < 0))


def _tails(
    counts: np.ndarray, lag: np.ndarray, neighbours: list[np.ndarray], perms: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """How many of ``perms`` conditional permutations give each cell x bin a
    neighbourhood sum at least (``larger``, PySAL's count) and at most (``smaller``) the
    observed one. PySAL folds ``larger`` alone (``P - larger``), which calls a cell whose
    draws all tie with it (an empty cell among empty neighbours, common with weekly
    counts) significantly low; counting each tail with its ties makes that p = 1.

    In each permutation one draw of ``max_k`` distinct ids from the ``n - 1`` others is
    shared by every cell (the first ``k_i`` of them, shifted past ``i``, as PySAL's
    ``crand`` does) and by every bin, so a permutation is ``max_k`` row gathers."""
    y = np.asarray(counts)
    y = y.astype(np.int64) if np.issubdtype(y.dtype, np.integer) else y.astype(np.float64)
    n, t = y.shape
    k = np.array([len(nb) for nb in neighbours], dtype=np.int64)
    max_k = int(min(k.max(initial=0), n - 1))
    padded = np.vstack([y, np.zeros((1, t), dtype=y.dtype)])  # row n: "no neighbour"
    observed = np.rint(lag).astype(np.int64) if y.dtype == np.int64 else lag
    me = np.arange(n)[:, None]
    rng = np.random.default_rng(seed)
    larger = np.zeros((n, t), dtype=np.int32)
    smaller = np.zeros((n, t), dtype=np.int32)
    cols = np.arange(max_k)[None, :]
    for _ in range(perms):
        rids = rng.choice(n - 1, size=max_k, replace=False)[None, :]
        ids = np.where(rids >= me, rids + 1, rids)
        ids = np.where(cols < k[:, None], ids, n)
        total = y.copy()
        for j in range(max_k):
            total += padded[ids[:, j]]
        larger += total >= observed
        smaller += total <= observed
    return larger, smaller


def mann_kendall(series: np.ndarray) -> MannKendall:
    """Mann-Kendall test of each row (two-sided; ties corrected)."""
    x = np.asarray(series, dtype=np.float64)
    m, t = x.shape
    s = np.zeros(m)
    ties = np.zeros(m)
    upper = np.triu(np.ones((t, t), dtype=bool), 1)
    for a in range(0, m, _MK_CHUNK):
        blk = x[a : a + _MK_CHUNK]
        d = blk[:, None, :] - blk[:, :, None]  # d[r, i, j] = x[j] - x[i]
        s[a : a + _MK_CHUNK] = np.sign(d)[:, upper].sum(axis=1)
        c = (d == 0).sum(axis=1)  # each value's tie-group size
        ties[a : a + _MK_CHUNK] = ((c - 1) * (2 * c + 5)).sum(axis=1)
    var = (t * (t - 1) * (2 * t + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0.0))
    z = np.where(np.isfinite(z), z, 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    tau = s / (0.5 * t * (t - 1)) if t > 1 else np.zeros(m)
    return MannKendall(s=s, tau=tau, z=z, p=p)


def classify(
    hot: np.ndarray,
    cold: np.ndarray,
    trend_z: np.ndarray,
    trend_p: np.ndarray,
    alpha: float = ALPHA,
) -> np.ndarray:
    """The category of each cell from its hot / cold bins (cells x bins, oldest first)
    and the Mann-Kendall trend of its Gi* z-scores (see the module docstring)."""
    hot_cat = _one_side(hot, cold, trend_z, trend_p, alpha, HOT)
    cold_cat = _one_side(cold, hot, -np.asarray(trend_z), trend_p, alpha, COLD)
    final_cold = np.asarray(cold)[:, -1] if np.asarray(cold).shape[1] else False
    both = (hot_cat != NONE) & (cold_cat != NONE)
    out = np.where(hot_cat != NONE, hot_cat, cold_cat)
    return np.where(both & final_cold, cold_cat, out)


def _one_side(
    sig: np.ndarray,
    other: np.ndarray,
    rising: np.ndarray,
    trend_p: np.ndarray,
    alpha: float,
    names: tuple[str, ...],
) -> np.ndarray:
    """Categories of one side (hot, or cold with the trend's sign turned)."""
    sig = np.asarray(sig, dtype=bool)
    other = np.asarray(other, dtype=bool)
    m, t = sig.shape
    out = np.full(m, NONE, dtype=object)
    if t == 0:
        return out
    count = sig.sum(axis=1)
    most = count >= SHARE * t
    final = sig[:, -1]
    back = sig[:, ::-1]
    run = np.where(back.all(axis=1), t, back.argmin(axis=1))
    trend = np.asarray(trend_p) < alpha
    up, down = trend & (np.asarray(rising) > 0), trend & (np.asarray(rising) < 0)
    name = dict(zip(KINDS, names, strict=True))
    rules = [  # first match wins
        (most & ~final, name["historical"]),
        (most & final & up, name["intensifying"]),
        (most & final & down, name["diminishing"]),
        (most & final, name["persistent"]),
        (final & other.any(axis=1), name["oscillating"]),
        (final & (count == 1), name["new"]),
        (final & (run >= 2) & (count == run), name["consecutive"]),
        (final, name["sporadic"]),
    ]
    for mask, label in reversed(rules):
        out[mask] = label
    return out


def emerging(
    counts: np.ndarray,
    neighbours: list[np.ndarray],
    permutations: int = PERMUTATIONS,
    alpha: float = ALPHA,
    seed: int = 0,
) -> Emerging:
    """The whole analysis of ``counts`` (cells x weekly bins, oldest first)."""
    gi = gi_star(counts, neighbours, permutations, alpha, seed)
    trend = mann_kendall(gi.z)
    return Emerging(
        gi=gi,
        trend=trend,
        count_trend=mann_kendall(np.asarray(counts)),
        category=classify(gi.hot, gi.cold, trend.z, trend.p, alpha),
    )
