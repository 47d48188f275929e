"""The daily dispatch board (日调度): today's intake, the undispatched queue, overdue and
escalated cases of the principal's area, and one-click dispatch.

Every list row carries an SLA light (red / amber / green). Cases being handled use the
running clock of :func:`governance.sla.clock` (accept by, then resolve by). Cases not yet
dispatched have no deadline in the state machine; the board measures how long they have
waited since they were reported against the accept time of their SLA policy
(:func:`wait_clock`: a case should be dispatched and accepted within that time), so the
oldest of the queue turn amber, then red.

One-click dispatch goes through :func:`governance.workflow.transition_steps` with the
version the board showed: a stale version is a :class:`~governance.errors.Conflict` and
nothing changes (a second click of the same button is stale after the first). A
registered case is verified (核实) and dispatched by the one click, as two timeline steps
(each audited) in ONE transaction: should the dispatch be refused, the verification is
rolled back with it and the case stays as the board showed it.

Reporter data never appears here; descriptions pass through :mod:`governance.pii` with the
names of each case's reporter and of the key persons of its community
(``governance/known_names.py``: read in the board's transaction only to be masked).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.queries import dispatch_board as q
from governance import catalog, known_names, sla, workflow
from governance.access import INCIDENT_DISPATCH, Principal, require, require_area
from governance.errors import InvalidInput, NotFound
from governance.filters import LOCAL_TZ
from governance.workflow_apply import suggest_departments
from i18n import t

log = logging.getLogger(__name__)

LIST_LIMIT = 50  # rows shown per list (the totals count all of them)
DESCRIPTION_CHARS = 80
TOP_CATEGORIES = 8


@dataclass(frozen=True)
class BoardRow:
    """One incident of a list, as the board shows it (no reporter, contacts redacted)."""

    id: int
    version: int
    status: str
    status_label: str
    category: str
    color: str | None
    priority: int
    grid: str | None
    reported_at: datetime
    description: str
    department: str | None
    escalation_level: int
    sla_state: str | None  # red / amber / green, None: no clock runs
    sla_label: str | None  # "accept by 14:30" ...
    suggested_id: int | None = None  # queue rows: the routing suggestion
    suggested_name: str | None = None


@dataclass(frozen=True)
class Board:
    """What the board shows at ``as_of``."""

    as_of: datetime
    totals: dict[str, int]
    by_source: list[tuple[str, int]]
    by_category: list[tuple[str, str | None, int]]
    lists: dict[str, list[BoardRow]] = field(default_factory=dict)
    departments: list[dict[str, Any]] = field(default_factory=list)


def today(now: datetime | None = None) -> tuple[datetime, datetime]:
    """``(local midnight, now)``: the board's "today"."""
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    return datetime.combine(now.date(), time(), LOCAL_TZ), now


def wait_clock(
    session: Session,
    category: str,
    priority: int,
    reported_at: datetime,
    now: datetime,
    cache: dict[tuple[str, int], int],
) -> dict[str, object]:
    """The light of a case not yet dispatched: its wait since it was reported against
    the accept hours of its SLA policy (red past them, amber in their last share)."""
    key = (category, priority)
    if key not in cache:
        cache[key] = sla.policy_for(session, category, priority).accept_hours
    total = timedelta(hours=cache[key])
    due = reported_at + total
    left = (due - now).total_seconds()
    state = (
        "red"
        if left < 0
        else "amber"
        if left < total.total_seconds() * sla.AMBER_SHARE
        else "green"
    )
    return {"stage": "dispatch", "due_at": due, "seconds_left": int(left), "state": state}


def light(
    s: Session, r: dict[str, Any], now: datetime, cache: dict[tuple[str, int], int]
) -> dict[str, object] | None:
    """The SLA clock of a list row: :func:`wait_clock` while queued, else the running
    clock of :func:`governance.sla.clock` (None: no clock runs)."""
    if r["status"] in q.QUEUE_STATUSES:
        return wait_clock(s, r["category_code"], r["priority"], r["reported_at"], now, cache)
    return sla.clock(
        r["status"],
        now=now,
        dispatched_at=r["dispatched_at"],
        accepted_at=r["accepted_at"],
        accept_due_at=r["accept_due_at"],
        resolve_due_at=r["resolve_due_at"],
    )


def sla_text(clock: dict[str, object] | None, lang: str) -> str | None:
    """``"accept by 11-29 14:30"`` for a clock (None: no clock)."""
    if clock is None:
        return None
    due = clock["due_at"]
    assert isinstance(due, datetime)
    when = due.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
    return t(f"dispatch.sla.{clock['stage']}", lang, at=when)


def _short(description: str | None, incident_id: int, names: known_names.IncidentNames) -> str:
    clean = names.redact(incident_id, description) or ""
    return clean if len(clean) <= DESCRIPTION_CHARS else clean[: DESCRIPTION_CHARS - 1] + "…"


