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

**Padding (the opposite check).** Grid reports of a kind that are rejected at triage
(``status = 'rejected'``: 不予受理, 经核实问题不存在, a duplicate call ...) far more often
than the grid reports of that kind elsewhere may be reports made to fill a quota. Per
grid x category with at least :data:`MIN_REJECTED` rejected own reports, the upper tail
``P(X >= rejected | own, p0)`` with ``p0`` the category's rejected share of all grid
reports, adjusted the same way.

Pure functions over arrays: the caller reads the counts (``geodata/queries/crosscheck.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import stats

MIN_EXTERNAL: Final = 5  # external reports a place needs before it is tested
MIN_REJECTED: Final = 5  # rejected own reports a grid needs before padding is tested
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
    return _binomial(own, own + external, category, external >= min_external, "lower", alpha)


def padding(
    rejected: np.ndarray,
    own: np.ndarray,
    category: np.ndarray,
    *,
    min_rejected: int = MIN_REJECTED,
    alpha: float = ALPHA,
) -> Tested:
    """The opposite check: each grid x category (one row each: the grid's own reports
    ``own`` of the category, ``rejected`` of them found to be no matter for the loop)
    tested for a rejected share above the category's share over the whole input (exact
    one-sided binomial upper tail ``P(X >= rejected)``), with Benjamini-Hochberg control.
    ``expected`` and ``share`` are then the rejected reports expected and the share."""
    rejected = np.asarray(rejected, dtype=np.int64)
    tested = rejected >= min_rejected
    return _binomial(rejected, np.asarray(own, dtype=np.int64), category, tested, "upper", alpha)


def _binomial(
    x: np.ndarray, n: np.ndarray, category: np.ndarray, enough: np.ndarray, tail: str, alpha: float
) -> Tested:
    """``x`` of ``n`` against the category's pooled share ``sum(x) / sum(n)``: the lower
    tail ``P(X <= x)`` or the upper tail ``P(X >= x)``, BH-adjusted over the rows tested."""
    category = np.asarray(category)
    share = np.zeros(len(x), dtype=float)
    for c in np.unique(category):
        rows = category == c
        total = n[rows].sum()
        share[rows] = x[rows].sum() / total if total else 0.0
    # a share of 0 (or 1, for the upper tail) leaves nothing to be surprised by
    tested = enough & (share > 0) & (share < 1 if tail == "upper" else True)
    p = np.ones(len(x), dtype=float)
    if tested.any():
        if tail == "lower":
            p[tested] = stats.binom.cdf(x[tested], n[tested], share[tested])
        else:
            p[tested] = stats.binom.sf(x[tested] - 1, n[tested], share[tested])
    q = np.ones(len(x), dtype=float)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
    return Tested(tested, n * share, share, p, q, tested & (q <= alpha))
