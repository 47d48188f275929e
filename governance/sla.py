"""SLA clocks: accept within N hours, resolve within N working days, red / amber / green.

Working days are Monday to Friday in Asia/Shanghai, except the days listed in
``calendar_day`` (public holidays are not working days; adjusted weekends, 调休, are).
"Resolve within N working days" ends at midnight after the N-th working day following
the day of dispatch (a case dispatched on Friday afternoon with 1 working day is due at
the end of Monday, not on Saturday).

The policy is the most specific ``sla_policy`` row for (category, priority): both, then
the category alone, then the priority alone, then the catch-all row; without any row,
:data:`DEFAULTS` by priority.

Clocks stop while a case is suspended (挂起: waiting for a court ruling, a season, a third
party), in working time: time on days that are not working days never counted towards a
deadline, so it is not counted as suspended either. On resume both deadlines move by the
working time the case was suspended (:func:`shifted`). That is the only state that stops
the clock: GB/T 30428 lets a handler ask for more time (an extension, which the
dispatcher grants or denies while the clock runs) but counts the time a case could not
be worked on only when the dispatcher itself has put it aside; a case waiting to be
accepted or being handled is the department's time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from geodata.queries import sla as q
from governance.filters import LOCAL_TZ

# priority -> (accept within hours, resolve within working days, remind hours before)
DEFAULT_MAX_SUSPEND_DAYS = 30  # then the supervisor reviews the suspension
DEFAULTS: Mapping[int, tuple[int, int, int]] = {
    1: (1, 1, 2),  # urgent
    2: (2, 3, 4),
    3: (4, 5, 8),
    4: (8, 10, 8),  # low
}
AMBER_SHARE = 0.2  # amber when less than this share of the allowed time is left


@dataclass(frozen=True)
class Policy:
    accept_hours: int
    resolve_workdays: int
    remind_before_hours: int
    max_suspend_days: int = DEFAULT_MAX_SUSPEND_DAYS


def policy_for(session: Session, category: str, priority: int) -> Policy:
    """The policy of a case (see the module docstring)."""
    row = q.policy_row(session, category, priority)
    if row is not None:
        return Policy(*row)
    a, r, remind = DEFAULTS.get(priority, DEFAULTS[3])
    return Policy(a, r, remind)


def is_workday(day: date, overrides: Mapping[date, bool]) -> bool:
    return overrides.get(day, day.weekday() < 5)


def add_workdays(start: datetime, n: int, overrides: Mapping[date, bool]) -> datetime:
    """Midnight (local) at the end of the n-th working day after ``start``'s day."""
    day = start.astimezone(LOCAL_TZ).date()
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time.min, LOCAL_TZ)


def _next_midnight(t: datetime) -> datetime:
    return datetime.combine(t.astimezone(LOCAL_TZ).date() + timedelta(days=1), time.min, LOCAL_TZ)


def working_seconds(start: datetime, end: datetime, overrides: Mapping[date, bool]) -> float:
    """Seconds between ``start`` and ``end`` that fall on working days (local time)."""
    total, t = 0.0, start
    while t < end:
        segment_end = min(end, _next_midnight(t))
        if is_workday(t.astimezone(LOCAL_TZ).date(), overrides):
            total += (segment_end - t).total_seconds()
        t = segment_end
    return total


def add_working_seconds(t: datetime, seconds: float, overrides: Mapping[date, bool]) -> datetime:
    """``t`` moved forward by ``seconds`` of working time: days that are not working days
    are stepped over whole (a deadline at the end of Friday plus one working day is the
    end of Monday)."""
    remaining = seconds
    while remaining > 0:
        midnight = _next_midnight(t)
        if is_workday(t.astimezone(LOCAL_TZ).date(), overrides):
            room = (midnight - t).total_seconds()
            if remaining <= room:
                return t + timedelta(seconds=remaining)
            remaining -= room
        t = midnight
    return t


@dataclass(frozen=True)
class Shift:
    """What a resume does to a case's deadlines."""

    working_seconds: float
    accept_due_at: datetime | None
    resolve_due_at: datetime | None


def shifted(
    session: Session,
    suspended_at: datetime,
    resumed_at: datetime,
    accept_due_at: datetime | None,
    resolve_due_at: datetime | None,
) -> Shift:
    """The deadlines of a case suspended from ``suspended_at`` to ``resumed_at``, each
    moved by the working time in between."""
    dates = [d for d in (accept_due_at, resolve_due_at, resumed_at, suspended_at) if d is not None]
    span = (resumed_at - suspended_at).days
    # from the earliest of them: a deadline to move may lie before the suspension (an
    # accepted case's accept-by), and the days after it are counted with their holidays
    overrides = q.calendar_overrides(
        session,
        min(dates).astimezone(LOCAL_TZ).date(),
        max(dates).astimezone(LOCAL_TZ).date() + timedelta(days=span * 3 + 21),
    )
    paused = working_seconds(suspended_at, resumed_at, overrides)

    def move(due: datetime | None) -> datetime | None:
        return None if due is None else add_working_seconds(due, paused, overrides)

    return Shift(paused, move(accept_due_at), move(resolve_due_at))


def due_dates(
    session: Session, category: str, priority: int, at: datetime
) -> tuple[datetime, datetime]:
    """(accept by, resolve by) for a case dispatched at ``at``."""
    policy = policy_for(session, category, priority)
    local = at.astimezone(LOCAL_TZ).date()
    # enough calendar for the longest run of holidays plus weekends
    overrides = q.calendar_overrides(
        session, local, local + timedelta(days=policy.resolve_workdays * 3 + 21)
    )
    return at + timedelta(hours=policy.accept_hours), add_workdays(
        at, policy.resolve_workdays, overrides
    )


def clock(
    status: str,
    *,
    now: datetime,
    dispatched_at: datetime | None,
    accepted_at: datetime | None,
    accept_due_at: datetime | None,
    resolve_due_at: datetime | None,
) -> dict[str, object] | None:
    """The running clock of an open case: which deadline, when, and red / amber / green.

    ``dispatched`` runs the accept clock; ``accepted`` and ``in_progress`` the resolve
    clock; other states run none (None): a suspended case's clock stands still."""
    if status == "dispatched":
        stage, due, since = "accept", accept_due_at, dispatched_at
    elif status in ("accepted", "in_progress"):
        stage, due, since = "resolve", resolve_due_at, accepted_at or dispatched_at
    else:
        return None
    if due is None:
        return None
    left = (due - now).total_seconds()
    total = (due - since).total_seconds() if since else None
    if left < 0:
        state = "red"
    elif total and left < total * AMBER_SHARE:
        state = "amber"
    else:
        state = "green"
    return {"stage": stage, "due_at": due, "seconds_left": int(left), "state": state}
