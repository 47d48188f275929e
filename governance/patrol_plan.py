"""Patrol plans: which visits are due when, who makes them, which were missed.

:func:`generate` adds the tasks of every period of each site's and person's rule that
overlaps a span of days (``governance/patrol_schedule.py``); a task exists at most once per
target and period (a unique index), so generating a span again, or overlapping spans,
adds nothing twice and leaves no gap. The scheduler runs it for the coming week every
time the SLA sweep runs; ``python app.py patrol generate`` runs it for any span.

A task is assigned to its grid's first enabled grid worker; a supervisor reassigns it to
another grid worker of their area (:func:`reassign`). A task whose deadline passes
unvisited becomes ``missed`` (:func:`mark_missed`; a visit may still come, late). Missed
visits of high-risk sites and persons (risk grade 3-4, care level 3) are the supervisor's
reminder list on the patrol page (``governance/patrol_report.py``), not cases: a missed
visit is the worker's lapse, not a problem found in the street, and turning it into a case
would fill the loop with work nobody can dispatch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from geodata.queries import patrol as q
from geodata.queries import sla as sla_q
from governance import audit
from governance.access import PATROL_SUPERVISE, Principal, require, require_area
from governance.errors import InvalidInput, NotFound
from governance.filters import LOCAL_TZ
from governance.patrol_schedule import periods
from governance.sla import is_workday

log = logging.getLogger(__name__)

MAX_SPAN_DAYS = 800  # one generation: a little over two years
AHEAD_DAYS = 7  # the scheduler keeps a week of tasks ahead


@dataclass(frozen=True)
class Generated:
    start: date
    end: date
    sites: int
    persons: int

    @property
    def total(self) -> int:
        return self.sites + self.persons


def generate(s: Session, start: date, end: date, *, area_code: str | None = None) -> Generated:
    """Add the tasks due in ``start`` .. ``end`` (inclusive) in the caller's unit ``s``
    (a system job: it reads every area, or ``area_code``'s subtree).

    Raises
    ------
    InvalidInput
        ``end`` before ``start``, or a span longer than :data:`MAX_SPAN_DAYS`.
    """
    if end < start or (end - start).days > MAX_SPAN_DAYS:
        raise InvalidInput("patrol.error.span", days=MAX_SPAN_DAYS)
    # the periods overlapping the span may begin before it and end after it
    overrides = sla_q.calendar_overrides(s, start - timedelta(days=400), end + timedelta(days=400))

    def workday(d: date) -> bool:
        return is_workday(d, overrides)

    added = {}
    for subject in ("site", "person"):
        blocks = [
            (rule["id"], p.key, p.due_on, p.last_day, p.deadline)
            for rule in q.rules(s)
            if rule["subject"] == subject
            for p in periods(
                rule["period"],
                rule["every"],
                start,
                end,
                workdays_only=rule["workdays_only"],
                is_workday=workday,
            )
        ]
        added[subject] = q.insert_tasks(s, subject, blocks, area_code=area_code)
    out = Generated(start, end, added["site"], added["person"])
    log.info("patrol tasks %s..%s: %d sites, %d persons", start, end, out.sites, out.persons)
    return out


def mark_missed(s: Session, now: datetime | None = None) -> int:
    """Open tasks past their deadline become ``missed`` (a system job)."""
    return q.mark_missed(s, now or datetime.now(LOCAL_TZ))


def keep_ahead(s: Session, today: date | None = None) -> Generated:
    """The scheduler's step: tasks for today and the coming week, missed ones marked."""
    today = today or datetime.now(LOCAL_TZ).date()
    mark_missed(s)
    return generate(s, today, today + timedelta(days=AHEAD_DAYS))


def reassign(
    s: Session,
    task_id: int,
    user_id: int,
    *,
    principal: Principal,
    client_addr: str | None = None,
) -> dict[str, object]:
    """Give task ``task_id`` to grid worker ``user_id``: both in the supervisor's area;
    an open or missed task only.

    Raises
    ------
    Forbidden
        Not a supervisor (or commander), or the task outside their area.
    NotFound
        No such task.
    InvalidInput
        The task is done or cancelled; ``user_id`` is not an enabled grid worker of the
        supervisor's area.
    """
    user = require(principal, PATROL_SUPERVISE)
    task = q.task_for_update(s, task_id)
    if task is None:
        raise NotFound("error.not_found", what=f"task {task_id}")
    require_area(user, task["grid_code"])
    if task["status"] not in ("open", "missed"):
        raise InvalidInput("patrol.error.task_closed")
    worker = q.grid_worker_in(s, user_id, user.scope or "")
    if worker is None:
        raise InvalidInput("patrol.error.not_a_worker")
    q.set_assignee(s, task_id, user_id)
    audit.record(
        s,
        action="data_change",
        user_id=user.user_id,
        username=user.username,
        role=user.role,
        client_addr=client_addr,
        object_type="patrol_task",
        object_id=task_id,
        detail={"change": "reassign", "from": task["assignee_id"], "to": user_id},
    )
    return {"id": task_id, "assignee": worker["username"]}
