"""The supervisor's patrol report (巡查督导): how many visits were due, made, made on time,
missed, made off site, per street, community, grid or grid worker, for one period in the
user's area; the missed visits of high-risk sites and persons (the reminder list of
``governance/patrol_plan.py``); the off-site submissions; and reassigning a task.

Supervisors (their street) and commanders (the city) hold ``PATROL_SUPERVISE``.

Definitions (one place; ``geodata/queries/patrol_report.py`` turns them into SQL):

* **Period**: whole local (Asia/Shanghai) days ``start .. end``, both included. This week
  and last week are ISO weeks (Monday to Sunday); this month and last month calendar
  months; a custom range is at most :data:`MAX_DAYS` days, from 2000 on.
* **Due** in a period: a task (not cancelled) whose period's last day lies in it and whose
  deadline (the end of that last day) has passed, or which is already done. So a weekly
  visit of this week is due on Sunday night, not before, unless it was made: a rate of a
  running period counts only what could already have been done.
* **Done**: the task has its submission. **On time**: filled on the phone by the
  deadline (``patrol_submission.late`` false); **late**: after it. **Missed**: due and not
  done (whether or not the sweep has marked it ``missed`` yet). due = done + missed,
  done = on time + late.
* **Off-site share**: done visits whose check-in was judged off site, over done.
  **Failed-item share**: done visits with at least one failed checklist item, over done.
* The **off-site list**: submissions filled in the period judged off site or flagged
  (no position, low accuracy, implausibly fast between two check-ins).

Rows are sorted worst first: lowest completion, then lowest on-time rate, then most
missed. Key persons appear as their category and pseudonymous id to the roles that may
see them (supervisors: ``PERSONS_POINTS``), as "key person" and the id to commanders,
never with an identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from geodata.queries import known_names as names_q
from geodata.queries import patrol_report as q
from governance import patrol_plan, pii
from governance.access import PATROL_SUPERVISE, PERSONS_POINTS, Principal, require, require_area
from governance.errors import InvalidInput, NotFound
from governance.filters import LOCAL_TZ

PERIODS: Final = ("this_week", "last_week", "this_month", "last_month", "custom")
GROUPS: Final = ("county", "street", "community", "grid", "worker")
MAX_DAYS: Final = 366
FIRST_DAY: Final = date(2000, 1, 1)
LIST_LIMIT: Final = 50  # rows of each list on screen (a browser draws 50 fast; exports take all)
_DATE: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_CODE: Final = re.compile(r"^[0-9]{12}([0-9]{3})?$")


@dataclass(frozen=True)
class Period:
    """Local days ``start .. end`` (inclusive)."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), LOCAL_TZ)

    @property
    def until(self) -> datetime:
        """The instant the period ends (the next day's midnight)."""
        return datetime.combine(self.end + timedelta(days=1), time(), LOCAL_TZ)


