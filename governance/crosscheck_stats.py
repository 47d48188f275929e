"""The statistics of 逆向倒查 (the reverse cross-check, issue 16): where residents' own
channels (12345, 110, public reports, sensors) keep reporting a kind of problem that the
grid's own channel (grid reports, patrol findings) of that place rarely reports, the grid
is not seeing its streets.

**The test.** For each place x category with at least :data:`MIN_EXTERNAL` external
reports, the grid's reports ``own`` out of ``n = own + external`` are compared with the
share the grid reports of that category across the whole area, ``p0 = sum(own) / sum(n)``:
under "this place is like the rest", ``own ~ Binomial(n, p0)``, and the one-sided p value
is ``P(X <= own)`` (``scipy.stats.binom.cdf``): the chance of a share this low or lower by
luck alone. Testing hundreds of places at once makes some small p values certain, so the
p values are adjusted with Benjamini-Hochberg (``scipy.stats.false_discovery_control``)
and a place is a **blind spot** when its q value is at most :data:`ALPHA`: among all places
flagged, at most 5 % are expected to be flukes. The binomial test is exact (no normal
approximation for small counts) and conservative for discrete data.

Pure functions over arrays: the caller reads the counts (``geodata/queries/crosscheck.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import stats

MIN_EXTERNAL: Final = 5  # external reports a place needs before it is tested
ALPHA: Final = 0.05  # false-discovery rate of the flagged places


@dataclass(frozen=True)
class Tested:
    """The test of every place x category (arrays aligned with the input)."""

    tested: np.ndarray  # bool: enough external reports to be tested
    expected: np.ndarray  # grid reports expected at the area's share (n * p0)
    share: np.ndarray  # the area's grid share of the category (p0)
    p: np.ndarray  # one-sided binomial p value (1 where not tested)
    q: np.ndarray  # Benjamini-Hochberg adjusted (1 where not tested)
    blind: np.ndarray  # bool: q <= alpha


def blind_spots(
    own: np.ndarray,
    external: np.ndarray,
    category: np.ndarray,
    *,
    min_external: int = MIN_EXTERNAL,
    alpha: float = ALPHA,
) -> Tested:
    """Test each place x category (one row each: the grid's count ``own``, the external
    channels' ``external``, its ``category`` code) against its category's share in the
    whole input, with false-discovery control across every row tested."""
    own = np.asarray(own, dtype=np.int64)
    external = np.asarray(external, dtype=np.int64)
    category = np.asarray(category)
    n = own + external
    share = np.zeros(len(own), dtype=float)
    for c in np.unique(category):
        rows = category == c
        total = n[rows].sum()
        share[rows] = own[rows].sum() / total if total else 0.0
    tested = (external >= min_external) & (share > 0)
    p = np.ones(len(own), dtype=float)
    if tested.any():
        p[tested] = stats.binom.cdf(own[tested], n[tested], share[tested])
    q = np.ones(len(own), dtype=float)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    return Tested(tested, n * share, share, p, q, tested & (q <= alpha))
