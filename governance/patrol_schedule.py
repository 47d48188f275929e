"""When visits fall due: the periods of a patrol rule, as pure date arithmetic.

A rule says "one visit every ``every`` days / ISO weeks / calendar months". Periods are
counted from a fixed Monday (:data:`EPOCH`), so the same day always falls in the same
period whatever day generation runs, and a period is named by a key
(``day3:3300``, ``week1:1405``, ``month1:323``): a site or person has at most one task
per key (a unique index), which is what makes generation idempotent. A period runs from
its first day (``due_on``) to its last (``last_day``); its deadline is local midnight at
the end of the last day. With ``workdays_only``, a period with no working day (a weekend
or holiday by ``calendar_day``, as the SLA clocks count them) has no visit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from governance.filters import LOCAL_TZ

EPOCH = date(2000, 1, 3)  # a Monday: ISO weeks are counted from it
PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    key: str
    due_on: date
    last_day: date

    @property
    def deadline(self) -> datetime:
        """Local midnight at the end of the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, LOCAL_TZ)

    def days(self) -> Iterator[date]:
        d = self.due_on
        while d <= self.last_day:
            yield d
            d += timedelta(days=1)


def _month_index(d: date) -> int:
    return (d.year - EPOCH.year) * 12 + d.month - 1


def _month_start(index: int) -> date:
    return date(EPOCH.year + index // 12, index % 12 + 1, 1)


def period_of(day: date, period: str, every: int) -> Period:
    """The period of a ``period``/``every`` rule that contains ``day``."""
    if period not in PERIODS or not 1 <= every <= 366:
        raise ValueError(f"no such rule: every {every} {period}")
    if day < EPOCH:
        raise ValueError(f"{day} is before {EPOCH}")
    if period == "month":
        k = _month_index(day) // every
        first = _month_start(k * every)
        last = _month_start((k + 1) * every) - timedelta(days=1)
    else:
        length = every * (7 if period == "week" else 1)
        k = (day - EPOCH).days // length
        first = EPOCH + timedelta(days=k * length)
        last = first + timedelta(days=length - 1)
    return Period(f"{period}{every}:{k}", first, last)


def periods(
    period: str,
    every: int,
    start: date,
    end: date,
    *,
    workdays_only: bool = False,
    is_workday: Callable[[date], bool] | None = None,
) -> list[Period]:
    """Every period of the rule that overlaps ``start`` .. ``end`` (inclusive), in order;
    with ``workdays_only``, those with at least one working day by ``is_workday``."""
    if end < start:
        return []
    out = []
    p = period_of(start, period, every)
    while p.due_on <= end:
        if not workdays_only or is_workday is None or any(map(is_workday, p.days())):
            out.append(p)
        p = period_of(p.last_day + timedelta(days=1), period, every)
    return out
