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

One process sweeps at a time (a transaction-level advisory lock, held by the caller's
unit of work until it ends); the server runs a sweep every ``MINQING_SLA_SWEEP_SECONDS``
in a background thread (:func:`start_background`, the job that opens the unit), and
``python app.py sla sweep`` runs one by hand. The same thread keeps a week of patrol
visits ahead and marks missed ones (``governance/patrol_plan.keep_ahead``), at most once an
hour per process (each run adds nothing already there), and, as often, lets the emerging
hot-spot analysis recompute if its result is a day old (``governance/emerging.daily``:
one process, under its own advisory lock) and publishes the week's blind spots to their
subscribers once a day (``governance/crosscheck_alerts.daily``); and it evaluates spike
warnings every
``MINQING_SPIKE_SECONDS`` (``governance/spikes.py``, under a lock of its own).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import sla as q
from governance import crosscheck_alerts, emerging, patrol_plan, rollup, sla, spikes, wall
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from settings import get_settings

log = logging.getLogger(__name__)

SWEEP_LOCK = 7_302_017  # pg_try_advisory_xact_lock key
PATROL_EVERY_SECONDS = 3600


def sweep(s: Session, now: datetime | None = None) -> dict[str, int]:
    """One sweep in the caller's unit of work ``s`` (a system job: no principal; it reads
    every area); returns how many reminders and supervisions were added (nothing if
    another process is sweeping). The events are written when the caller's unit commits."""
    now = now or datetime.now(LOCAL_TZ)
    with scope_within(s, ALL_AREAS):
        if not q.try_sweep_lock(s, SWEEP_LOCK):
            return {"remind": 0, "supervise": 0, "review": 0}
        added = q.add_reminders(s, now)
        added |= q.add_reviews(s, now, sla.DEFAULT_MAX_SUSPEND_DAYS)
    counts = {"remind": 0, "supervise": 0, "review": 0} | added
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
        planned = 0.0  # when this process last kept the patrol tasks ahead
        while not stop.wait(interval_seconds):
            try:
                with unit_of_work() as s:
                    sweep(s)
                with unit_of_work() as s:  # the coarse rollup's delta log (migration 0028)
                    rollup.compact(s, wait=False)
                with unit_of_work() as s:  # the open cases' counters' log (migration 0032)
                    rollup.compact_open(s, wait=False)
                with unit_of_work() as s:  # the counters per hour's log (migration 0033)
                    rollup.compact_hours(s, wait=False)
                spikes.maybe_run(get_settings().spike_seconds)  # 突增预警, its own unit
                if time.monotonic() - planned >= PATROL_EVERY_SECONDS:
                    with unit_of_work() as s, scope_within(s, ALL_AREAS):
                        patrol_plan.keep_ahead(s)
                    planned = time.monotonic()
                    with unit_of_work() as s:  # a failure retries in an hour
                        emerging.daily(s)
                    with unit_of_work() as s:  # blind spots to their subscribers, daily
                        crosscheck_alerts.daily(s)
                # last: a failure here leaves the round's other work done
                with unit_of_work() as s, scope_within(s, ALL_AREAS):  # the walls' next marks
                    wall.keep_marks_ahead(s)
            except Exception:  # the next round tries again
                log.warning("SLA sweep failed", exc_info=True)

    threading.Thread(target=loop, name="sla-sweep", daemon=True).start()
