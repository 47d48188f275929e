"""The statistics of spike warnings (突增预警, issue 16 part 3): is the number of incidents
of one category in one area during the last day more than that place, weekday and hour
lead us to expect, by more than chance explains?

**The series.** One series per area (street / town) x category. For an evaluation at time
``t`` the *window* is ``[t - 24 h, t)``, cut into 24 one-hour slots; the *history* is the
:data:`HISTORY_WEEKS` weeks before the window (the window itself is never part of its own
baseline).

**Expected count.** ``mu = level x share``:

* ``level``, the series' incidents per week, is the posterior mean of a Gamma-Poisson
  model: a Gamma prior worth :data:`PRIOR_WEEKS` weeks at the category's mean level over
  all areas of the run, updated with the series' own ``H`` incidents in ``W`` weeks:
  ``level = (PRIOR_WEEKS x category_level + H) / (PRIOR_WEEKS + W)``. A quiet place with
  no history is not expected to have exactly zero (then any single report would be a
  "spike"); a busy one is ruled by its own history;
* ``share``, the part of a week's incidents that falls in the window's 24 hours of the week,
  from the category's hour-of-week profile pooled over all areas (168 buckets; add-one
  smoothing), so a Monday morning is compared with Monday mornings. Pooling over areas
  gives each category thousands of incidents per profile instead of a handful.

**Its distribution.** The count in the window is negative binomial with mean ``mu`` and
``var = mu + mu^2 / size``, where ``1/size = 1/(PRIOR_WEEKS x category_level + H) + phi``:
the first term is the uncertainty of the level estimated from a short history (the exact
Gamma-Poisson posterior predictive), the second the series' over-dispersion, estimated by
the method of moments from its weekly counts (``phi = (var - mean) / mean^2`` of the ``W``
weekly totals when their variance exceeds their mean, else 0: Poisson). With both terms
near 0 (a long history, no over-dispersion) this is the Poisson distribution.

**The test.** One-sided upper tail ``p = P(X >= observed)`` (``scipy.stats.nbinom.sf`` at
``observed - 1``), Benjamini-Hochberg adjusted (``scipy.stats.false_discovery_control``)
across ALL series of the run; a series is a **spike** when ``q <= ALPHA`` and it has at
least :data:`MIN_COUNT` incidents and at least :data:`MIN_RATIO` times its expected count
(a significant rise from 0.2 to 3 is not worth a wall warning). Under the null hypothesis
everywhere, Benjamini-Hochberg bounds the chance of any warning in a run by ``ALPHA``:
:data:`ALPHA` = 0.01 keeps noise-only data far below one false warning per day per 10,000
series (``tests/unit/test_spike_stats.py`` simulates it over several seeds).

Pure functions over arrays: the caller reads the counts (``geodata/queries/spikes.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import stats

HISTORY_WEEKS: Final = 8  # the baseline: the 8 weeks before the window
WINDOW_HOURS: Final = 24  # the window: the last day
HOURS_OF_WEEK: Final = 168
PRIOR_WEEKS: Final = 0.5  # weight of the category's level in a series' level
MIN_COUNT: Final = 5  # incidents a spike needs at least
MIN_RATIO: Final = 2.0  # ... and at least this many times the expected count
ALPHA: Final = 0.01  # Benjamini-Hochberg level across every series of a run


@dataclass(frozen=True)
class Baseline:
    """The expected count of each series in the window and its distribution."""

    expected: np.ndarray  # mu: mean count in the window
    size: np.ndarray  # negative-binomial size (np.inf: Poisson)
    level: np.ndarray  # incidents per week (posterior mean)
    phi: np.ndarray  # over-dispersion of the weekly counts (0: none seen)


@dataclass(frozen=True)
class Tested:
    """The test of every series (arrays aligned with the input)."""

    p: np.ndarray
    q: np.ndarray
    spike: np.ndarray  # bool


def profile_share(bucket_counts: np.ndarray, slots: Sequence[int] | np.ndarray) -> np.ndarray:
    """The share of a week's incidents expected in the window, per category.

    ``bucket_counts`` (categories x buckets, e.g. 168 hours of the week) are the pooled
    history counts; ``slots`` the bucket of each slot of the window (a bucket may repeat).
    Add-one smoothing, so an hour never seen still expects a little.
    """
    counts = np.asarray(bucket_counts, dtype=float) + 1.0
    profile = counts / counts.sum(axis=1, keepdims=True)
    return np.asarray(profile[:, np.asarray(slots, dtype=np.int64)].sum(axis=1))


def baseline(
    weekly: np.ndarray,
    share: np.ndarray,
    category: np.ndarray,
    *,
    prior_weeks: float = PRIOR_WEEKS,
) -> Baseline:
    """Expected count and distribution of each series in the window.

    ``weekly`` (series x weeks): each series' counts in the history weeks; ``share``: the
    window's share of a week for the series' category (:func:`profile_share`);
    ``category``: the category of each series (the prior is its mean level).
    """
    weekly = np.asarray(weekly, dtype=float)
    n, weeks = weekly.shape
    total = weekly.sum(axis=1)
    category = np.asarray(category)
    cat_level = np.zeros(n)
    for c in np.unique(category):
        rows = category == c
        cat_level[rows] = total[rows].mean() / weeks
    shape = prior_weeks * cat_level + total  # Gamma posterior shape
    level = shape / (prior_weeks + weeks)
    mean = weekly.mean(axis=1)
    var = weekly.var(axis=1, ddof=1) if weeks > 1 else np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where((mean > 0) & (var > mean), (var - mean) / mean**2, 0.0)
        inv_size = np.where(shape > 0, 1.0 / shape, np.inf) + phi
        size = np.where(inv_size > 0, 1.0 / inv_size, np.inf)
    return Baseline(level * np.asarray(share, dtype=float), size, level, phi)


def upper_p(observed: np.ndarray, expected: np.ndarray, size: np.ndarray) -> np.ndarray:
    """``P(X >= observed)`` under a negative binomial of mean ``expected`` and ``size``
    (Poisson where ``size`` is infinite); 1 where nothing was observed, 0 where something
    was observed against an expectation of exactly 0."""
    observed = np.asarray(observed, dtype=np.int64)
    expected = np.asarray(expected, dtype=float)
    size = np.asarray(size, dtype=float)
    p = np.ones(len(observed))
    some = observed > 0
    zero = some & (expected <= 0)
    p[zero] = 0.0
    poisson = some & ~zero & ~np.isfinite(size)
    p[poisson] = stats.poisson.sf(observed[poisson] - 1, expected[poisson])
    nb = some & ~zero & np.isfinite(size)
    prob = size[nb] / (size[nb] + expected[nb])
    p[nb] = stats.nbinom.sf(observed[nb] - 1, size[nb], prob)
    return np.clip(p, 0.0, 1.0)


def spikes(
    observed: np.ndarray,
    base: Baseline,
    *,
    alpha: float = ALPHA,
    min_count: int = MIN_COUNT,
    min_ratio: float = MIN_RATIO,
) -> Tested:
    """Test every series' window count against its baseline, with Benjamini-Hochberg
    control across all of them (the whole run, not one area)."""
    observed = np.asarray(observed, dtype=np.int64)
    p = upper_p(observed, base.expected, base.size)
    q = stats.false_discovery_control(p, method="bh") if len(p) else p.copy()
    big = (observed >= min_count) & (observed >= min_ratio * base.expected)
    return Tested(p, q, big & (q <= alpha))
