"""The wall screen's figures: KPI tiles and top lists of one area, aggregates only.

Everything here is a count, a category code with its label and colour, or a grid's
name: never an incident's description, address or reporter, nor any person. The scope is
the wall's area (the principal's area scope; the whole city for city-wide walls).

Times are local (Asia/Shanghai) and by ``occurred_at``, the clock the map's layers use
(and the one the incident indexes serve). "Change vs the same time yesterday" compares
today so far with yesterday up to the same time, and the last hour with the same hour
yesterday. Open incidents have no history (no status log yet), so their tile shows how
many of them arrived in the last 24 h instead of a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from geodata.db import session_scope
from geodata.queries import wall as q
from governance import catalog
from governance.access import WALL_VIEW, Principal, require
from governance.filters import LOCAL_TZ
from i18n import t

TOP_N = 5
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Kpi:
    """One tile: a label, a value and how it compares (``previous`` None: no comparison)."""

    key: str
    label: str
    value: int
    previous: int | None = None
    note: str | None = None

    @property
    def delta(self) -> int | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def delta_pct(self) -> float | None:
        if self.previous is None or self.previous == 0:
            return None
        return 100.0 * (self.value - self.previous) / self.previous


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


def bounds(now: datetime | None = None) -> q.Bounds:
    """The instants of the comparison, for ``now`` (default: the current local time)."""
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    midnight = datetime.combine(now.date(), time(), LOCAL_TZ)
    return q.Bounds(
        now=now,
        midnight=midnight,
        hour_ago=now - HOUR,
        day_ago=now - DAY,
        yesterday_midnight=datetime.combine(now.date() - DAY, time(), LOCAL_TZ),
        yesterday_hour_ago=now - DAY - HOUR,
    )


def snapshot(
    principal: Principal | None, lang: str = "zh-CN", *, now: datetime | None = None
) -> WallSnapshot:
    """KPIs and the top categories and grids of the last 24 h in the wall's area."""
    scope = require(principal, WALL_VIEW).scope
    b = bounds(now)
    with session_scope() as s:
        c = q.kpi_counts(s, b, scope)
        cats = q.top_categories(s, b.day_ago, b.now, scope, TOP_N)
        grids = q.top_grids(s, b.day_ago, b.now, scope, TOP_N)
    kpis = (
        Kpi("today", t("wall.kpi.today", lang), c["today"], c["today_prev"]),
        Kpi(
            "open",
            t("wall.kpi.open", lang),
            c["open"],
            None,
            t("wall.open_new", lang, n=c["open_24h"]),
        ),
        Kpi("hour", t("wall.kpi.hour", lang), c["hour"], c["hour_prev"]),
    )
    ranked_cats = []
    for code, n in cats:
        cat = catalog.category(code)
        ranked_cats.append(
            Ranked(code, cat.name(lang) if cat else code, n, cat.color if cat else None)
        )
    return WallSnapshot(
        as_of=b.now,
        kpis=kpis,
        categories=tuple(ranked_cats),
        grids=tuple(Ranked(code, name, n) for code, name, n in grids),
    )
