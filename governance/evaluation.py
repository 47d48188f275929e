"""The monthly evaluation (月评估): scorecards of departments, streets and grids for one
calendar month in the user's area, compared with the month before.

Commanders (city-wide) and supervisors (their street) hold ``ANALYTICS_VIEW``. A month
is a local (Asia/Shanghai) calendar month ``[first day 00:00, first day of the next
month 00:00)``; the comparison is the previous calendar month (not a period of equal
length). The measures and the score are those of :mod:`governance.scores`.

Streets and grids also show their patrol (:class:`Patrol`): of the visits whose period
ended in the month (up to yesterday for the current month), the share done, the share
done on time, and the share of done visits checked in off site. Like the other shares,
none is shown over fewer than ``scores.MIN_BASE`` visits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import patrol_scores
from geodata.queries import scores as q
from governance import area_codes, scores
from governance.access import ANALYTICS_VIEW, Principal, require
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.scores import Kind, Score

MONTHS_OFFERED = 24  # full months in the picker, besides the current one
FIRST_YEAR = 2000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Patrol:
    """A street's or grid's patrol in the month (shares 0..1, None: too few visits)."""

    due: int
    done: float | None
    on_time: float | None
    off_site: float | None


def _patrol(row: dict[str, int]) -> Patrol:
    def share(part: int, whole: int) -> float | None:
        return None if whole < scores.MIN_BASE else part / whole

    return Patrol(
        row["due"],
        share(row["done"], row["due"]),
        share(row["on_time"], row["due"]),
        share(row["off_site"], row["done"]),
    )


@dataclass(frozen=True)
class Evaluation:
    """One month's scorecards (each ranked, best first) in the user's scope."""

    month: str  # "YYYY-MM"
    previous_month: str
    start: datetime
    end: datetime
    cards: dict[Kind, list[Score]]  # the kinds asked for
    department_names_en: dict[str, str]  # department id -> English name
    # kind -> the Score key (a street's or grid's code) -> its patrol
    patrol: dict[Kind, dict[str, Patrol]] = field(default_factory=dict)
    as_of: datetime | None = None  # a closed month's kept scorecards: when computed

    def patrol_of(self, kind: Kind, key: str) -> Patrol | None:
        """The patrol of a scorecard line (streets are matched on their first 9 digits)."""
        by = self.patrol.get(kind, {})
        return by.get(key[:9] if kind == "street" else key)


def _month_start(d: date) -> datetime:
    return datetime.combine(d.replace(day=1), time(), LOCAL_TZ)


def _shift(d: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``d``'s month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_month(now: datetime | None = None) -> str:
    """The last full calendar month before ``now`` (local), as "YYYY-MM"."""
    today = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
    return _shift(today, -1).strftime("%Y-%m")


def month_options(now: datetime | None = None) -> list[str]:
    """The months the picker offers, newest first: the current (partial) month and the
    :data:`MONTHS_OFFERED` full months before it."""
    today = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
    return [_shift(today, -i).strftime("%Y-%m") for i in range(MONTHS_OFFERED + 1)]


def parse_month(raw: object, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``[start, end)`` of a "YYYY-MM" month, from 2000 up to the current month; else
    :class:`InvalidInput` (``eval.error.month``)."""
    m = _MONTH.match(raw) if isinstance(raw, str) else None
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise InvalidInput("eval.error.month", value=str(raw)[:20])
    first = date(int(m.group(1)), int(m.group(2)), 1)
    today = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).date()
    if first.year < FIRST_YEAR or first > today:
        raise InvalidInput("eval.error.month", value=str(raw)[:20])
    return _month_start(first), _month_start(_shift(first, 1))


def evaluate(
    session: Session,
    scope: str | None,
    month: str,
    *,
    kinds: tuple[Kind, ...] = scores.KINDS,
    now: datetime | None = None,
) -> Evaluation:
    """The scorecards of ``kinds`` for ``month`` inside ``scope`` in the caller's
    transaction (no access check: :func:`monthly` is the checked entry point)."""
    keep = now is None  # as of now: a closed month's scorecards are kept (scores.scorecard)
    now = now or datetime.now(LOCAL_TZ)
    start, end = parse_month(month, now)
    prev_start = _month_start(_shift(start.date(), -1))
    # a full month is compared with the full month before; the current month ends at
    # now and is compared with the same span of the month before
    until = min(end, now)
    prev_until = start if until == end else min(start, prev_start + (until - start))
    cards = {
        kind: scores.scorecard(
            session,
            kind=kind,
            scope=scope,
            start=start,
            end=until,
            previous=(prev_start, prev_until),
            as_of=now,
            keep=keep,
        )
        for kind in kinds
    }
    patrol = {
        kind: {
            key: _patrol(row)
            for key, row in patrol_scores.patrol_by(
                session, kind, scope, start.date(), until.astimezone(LOCAL_TZ).date()
            ).items()
        }
        for kind in kinds
        if kind != "department"
    }
    return Evaluation(
        month=month,
        previous_month=prev_start.strftime("%Y-%m"),
        start=start,
        end=end,
        cards=cards,
        department_names_en=q.department_names_en(session),
        patrol=patrol,  # type: ignore[arg-type]
        as_of=scores.kept_at(session, scope, start, until) if keep else None,
    )


def monthly(
    s: Session, principal: Principal | None, month: object = None, kind: object = None
) -> Evaluation:
    """The monthly evaluation for the principal's area (default: the last full month),
    of one kind of unit (default and unknown values: departments), read in the caller's
    unit of work ``s``."""
    who = require(principal, ANALYTICS_VIEW)
    chosen = default_month() if month in (None, "") else month
    parse_month(chosen)  # bad input: a clear message before any query
    kinds = tuple(k for k in scores.KINDS if k == kind) or scores.KINDS[:1]
    return evaluate(s, who.scope, str(chosen), kinds=kinds)


def keep_ahead(s: Session, area: str | None, month: str) -> Evaluation:
    """The morning run's step (the server's operator, no principal): every kind of
    scorecard of the closed ``month`` (YYYY-MM) for ``area`` (a code; None: the city),
    computed now and kept, so its first reader does not wait for it (at 10M incidents the
    grids' first scorecard took 6 s), read in the area's row-level-security scope."""
    scope = area_codes.scope_prefix(s, area)
    with scope_within(s, scope or ALL_AREAS):
        return evaluate(s, scope, month, kinds=scores.KINDS)
