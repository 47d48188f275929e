"""Automatic reminders (催办) before a deadline and supervision (督办) after it.

:func:`sweep` finds open cases whose running deadline (accept by for dispatched cases,
resolve by for accepted / in-progress ones) is within the policy's reminder window, or
past, and appends one ``remind`` or ``supervise`` event per case and deadline to the
timeline (set-based SQL; a second sweep adds nothing). A suspended case runs no clock, so
it is never reminded; a suspension longer than the policy's ``max_suspend_days`` gets one
``review`` event (督办: the supervisor decides whether it may stay suspended), once per
suspension, and is listed for review on the dispatch board. These events change no
state, so they do not bump the incident's version. Each one is also sent to live
listeners.

One process sweeps at a time (a transaction-level advisory lock); the server runs a
sweep every ``MINQING_SLA_SWEEP_SECONDS`` in a background thread, and
``python app.py sla sweep`` runs one by hand.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import text

from geodata.db import ALL_AREAS, session_scope
from governance import sla
from governance.filters import LOCAL_TZ
from governance.workflow import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

SWEEP_LOCK = 7_302_017  # pg_try_advisory_xact_lock key

_SWEEP_SQL = """
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
    WHERE i.status IN ('dispatched', 'accepted', 'in_progress')
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
_REVIEW_SQL = """
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


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One sweep; returns how many reminders and supervisions were added (nothing if
    another process is sweeping)."""
    now = now or datetime.now(LOCAL_TZ)
    with session_scope(scope=ALL_AREAS) as s:
        if not s.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK}).scalar():
            return {"remind": 0, "supervise": 0, "review": 0}
        rows = list(s.execute(text(_SWEEP_SQL), {"now": now, "ch": NOTIFY_CHANNEL}).all())
        rows += s.execute(
            text(_REVIEW_SQL),
            {"now": now, "ch": NOTIFY_CHANNEL, "default_days": sla.DEFAULT_MAX_SUSPEND_DAYS},
        ).all()
    counts = {"remind": 0, "supervise": 0, "review": 0} | {str(r[0]): int(r[1]) for r in rows}
    if any(counts.values()):
        log.info("SLA sweep: %s", counts)
    return counts


_started = threading.Event()


def start_background(interval_seconds: int) -> None:
    """Sweep every ``interval_seconds`` in a daemon thread (once per process; 0: never)."""
    if interval_seconds <= 0 or _started.is_set():
        return
    _started.set()
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_seconds):
            try:
                sweep()
            except Exception:  # the next round tries again
                log.warning("SLA sweep failed", exc_info=True)

    threading.Thread(target=loop, name="sla-sweep", daemon=True).start()
