"""SLA policies, the working-day calendar and the reminder sweep (the rules that use them
live in ``governance/sla.py`` and ``governance/sla_sweep.py``).

Each function runs in the caller's transaction. The sweep's statements are set-based and
idempotent: each adds a timeline event only where the same event is not there yet, and
notifies live listeners of each one (on :data:`geodata.listen.INCIDENT_CHANNEL`,
delivered at commit).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.listen import INCIDENT_CHANNEL
from geodata.queries import case_state as cs


def policy_row(session: Session, category: str, priority: int) -> tuple[int, int, int, int] | None:
    """``(accept_hours, resolve_workdays, remind_before_hours, max_suspend_days)`` of the
    most specific ``sla_policy`` row for (category, priority): both, then the category
    alone, then the priority alone, then the catch-all row (None: no row applies)."""
    row = session.execute(
        text("""
        SELECT accept_hours, resolve_workdays, remind_before_hours, max_suspend_days
        FROM sla_policy
        WHERE (category_code = :c OR category_code IS NULL)
          AND (priority = :p OR priority IS NULL)
        ORDER BY category_code IS NULL, priority IS NULL LIMIT 1"""),
        {"c": category, "p": priority},
    ).first()
    if row is None:
        return None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def calendar_overrides(session: Session, start: date, end: date) -> dict[date, bool]:
    """Days between ``start`` and ``end`` (inclusive) listed in ``calendar_day``, with
    whether each is a working day (a day not listed works as its weekday says)."""
    rows = session.execute(
        text("SELECT day, workday FROM calendar_day WHERE day BETWEEN :a AND :b"),
        {"a": start, "b": end},
    ).all()
    return {d: bool(w) for d, w in rows}


def try_sweep_lock(session: Session, key: int) -> bool:
    """Take the transaction-level advisory lock ``key`` if free (False: another
    transaction holds it); it is released when the caller's transaction ends."""
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


_SWEEP_SQL: Final = f"""
WITH running AS (
    SELECT i.id, i.version, i.status,
           CASE WHEN i.status = 'dispatched' THEN 'accept' ELSE 'resolve' END AS stage,
           CASE WHEN i.status = 'dispatched' THEN i.accept_due_at ELSE i.resolve_due_at END
               AS due,
           coalesce(p.remind_before_hours, 4) AS remind_h
    FROM incident i
    LEFT JOIN LATERAL (
        SELECT remind_before_hours FROM sla_policy s
        WHERE (s.category_code = i.category_code OR s.category_code IS NULL)
          AND (s.priority = i.priority OR s.priority IS NULL)
        ORDER BY s.category_code IS NULL, s.priority IS NULL LIMIT 1
    ) p ON true
    WHERE {cs.handling()}
      AND CASE WHEN i.status = 'dispatched' THEN i.accept_due_at ELSE i.resolve_due_at END
          < CAST(:now AS timestamptz) + interval '2 days'
),
due AS (
    SELECT r.*, CASE WHEN r.due <= CAST(:now AS timestamptz) THEN 'supervise'
                     ELSE 'remind' END AS action
    FROM running r
    WHERE r.due IS NOT NULL
      AND r.due - make_interval(hours => r.remind_h) <= CAST(:now AS timestamptz)
),
added AS (
    INSERT INTO incident_event (incident_id, action, from_status, to_status, version,
                                actor_name, actor_role, detail)
    SELECT d.id, d.action, d.status, d.status, d.version, NULL, 'system',
           jsonb_build_object('stage', d.stage, 'due_at', d.due)
    FROM due d
    WHERE NOT EXISTS (
        SELECT 1 FROM incident_event e
        WHERE e.incident_id = d.id AND e.action = d.action
          AND e.detail->>'stage' = d.stage
          AND (e.detail->>'due_at')::timestamptz = d.due)
    RETURNING incident_id, action, version, to_status
)
SELECT action, count(*) AS n,
       count(pg_notify(:ch, json_build_object('id', incident_id, 'status', to_status,
                                              'version', version, 'action', action)::text))
FROM added GROUP BY action
"""

# Suspensions past the policy's limit: one ``review`` event per suspension.
_REVIEW_SQL: Final = """
WITH long AS (
    SELECT i.id, i.version, i.status, i.suspended_at,
           coalesce(p.max_suspend_days, :default_days) AS days
    FROM incident i
    LEFT JOIN LATERAL (
        SELECT max_suspend_days FROM sla_policy s
        WHERE (s.category_code = i.category_code OR s.category_code IS NULL)
          AND (s.priority = i.priority OR s.priority IS NULL)
        ORDER BY s.category_code IS NULL, s.priority IS NULL LIMIT 1
    ) p ON true
    WHERE i.status = 'suspended' AND i.suspended_at IS NOT NULL
),
added AS (
    INSERT INTO incident_event (incident_id, action, from_status, to_status, version,
                                actor_name, actor_role, detail)
    SELECT l.id, 'review', l.status, l.status, l.version, NULL, 'system',
           jsonb_build_object('stage', 'suspension', 'suspended_at', l.suspended_at,
                              'max_days', l.days)
    FROM long l
    WHERE l.suspended_at + make_interval(days => l.days) <= CAST(:now AS timestamptz)
      AND NOT EXISTS (
        SELECT 1 FROM incident_event e
        WHERE e.incident_id = l.id AND e.action = 'review'
          AND (e.detail->>'suspended_at')::timestamptz = l.suspended_at)
    RETURNING incident_id, action, version, to_status
)
SELECT action, count(*) AS n,
       count(pg_notify(:ch, json_build_object('id', incident_id, 'status', to_status,
                                              'version', version, 'action', action)::text))
FROM added GROUP BY action
"""


def add_reminders(session: Session, now: datetime) -> dict[str, int]:
    """Append a ``remind`` event to each open case whose running deadline (accept by
    while dispatched, resolve by once accepted; a suspended case runs none) falls within
    its policy's reminder window at ``now`` (default 4 hours), or a ``supervise`` event
    once it is past, at most once per case, stage and deadline; returns how many of each
    were added (actions with none are absent)."""
    rows = session.execute(text(_SWEEP_SQL), {"now": now, "ch": INCIDENT_CHANNEL}).all()
    return {str(r[0]): int(r[1]) for r in rows}


def add_reviews(session: Session, now: datetime, default_days: int) -> dict[str, int]:
    """Append one ``review`` event to each case suspended longer than its policy's
    ``max_suspend_days`` (``default_days`` without a policy) at ``now``, once per
    suspension; returns ``{"review": n}`` when any was added."""
    rows = session.execute(
        text(_REVIEW_SQL),
        {"now": now, "ch": INCIDENT_CHANNEL, "default_days": default_days},
    ).all()
    return {str(r[0]): int(r[1]) for r in rows}
