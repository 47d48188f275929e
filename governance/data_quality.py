"""Data quality (数据质量考核) of streets and grids over a period: does the grid see its
streets, does it report what is real, and does it report in time?

Three measures per grid, from the reverse cross-check (:mod:`governance.crosscheck_stats`)
run over the period and the scope evaluated (a street's grids are compared with the
street, the city's with the city), and summed over a street's grids:

* **Blind-spot rate**: of the grid x category pairs tested (at least ``MIN_EXTERNAL``
  reports from residents' channels), the share flagged as blind spots.
* **Padding rate**: of the grid x category pairs tested for padding (at least
  ``MIN_REJECTED`` of the grid's own reports rejected at triage), the share flagged.
* **Timely own reports**: of the grid's own reports (grid reports, patrol findings), the
  share made within ``MINQING_TIMELY_MINUTES`` (default 60) of the occurrence.

A rate resting on fewer than ``min_base`` (``scores.MIN_BASE``) pairs, or a share on fewer than
``MIN_BASE`` reports, is not shown (None): a grid with one tested pair is not "100 %
blind". The **data-quality score** is ``100 x`` the mean of what is shown among
``1 - blind rate``, ``1 - padding rate`` and the timely share; it enters the composite
score of streets and grids with the weight ``MINQING_DATA_QUALITY_WEIGHT`` (default 0.2,
:func:`governance.scores.composite`). Departments have no data quality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from geodata.queries import crosscheck as q
from governance.crosscheck_stats import blind_spots, padding
from settings import get_settings

STREET_DIGITS = 9  # a street groups grids by the first 9 digits of their code (scores)


@dataclass
class Quality:
    """A street's or grid's data quality over a period (counts, then shares 0..1)."""

    blind_tested: int = 0
    blind: int = 0
    padding_tested: int = 0
    padding: int = 0
    own: int = 0
    timely: int = 0
    min_base: int = 5  # the caller's rule: a share over fewer is not shown (scores.MIN_BASE)

    def _share(self, part: int, whole: int) -> float | None:
        return None if whole < self.min_base else part / whole

    @property
    def blind_rate(self) -> float | None:
        return self._share(self.blind, self.blind_tested)

    @property
    def padding_rate(self) -> float | None:
        return self._share(self.padding, self.padding_tested)

    @property
    def timely_share(self) -> float | None:
        return self._share(self.timely, self.own)

    @property
    def score(self) -> float | None:
        """100 x the mean of the shown parts (None when none is shown)."""
        parts = [
            None if self.blind_rate is None else 1.0 - self.blind_rate,
            None if self.padding_rate is None else 1.0 - self.padding_rate,
            self.timely_share,
        ]
        shown = [p for p in parts if p is not None]
        return 100.0 * sum(shown) / len(shown) if shown else None


def by_unit(
    s: Session, kind: str, scope: str | None, start: datetime, end: datetime, min_base: int
) -> dict[str, Quality]:
    """The data quality of every street (``kind="street"``, keyed by the first 9 digits
    of the code, as the scorecards key streets) or grid (its code) with own or external
    reports in ``[start, end)`` inside ``scope`` (None: the whole city)."""
    prefix = scope or ""
    key = (lambda code: code[:STREET_DIGITS]) if kind == "street" else (lambda code: code)
    out: dict[str, Quality] = {}
    (counted,) = q.counts(s, prefix, [(start, end)], q.RESIDENTS, get_settings().timely_minutes)
    grids, own = counted.grids, counted.own
    blind = blind_spots(grids["own"], grids["external"], grids["category"])
    pad = padding(own["rejected"], own["own"], own["category"])
    columns = (
        (grids, "blind_tested", blind.tested), (grids, "blind", blind.blind),
        (own, "padding_tested", pad.tested), (own, "padding", pad.blind),
        (own, "own", own["own"]), (own, "timely", own["timely"]),
    )  # fmt: skip
    for table, field, values in columns:
        if not len(table):
            continue
        units = np.array([key(c) for c in table["code"]], dtype=object)
        names, index = np.unique(units, return_inverse=True)
        sums = np.bincount(index, weights=np.asarray(values, dtype=float), minlength=len(names))
        for unit, total in zip(names, sums, strict=True):
            u = out.setdefault(str(unit), Quality(min_base=min_base))
            setattr(u, field, getattr(u, field) + int(total))
    return out
