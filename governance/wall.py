"""The wall screen's figures: KPI tiles, top lists and, through ``governance/wall_cases``,
the incident feed, SLA countdowns, handoff status and hotspots of one area.

Nothing here is a person: counts, category codes with their labels and colours, grid and
department names, and incident texts masked by the classification registry's rules
(``governance/wall_cases.py``). The scope is the wall's area (the principal's area scope;
the whole city for city-wide walls). Times are local (Asia/Shanghai).

The KPI tiles and what each compares with "the same time yesterday" (``now - 24 h``):

* ``today``: incidents that occurred today so far (``occurred_at`` in
  ``[midnight, now)``, the clock of the map's layers) against yesterday up to the same
  time (``[yesterday midnight, now - 24 h)``);
* ``awaiting`` (registered or verified, not yet dispatched), ``handling`` (dispatched,
  accepted or in progress: with a department) and ``overdue`` (a running SLA clock past
  its deadline: a dispatched case past ``accept_due_at``, an accepted or started one past
  ``resolve_due_at``, as ``governance.sla.clock`` turns red): open counts now against the
  open counts at ``now - 24 h``, reconstructed from the timeline of transitions
  (``geodata.queries.wall.open_counts_at``), not from today's columns;
* ``on_time``: the share of incidents resolved today so far (``resolved_at``) that were
  resolved by their ``resolve_due_at``, against the same share of those resolved
  yesterday up to the same time; the change is in percentage points. None when nothing
  was resolved in the window. (A case reopened since loses its ``resolved_at`` and
  drops out of both windows: it is no longer resolved.)
* ``satisfaction``: the mean score of the residents' ratings given today so far
  (satisfied 100, basic 60, dissatisfied 0, as in ``governance.scores``) against those
  given yesterday up to the same time; None without ratings.
* ``patrol``: today's patrol completion, the share of the visits due by the end of today
  (their period's last day is today) that are done so far, against the share of those
  due by the end of yesterday that were done by the same time yesterday; None when no
  visit is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from geodata.queries import wall as q
from governance import catalog
from governance import wall_cases as cases
from governance.access import WALL_VIEW, Principal, require
from governance.filters import LOCAL_TZ
from i18n import t

TOP_N = 5
DAY = timedelta(days=1)
KPI_KEYS = ("today", "awaiting", "handling", "overdue", "on_time", "satisfaction", "patrol")

Kind = Literal["count", "rate", "score"]


@dataclass(frozen=True)
class Kpi:
    """One tile. ``value``/``previous`` None: no figure (nothing to measure yet).

    ``kind``: a count, a rate in percent (its change in percentage points) or a score
    (0-100). ``better``: the direction that is good news (colours the change)."""

    key: str
    label: str
    value: float | None
    previous: float | None = None
    kind: Kind = "count"
    better: Literal["up", "down"] | None = None
    note: str | None = None

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def delta_pct(self) -> float | None:
        """Relative change in percent (counts only; rates change in points)."""
        if self.kind != "count" or self.delta is None or not self.previous:
            return None
        return 100.0 * self.delta / self.previous


@dataclass(frozen=True)
class Ranked:
    """A line of a top list: a category or a grid and its count."""

    code: str
    label: str
    count: int
    color: str | None = None


@dataclass(frozen=True)
class WallSnapshot:
    """What the wall shows at ``as_of`` (local time)."""

    as_of: datetime
    kpis: tuple[Kpi, ...]
    categories: tuple[Ranked, ...]
    grids: tuple[Ranked, ...]
    feed: tuple[cases.FeedItem, ...] = ()
    countdowns: tuple[cases.Countdown, ...] = ()
    handoff: cases.Handoff | None = None
    hotspots: tuple[cases.HotspotRow, ...] = ()


def bounds(now: datetime | None = None) -> q.Bounds:
    """The instants of the comparison, for ``now`` (default: the current local time)."""
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    return q.Bounds(
        now=now,
        midnight=datetime.combine(now.date(), time(), LOCAL_TZ),
        day_ago=now - DAY,
        yesterday_midnight=datetime.combine(now.date() - DAY, time(), LOCAL_TZ),
    )


def _rate(part: float | None, whole: float | None) -> float | None:
    return None if not whole else 100.0 * (part or 0) / whole


def kpis(
    session: Session, b: q.Bounds, scope: str | None, lang: str, open_now: list[q.OpenGroup]
) -> tuple[Kpi, ...]:
    """The KPI tiles (see the module docstring for each comparison); ``open_now`` is
    :func:`geodata.queries.wall.open_cases` at ``b.now``."""
    w = q.window_counts(session, b, scope)
    visits = q.patrol_counts(session, b, scope)
    patrol = _rate(visits["done"], visits["due"])
    now = q.open_counts(open_now)
    then = q.open_counts_at(session, b.day_ago, scope)
    on_time = _rate(w["on_time"], w["resolved"])
    score = None if not w["ratings"] else (w["score_sum"] or 0) / w["ratings"]
    score_prev = None if not w["ratings_prev"] else (w["score_sum_prev"] or 0) / w["ratings_prev"]

    def label(key: str) -> str:
        return t(f"wall.kpi.{key}", lang)

    return (
        Kpi("today", label("today"), w["today"], w["today_prev"]),
        Kpi("awaiting", label("awaiting"), now["awaiting"], then["awaiting"], better="down"),
        Kpi("handling", label("handling"), now["handling"], then["handling"]),
        Kpi("overdue", label("overdue"), now["overdue"], then["overdue"], better="down"),
        Kpi(
            "on_time",
            label("on_time"),
            on_time,
            _rate(w["on_time_prev"], w["resolved_prev"]),
            kind="rate",
            better="up",
            note=None if on_time is not None else t("wall.no_resolved", lang),
        ),
        Kpi(
            "satisfaction",
            label("satisfaction"),
            score,
            score_prev,
            kind="score",
            better="up",
            note=None if score is not None else t("wall.no_ratings", lang),
        ),
        Kpi(
            "patrol",
            label("patrol"),
            patrol,
            _rate(visits["done_prev"], visits["due_prev"]),
            kind="rate",
            better="up",
            note=None if patrol is not None else t("wall.no_patrol", lang),
        ),
    )


def snapshot(
    s: Session, principal: Principal | None, lang: str = "zh-CN", *, now: datetime | None = None
) -> WallSnapshot:
    """Everything the wall shows for its area now (or at ``now``), read in the caller's
    unit of work ``s`` (in the principal's scope: the feed masks the names it may read)."""
    who = require(principal, WALL_VIEW)
    scope = who.scope
    b = bounds(now)
    open_now = q.open_cases(s, b.now, scope)  # read once for the KPIs and the handoff
    tiles = kpis(s, b, scope, lang, open_now)
    cats, grids = q.top_received(s, b.day_ago, b.now, scope, TOP_N)
    feed = cases.feed(s, b.now, scope, lang)
    countdowns = cases.countdowns(s, b.now, scope, lang)
    handoff = cases.handoff(open_now, lang)
    hot = cases.hot(s, b.now, scope, lang)
    ranked_cats = []
    for code, n in cats:
        cat = catalog.category(code)
        ranked_cats.append(
            Ranked(code, cat.name(lang) if cat else code, n, cat.color if cat else None)
        )
    return WallSnapshot(
        as_of=b.now,
        kpis=tiles,
        categories=tuple(ranked_cats),
        grids=tuple(Ranked(code, name, n) for code, name, n in grids),
        feed=feed,
        countdowns=countdowns,
        handoff=handoff,
        hotspots=hot,
    )


def keep_marks_ahead(s: Session, now: datetime | None = None) -> int:
    """Keep the marks the walls' "yesterday at this time" will want next, before they ask
    (the background sweep, each round; ``geodata.queries.wall.keep_marks_ahead``)."""
    return q.keep_marks_ahead(s, now or datetime.now(LOCAL_TZ))
