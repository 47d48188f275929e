"""Per-transaction planner settings for the heavy read screens (the weekly packet, the
monthly evaluation, the briefings).

Their statements rebuild each case's state at an instant from the timeline and count
over months of incidents: their estimated cost crosses PostgreSQL's ``jit_above_cost``
(100,000), and the JIT compiler then spent 4-5 s compiling the weekly packet's overdue
statement, which runs in ~1 s without it (``bench/screens.py``; intake turns JIT off for
the same reason, ``geodata/queries/intake.py``). ``SET LOCAL`` lasts until the caller's
unit of work ends and touches nothing else.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def with_work_mem(session: Session, megabytes: int) -> None:
    """Let each sort or hash of the rest of the caller's transaction use ``megabytes`` of
    memory (PostgreSQL's default, 4 MB, makes a grouping of half a million rows spill to
    disk and sort where it could hash: the cross-check, ``geodata/queries/crosscheck.py``,
    took twice as long)."""
    session.execute(text(f"SET LOCAL work_mem = '{int(megabytes)}MB'"))


def without_jit(session: Session) -> None:
    """Turn PostgreSQL's JIT compiler off for the rest of the caller's transaction."""
    session.execute(text("SET LOCAL jit = off"))