def _row(
    s: Session,
    r: dict[str, Any],
    lang: str,
    now: datetime,
    caches: tuple[dict[tuple[str, int], int], dict[tuple[str, str | None], dict[str, Any]]],
    dept_names: dict[int, str],
    names: known_names.IncidentNames,
) -> BoardRow:
    policy_cache, suggestion_cache = caches
    cat = catalog.category(r["category_code"])
    clock = light(s, r, now, policy_cache)
    suggested: int | None = None
    if r["status"] in q.QUEUE_STATUSES:
        key = (r["category_code"], r["grid_code"])
        if key not in suggestion_cache:
            suggestion_cache[key] = suggest_departments(s, *key)
        suggested = suggestion_cache[key]["lead"]
    dept = r["department_en"] if lang == "en" else r["department_zh"]
    return BoardRow(
        id=int(r["id"]),
        version=int(r["version"]),
        status=r["status"],
        status_label=t(f"status.{r['status']}", lang),
        category=cat.name(lang) if cat else r["category_code"],
        color=cat.color if cat else None,
        priority=int(r["priority"]),
        grid=r["grid_name"],
        reported_at=r["reported_at"].astimezone(LOCAL_TZ),
        description=_short(r["description"], int(r["id"]), names),
        department=dept,
        escalation_level=int(r["escalation_level"]),
        sla_state=str(clock["state"]) if clock else None,
        sla_label=sla_text(clock, lang),
        suggested_id=suggested,
        suggested_name=dept_names.get(suggested) if suggested is not None else None,
    )


def board(
    s: Session,
    principal: Principal | None,
    lang: str = "zh-CN",
    *,
    now: datetime | None = None,
    limit: int = LIST_LIMIT,
) -> Board:
    """Today's intake, the queue, overdue and escalated cases in the principal's scope,
    read in the caller's unit of work ``s``."""
    who = require(principal, INCIDENT_DISPATCH)
    start, now = today(now)
    departments = workflow.departments(s, lang)
    names = {int(d["id"]): str(d["name"]) for d in departments}
    window = q.Window(scope=who.scope, now=now, start=start, end=now)
    caches: tuple[dict[Any, Any], dict[Any, Any]] = ({}, {})
    totals = q.list_counts(s, window)
    breakdown = q.intake_breakdown(s, scope=who.scope, start=start, end=now)
    raw = {kind: q.list_rows(s, kind, window, limit=limit) for kind in q.LISTS}
    known = known_names.load(s, [r["id"] for rows in raw.values() for r in rows])
    lists = {
        kind: [_row(s, r, lang, now, caches, names, known) for r in rows]
        for kind, rows in raw.items()
    }
    by_category = []
    for code, n in breakdown["category"][:TOP_CATEGORIES]:
        cat = catalog.category(code)
        by_category.append((cat.name(lang) if cat else code, cat.color if cat else None, n))
    return Board(
        as_of=now,
        totals=totals,
        by_source=[(t(f"source.{k}", lang), n) for k, n in breakdown["source"]],
        by_category=by_category,
        lists=lists,
        departments=departments,
    )


def _int(raw: object, name: str) -> int:
    if isinstance(raw, bool):
        raise InvalidInput("error.unknown_value", name=name, value=str(raw))
    try:
        return int(raw)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        raise InvalidInput("error.unknown_value", name=name, value=str(raw)[:40]) from None


def dispatch(
    s: Session,
    principal: Principal | None,
    incident_id: object,
    *,
    expected_version: object,
    department_id: object = None,
    lang: str = "zh-CN",
    client_addr: str | None = None,
) -> dict[str, Any]:
    """Dispatch a queued case to ``department_id`` (None: the routing suggestion), with
    the version the board showed. A registered case is verified first (see the module
    docstring). Returns the dispatch transition's result with the lead department (id
    and name in ``lang``). Checked and written in the caller's unit of work ``s``: the
    verification and the dispatch both happen, or neither."""
    who = require(principal, INCIDENT_DISPATCH)
    iid = _int(incident_id, "incident")
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidInput("error.version_required")
    lead = None if department_id in (None, "") else _int(department_id, "lead_department_id")
    params = {} if lead is None else {"lead_department_id": lead}
    row = q.dispatch_target(s, iid)
    if row is None:
        raise NotFound("error.not_found", what=f"incident {iid}")
    require_area(who, row[2] or "")
    # refuse a dispatch that cannot succeed before the case is verified
    target = lead if lead is not None else suggest_departments(s, *row[1:])["lead"]
    if target is None:
        raise InvalidInput("error.lead_required")
    name = q.department_names(s, target)
    if name is None:
        raise InvalidInput("error.unknown_department", value=str(target))
    # a registered case is verified and dispatched in one transaction: both or neither
    steps = [workflow.Step("verify")] if row[0] == "registered" else []
    steps.append(workflow.Step("dispatch", params=params))
    result = workflow.transition_steps(
        s, iid, steps, expected_version=expected_version, principal=who, client_addr=client_addr
    )[-1]
    department = name[1] if lang == "en" else name[0]
    return {**result, "lead_department_id": target, "department": department}