def _month_start(d: date, months: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _parse_date(raw: object, field: str) -> date:
    if isinstance(raw, str) and len(raw) > 10 and raw[10] == "T":
        raw = raw[:10]  # the date picker may send a midnight with its date
    if not isinstance(raw, str) or not _DATE.match(raw.strip()):
        raise InvalidInput("preport.error.date", field=field, value=str(raw)[:20])
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("preport.error.date", field=field, value=str(raw)[:20]) from None


def parse_period(
    kind: object, start: object = None, end: object = None, *, today: date | None = None
) -> Period:
    """The period of a choice in :data:`PERIODS` (None or "": this week); ``start`` and
    ``end`` ("YYYY-MM-DD") only for ``custom``. Anything else: :class:`InvalidInput`."""
    today = today or datetime.now(LOCAL_TZ).date()
    kind = kind or "this_week"
    monday = today - timedelta(days=today.weekday())
    if kind == "this_week":
        return Period(monday, monday + timedelta(days=6))
    if kind == "last_week":
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    if kind == "this_month":
        return Period(_month_start(today), _month_start(today, 1) - timedelta(days=1))
    if kind == "last_month":
        return Period(_month_start(today, -1), _month_start(today) - timedelta(days=1))
    if kind != "custom":
        raise InvalidInput("error.unknown_value", name="period", value=str(kind)[:30])
    first, last = _parse_date(start, "start"), _parse_date(end, "end")
    if last < first or (last - first).days >= MAX_DAYS or first < FIRST_DAY:
        raise InvalidInput("preport.error.range", days=MAX_DAYS)
    if first > today:
        raise InvalidInput("preport.error.future")
    return Period(first, last)


@dataclass(frozen=True)
class Rates:
    """The figures of one group (or the total: ``key`` None)."""

    key: str | None
    name: str
    due: int
    done: int
    on_time: int
    late: int
    missed: int
    off_site: int
    failed: int

    @staticmethod
    def _share(n: int, of: int) -> float | None:
        return n / of if of else None

    @property
    def completion(self) -> float | None:
        return self._share(self.done, self.due)

    @property
    def on_time_rate(self) -> float | None:
        return self._share(self.on_time, self.due)

    @property
    def off_site_share(self) -> float | None:
        return self._share(self.off_site, self.done)

    @property
    def failed_share(self) -> float | None:
        return self._share(self.failed, self.done)

    def worst_first(self) -> tuple[float, float, int, str]:
        return (self.completion or 0.0, self.on_time_rate or 0.0, -self.missed, self.key or "")


@dataclass(frozen=True)
class Report:
    """One period's report in an area: a rates table and the two lists."""

    period: Period
    group: str
    area: str | None  # the area code chosen (None: the user's whole scope)
    rows: list[Rates]  # worst first
    total: Rates
    missed: list[dict[str, Any]]
    missed_total: int
    off_site: list[dict[str, Any]]
    off_site_total: int


def area_like(s: Session, who: Principal, area: object) -> str | None:
    """The code prefix to report on: ``area`` (an area code inside the user's scope) or
    the user's scope (None: the city)."""
    if area in (None, ""):
        return who.scope
    if not isinstance(area, str) or not _CODE.match(area):
        raise InvalidInput("error.unknown_value", name="area", value=str(area)[:20])
    level = q.area_level(s, area)
    if level is None:
        raise InvalidInput("error.unknown_value", name="area", value=area)
    require_area(who, area)  # a county around a supervisor's street is not theirs
    return area[: q.LEVEL_DIGITS[level]]


def _names(s: Session, group: str, keys: list[str]) -> dict[str, str]:
    if group != "worker":
        return q.area_names(s, keys)
    ws = q.workers(s, [int(k) for k in keys if k])
    return {
        str(i): f"{w['display_name']}（{w['username']}）· {w['grid_name'] or ''}"
        for i, w in ws.items()
    }


def rates(
    s: Session, group: str, like: str | None, period: Period, now: datetime
) -> tuple[list[Rates], Rates]:
    """The rates table of ``group`` (worst first) and its totals row."""
    raw = q.rates(s, group, like, period.start, period.end, now)
    names = _names(s, group, [r["key"] for r in raw if r["key"] is not None])
    rows, total = [], Rates(None, "", 0, 0, 0, 0, 0, 0, 0)
    for r in raw:
        figures = {k: int(r[k]) for k in ("due", "done", "on_time", "late", "missed")}
        figures |= {k: int(r[k]) for k in ("off_site", "failed")}
        if r["key"] is None:
            total = Rates(None, "", **figures)
        else:
            rows.append(Rates(r["key"], names.get(r["key"], r["key"]), **figures))
    return sorted(rows, key=Rates.worst_first), total


def choice(raw: object, choices: tuple[str, ...], name: str, default: str) -> str:
    if raw in (None, ""):
        return default
    if raw not in choices:
        raise InvalidInput("error.unknown_value", name=name, value=str(raw)[:30])
    return str(raw)


def targets(rows: list[dict[str, Any]], who: Principal) -> list[dict[str, Any]]:
    """Person categories only to those who may see key persons' points."""
    if not who.can(PERSONS_POINTS):
        for r in rows:
            r["person_category"] = None
            r["care_level"] = None
    return rows


def report(
    s: Session,
    principal: Principal | None,
    *,
    period: object = None,
    start: object = None,
    end: object = None,
    group: object = None,
    area: object = None,
    now: datetime | None = None,
    limit: int = LIST_LIMIT,
) -> Report:
    """The report for the principal's area (or ``area`` inside it), read in the caller's
    unit of work ``s``; every argument may be anything a hand-made request sends."""
    who = require(principal, PATROL_SUPERVISE)
    now = now or datetime.now(LOCAL_TZ)
    chosen = parse_period(period, start, end, today=now.astimezone(LOCAL_TZ).date())
    grouping = choice(group, GROUPS, "group", "street")
    like = area_like(s, who, area)
    rows, total = rates(s, grouping, like, chosen, now)
    missed, missed_n = q.missed_high_risk(s, like, chosen.start, chosen.end, now, limit)
    off, off_n = q.off_site(s, like, chosen.since, chosen.until, limit)
    return Report(
        period=chosen,
        group=grouping,
        area=area if isinstance(area, str) and area else None,
        rows=rows,
        total=total,
        missed=targets(missed, who),
        missed_total=missed_n,
        off_site=targets(masked_reasons(s, off), who),
        off_site_total=off_n,
    )


def masked_reasons(s: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Off-site reasons are free text: masked like incident descriptions, with the names of
    the key persons of each row's community (read in the caller's row-level scope)."""
    communities = sorted({r["grid_code"][: names_q.COMMUNITY_DIGITS] for r in rows})
    known = (
        names_q.key_person_names(s, communities)
        if any(r.get("off_site_reason") for r in rows)
        else {}
    )
    matchers = {c: pii.KnownNames(known.get(c, ())) for c in communities}
    for r in rows:
        community = r["grid_code"][: names_q.COMMUNITY_DIGITS]
        r["off_site_reason"] = pii.redact(r.get("off_site_reason"), matchers[community])
        r["flags"] = list(r.get("flags") or [])
    return rows


def _task_id(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise InvalidInput("preport.error.task")
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput("preport.error.task") from None
    if not 0 < value < 2**63:
        raise InvalidInput("preport.error.task")
    return value


def worker_choices(s: Session, principal: Principal | None, task: object) -> dict[str, Any]:
    """The task to reassign and the grid workers it may go to: the enabled grid workers of
    its street inside the user's scope, its own grid's first."""
    who = require(principal, PATROL_SUPERVISE)
    task_id = _task_id(task)
    row = q.task_area(s, task_id)
    if row is None:
        raise NotFound("error.not_found", what=f"task {task_id}")
    require_area(who, row["grid_code"])
    if row["status"] not in ("open", "missed"):
        raise InvalidInput("patrol.error.task_closed")
    street = row["grid_code"][:9]
    like = who.scope if who.scope and len(who.scope) > len(street) else street
    workers = q.workers_near(s, like)
    workers.sort(key=lambda w: (w["grid_code"] != row["grid_code"], w["grid_code"], w["id"]))
    return {"task": row, "workers": workers}


def reassign(
    s: Session,
    principal: Principal | None,
    task: object,
    worker: object,
    *,
    client_addr: str | None = None,
) -> dict[str, object]:
    """Reassign ``task`` to ``worker`` (:func:`governance.patrol_plan.reassign`, which
    checks the role, the area and the worker), from any request values."""
    who = require(principal, PATROL_SUPERVISE)
    task_id = _task_id(task)
    if worker in (None, ""):
        raise InvalidInput("patrol.error.not_a_worker")
    worker_id = _task_id(worker)
    return patrol_plan.reassign(s, task_id, worker_id, principal=who, client_addr=client_addr)


def area_options(s: Session, principal: Principal | None) -> list[dict[str, Any]]:
    """The drill-down's choices: the counties, streets and communities of the user's scope
    (``code, name, level``)."""
    who = require(principal, PATROL_SUPERVISE)
    return q.areas_in(s, who.scope)
