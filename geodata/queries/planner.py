"""Per-transaction planner settings for the heavy read screens.

PostgreSQL's JIT compiler is off for every connection the app opens
(``geodata.db.CONNECTION_OPTIONS``): the statements of the weekly packet, the
evaluation, the briefings, intake and the dispatch board cross ``jit_above_cost`` as the
city grows and were compiled for longer than they ran. ``SET LOCAL`` lasts until the
caller's unit of work ends and touches nothing else.
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
