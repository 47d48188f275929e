"""The loop's rules as arrays, read from the database the app reads them from: the
working calendar, the SLA policies and the routing of categories to departments.

The demo writes a year of timelines at once, so it cannot call ``governance/sla.py`` case
by case (nor may the data layer import the domain). These are the same rules, vectorised
over times in integer seconds since the epoch (UTC); ``tests/integration/
test_demo_backlog.py`` checks them against ``governance.sla`` on the seeded city.

* Working days are Monday to Friday in local time (Asia/Shanghai, UTC+8 all year),
  except the days listed in ``calendar_day``.
* "Resolve within N working days" ends at local midnight after the N-th working day
  following the day of dispatch (:meth:`WorkCalendar.add_workdays`).
* Working time (:meth:`WorkCalendar.working_seconds`) counts only time on working days;
  adding working time steps over other days whole (:meth:`WorkCalendar.add_working_seconds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

LOCAL_OFFSET_S = 8 * 3600
DAY_S = 86_400
# priority -> (accept within hours, resolve within working days, max suspend days) when no
# policy row applies (governance/sla.py DEFAULTS)
FALLBACK_POLICY = {1: (1, 1, 30), 2: (2, 3, 30), 3: (4, 5, 30), 4: (8, 10, 30)}


def local_day(t: np.ndarray) -> np.ndarray:
    """Local day number (days since 1970-01-01 in local time) of UTC seconds ``t``."""
    return (t + LOCAL_OFFSET_S) // DAY_S


@dataclass(frozen=True)
class WorkCalendar:
    """Working days from local day ``first`` on: ``work[k]`` for day ``first + k``,
    ``before[k]`` the number of working days before it (from ``first``)."""

    first: int
    work: np.ndarray
    before: np.ndarray

    @classmethod
    def load(cls, session: Session, start: date, end: date) -> WorkCalendar:
        overrides: dict[date, bool] = dict(
            session.execute(
                text("SELECT day, workday FROM calendar_day WHERE day BETWEEN :a AND :b"),
                {"a": start, "b": end},
            ).all()
        )
        return cls.from_overrides(overrides, start, end)

    @classmethod
    def from_overrides(cls, overrides: Mapping[date, bool], start: date, end: date) -> WorkCalendar:
        """From ``start`` to ``end``: weekdays, but the days ``overrides`` lists."""
        days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
        work = np.array([bool(overrides.get(d, d.weekday() < 5)) for d in days])
        before = np.concatenate([[0], np.cumsum(work)[:-1]]).astype(np.int64)
        return cls((start - date(1970, 1, 1)).days, work, before)

    def _index(self, t: np.ndarray) -> np.ndarray:
        k = local_day(t) - self.first
        if len(k) and (k.min() < 0 or k.max() >= len(self.work)):
            raise ValueError("a time outside the loaded working calendar")
        return k

    def _start(self, k: np.ndarray) -> np.ndarray:
        """UTC seconds of local midnight starting calendar index ``k``."""
        return (k + self.first) * DAY_S - LOCAL_OFFSET_S

    def add_workdays(self, t: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Local midnight at the end of the ``n``-th working day after ``t``'s day."""
        k = self._index(t)
        # the n-th working day after day k: the first index with before + work == before[k+1] + n
        done = self.before + self.work
        j = np.searchsorted(done, done[k] + n, side="left")
        return self._start(j + 1)

    def working_before(self, t: np.ndarray) -> np.ndarray:
        """Working seconds from the calendar's first day up to ``t``."""
        k = self._index(t)
        return self.before[k] * DAY_S + np.where(self.work[k], t - self._start(k), 0)

    def working_seconds(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return self.working_before(end) - self.working_before(start)

    def add_working_seconds(self, t: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """``t`` moved forward by ``seconds`` of working time (unchanged where 0); a sum
        that ends a working day exactly is that day's closing midnight."""
        goal = self.working_before(t) + seconds
        whole = -(-goal // DAY_S) - 1  # working days wholly before the goal's day
        done = self.before + self.work
        j = np.searchsorted(done, whole + 1, side="left")
        moved = self._start(j) + goal - whole * DAY_S
        return np.where(seconds > 0, moved, t)


def _policy_table(session: Session, leaf_codes: list[str]) -> tuple[np.ndarray, ...]:
    """``governance.sla.policy_for`` for every (leaf, priority): the most specific row."""
    rows = session.execute(
        text("""SELECT category_code, priority, accept_hours, resolve_workdays, max_suspend_days
                FROM sla_policy""")
    ).all()
    out = [np.zeros((len(leaf_codes), 5), dtype=np.int64) for _ in range(3)]
    for li, code in enumerate(leaf_codes):
        for p in range(1, 5):
            fits = [r for r in rows if r[0] in (code, None) and r[1] in (p, None)]
            fits.sort(key=lambda r: (r[0] is None, r[1] is None))
            values = tuple(fits[0][2:5]) if fits else FALLBACK_POLICY.get(p, FALLBACK_POLICY[3])
            for table, v in zip(out, values, strict=True):
                table[li, p] = int(v)
    return tuple(out)


@dataclass(frozen=True)
class Routing:
    """``governance.workflow_apply.suggest_departments`` for arrays of (leaf, grid code)."""

    rules: list[tuple[str | None, str | None, int]]  # (category, area prefix, route index)
    default: np.ndarray  # leaf -> route index of its category's department
    routes: list[tuple[int, tuple[int, ...]]]

    def route(self, leaf_codes: list[str], leaves: np.ndarray, grids: np.ndarray) -> np.ndarray:
        out = self.default[leaves].copy()
        decided = np.zeros(len(leaves), dtype=bool)
        codes = np.asarray(leaf_codes, dtype=object)[leaves]
        for category, area, r in self.rules:  # most specific first
            hit = ~decided
            if category is not None:
                hit &= codes == category
            if area is not None:
                hit &= np.char.startswith(grids.astype(str), area)
            out[hit], decided[hit] = r, True
        return out


def load_routing(session: Session, leaf_codes: list[str]) -> Routing:
    routes: dict[tuple[int, tuple[int, ...]], int] = {}

    def index(lead: int, assist: tuple[int, ...]) -> int:
        return routes.setdefault((lead, assist), len(routes))

    rows = session.execute(
        text("""SELECT category_code, area_code, lead_department_id, assist_department_ids
                FROM routing_rule
                ORDER BY length(coalesce(area_code, '')) DESC, category_code IS NULL, id""")
    ).all()
    rules = [(c, a, index(int(lead), tuple(assist or ()))) for c, a, lead, assist in rows]
    dept: dict[str, int] = dict(
        session.execute(
            text("""SELECT c.code, coalesce(c.department_id, p.department_id)
                    FROM incident_category c
                    LEFT JOIN incident_category p ON p.code = c.parent_code""")
        ).all()
    )
    default = np.array([index(int(dept[code]), ()) for code in leaf_codes], dtype=np.int64)
    ordered = sorted(routes, key=routes.__getitem__)
    return Routing(rules, default, ordered)


@dataclass(frozen=True)
class Rules:
    """Everything the loop's timelines are computed from."""

    accept_hours: np.ndarray  # (leaves, 5): priority in columns 1..4
    resolve_workdays: np.ndarray
    max_suspend_days: np.ndarray
    routing: Routing
    department_ids: dict[str, int]  # code -> id
    grid_codes: dict[int, str]  # grid id -> code


def load_rules(session: Session, leaf_codes: list[str]) -> Rules:
    accept, resolve, suspend = _policy_table(session, leaf_codes)
    depts = {str(c): int(i) for c, i in session.execute(text("SELECT code, id FROM department"))}
    grids = {
        int(i): str(c)
        for i, c in session.execute(text("SELECT id, code FROM area WHERE level = 'grid'"))
    }
    return Rules(accept, resolve, suspend, load_routing(session, leaf_codes), depts, grids)
