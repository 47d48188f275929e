"""The demo city's field force: a grid-worker account for every grid that has none.

Accounts are ``gw<grid code>``, named after the grid's (fictitious) worker with
"（演示）", all with one shared password hash (the demo password is public; one argon2
hash instead of 2,150 keeps the seed fast). The checklists and tasks are made by
``governance/demo_patrol.py`` through the real services; the year of visits, in bulk, by
:func:`write_history`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.demo import writer

log = logging.getLogger(__name__)

FIELD_PREFIX = "gw"
# what the demo's patrol bulk-loads (tasks, submissions, findings)
LOADED_TABLES = ("patrol_task", "patrol_submission", "patrol_finding")


def add_field_force(session: Session, password_hash: str) -> int:
    """A grid worker for each grid without an enabled one; returns how many were added."""
    result = session.execute(
        text("""
        INSERT INTO app_user (username, display_name, password_hash, role, area_id, disabled,
                              failed_logins, must_change_password)
        SELECT :prefix || a.code, coalesce(a.worker_name, a.name) || '（演示）', :hash,
               'grid_worker', a.id, false, 0, false
        FROM area a
        WHERE a.level = 'grid' AND NOT EXISTS (
            SELECT 1 FROM app_user u
            WHERE u.area_id = a.id AND u.role = 'grid_worker' AND NOT u.disabled)
        ORDER BY a.code
        ON CONFLICT (username) DO NOTHING"""),
        {"prefix": FIELD_PREFIX, "hash": password_hash},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class History:
    """Outcomes of the tasks begun by the moment of seeding, and what was written."""

    on_time: int
    late: int
    missed: int
    open: int  # of the periods under way, not done yet
    submissions: int
    cases: int


def write_history(session: Session, *, seed: int, now: datetime) -> History:
    """The submissions and findings of every task due by ``now`` (its period begun) that
    has none, in the caller's transaction; the tasks done are marked so (the missed ones
    are left to ``patrol_plan.mark_missed``). Deterministic for the same tasks, ``seed``
    and ``now`` (:mod:`geodata.demo.patrol_history`, :mod:`geodata.demo.patrol_writes`,
    :mod:`geodata.demo.patrol_cases`)."""
    from geodata.demo import patrol_cases, patrol_history, patrol_writes

    t0 = time.perf_counter()
    writer.analyze(session, ["patrol_task"])  # just written: plan the read with statistics
    tasks = patrol_history.load_tasks(session, now)
    templates = patrol_writes.load_templates(session)
    drawn = patrol_history.draw(np.random.default_rng([seed, 21]), tasks, int(now.timestamp()))
    t1 = time.perf_counter()
    written = patrol_writes.write_submissions(
        session, np.random.default_rng([seed, 22]), tasks, drawn, templates, seed=seed
    )
    t2 = time.perf_counter()
    cases = patrol_cases.write_cases(
        session, np.random.default_rng([seed, 23]), tasks, written, templates, now
    )
    writer.analyze(session, ["patrol_task", "patrol_submission", "patrol_finding"])
    c = drawn.outcome_counts
    out = History(c["on_time"], c["late"], c["missed"], c["open"], len(written.ids), cases)
    log.info("patrol history: %s; draw %.1fs, submissions %.1fs, cases %.1fs", out,
             t1 - t0, t2 - t1, time.perf_counter() - t2)  # fmt: skip
    return out


@contextmanager
def bulk_load(session: Session) -> Iterator[None]:
    """Write a year of tasks and visits with the foreign keys and the plain (not unique)
    indexes of :data:`LOADED_TABLES` set aside, and put them back, checked and rebuilt
    once, at the end (in the caller's transaction). A look-up per row for five foreign
    keys and three indexes kept up row by row were four fifths of the time of writing
    150,000 tasks; the unique indexes stay, task generation needs them."""
    plain = session.execute(
        text("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(:t)
          AND NOT i.indexdef LIKE 'CREATE UNIQUE %'
        ORDER BY i.indexname"""),
        {"t": list(LOADED_TABLES)},
    ).all()
    with writer.foreign_keys_set_aside(session, LOADED_TABLES):
        for name, _ in plain:
            session.execute(text(f'DROP INDEX "{name}"'))
        yield
        for _, definition in plain:
            session.execute(text(definition))
