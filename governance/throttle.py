"""Rate limits shared by every worker and app node, kept in PostgreSQL.

Counters in the process (what the public pages and the audit of anonymous refusals had)
let each gunicorn worker allow the whole rate: two workers doubled it, a second node
doubles it again. Here a limit is a row per bucket and window in ``rate_limit``
(``geodata/queries/throttle.py``): one round trip per check, sliding-window estimate.

The limits, as data:

* sign-in failures per client address and overall (password spraying), on top of the
  per-account lockout (``governance/accounts.py``);
* public reports created and unknown tracking codes per address (``web/public.py``);
* audit records of anonymous refusals per address (``web/refusals.py``).

Refused attempts are not each written to the audit trail (a flood would fill it): the
first refusal of a window is, and the next record written for the bucket carries how
many were refused without a record since (``suppressed_before``), so nothing is lost.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from geodata.db import session_scope
from geodata.models_audit import AuditAction
from geodata.queries import throttle as q
from governance import audit
from governance.errors import MinqingError

PURGE_CHANCE: Final = 0.01  # one call in a hundred forgets windows older than a day
AUDITED_REFUSALS: Final = 1  # refusals of one window written one by one


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` per ``seconds`` in one bucket of family ``name``."""

    name: str
    hits: int
    seconds: int

    def bucket(self, key: str) -> str:
        return f"{self.name}:{key}"[:120]


SIGNIN_FAILURES_PER_ADDRESS: Final = Limit("signin-fail-addr", 20, 600)
SIGNIN_FAILURES_ALL: Final = Limit("signin-fail-all", 500, 600)
REPORTS_PER_ADDRESS: Final = Limit("report-addr", 5, 600)
TRACK_MISSES_PER_ADDRESS: Final = Limit("track-miss-addr", 20, 600)
ANONYMOUS_DENIALS_PER_ADDRESS: Final = Limit("denied-anon-addr", 20, 60)
GLOBAL: Final = "all"


class TooMany(MinqingError):
    """Over a limit: 429, with the seconds to wait (``retry_after``)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, key: str, retry_after: int, **params: object) -> None:
        super().__init__(key, minutes=max(1, math.ceil(retry_after / 60)), **params)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Verdict:
    """A check's outcome: is the attempt allowed; for a refusal, should it be written to
    the audit trail, and how many refusals since the last record were not."""

    allowed: bool
    retry_after: int = 0
    audit: bool = False
    suppressed_before: int = 0


def _retry_after(limit: Limit, counts: q.Counts) -> int:
    """Seconds until the sliding estimate falls back under the limit (at most a window)."""
    if counts.hits >= limit.hits:
        return max(1, math.ceil((1.0 - counts.elapsed) * limit.seconds))
    need = counts.estimate() - limit.hits + 1  # the previous window must fade this much
    fade = need / max(counts.prev_hits, 1)
    return max(1, min(limit.seconds, math.ceil(fade * limit.seconds)))


def _maybe_purge(session: Session) -> None:
    if random.random() < PURGE_CHANCE:
        purge(session, datetime.now(UTC) - timedelta(days=1))


def purge(session: Session, before: datetime) -> int:
    """Forget windows that ended before ``before``; refusals of theirs that no audit
    record reported yet get one summary record each first (nothing is lost)."""
    for bucket, start, n in q.unreported(session, before):
        audit.record(
            session,
            action=AuditAction.ACCESS_DENIED,
            outcome="denied",
            object_type="rate_limit",
            object_id=bucket,
            detail={"check": "throttle_summary", "window_start": start.isoformat(), "refused": n},
        )
    return q.purge(session, before)


def count(session: Session, limit: Limit, key: str) -> None:
    """Count one hit that was already let through (a failed sign-in, say)."""
    q.add(session, limit.bucket(key), limit.seconds, hits=1)


def hit_now(limit: Limit, key: str, **options: bool) -> Verdict:
    """:func:`hit` in a transaction of its own (like ``audit.record_now``): for checks
    whose count must stay whatever the request's own transaction does."""
    with session_scope() as s:
        return hit(s, limit, key, **options)


def peek(session: Session, limit: Limit, key: str, *, audit_refusals: bool = True) -> Verdict:
    """Would one more hit be within ``limit``? (Counts nothing; a refusal is counted.)"""
    counts = q.read(session, limit.bucket(key), limit.seconds)
    if counts.estimate() + 1 <= limit.hits:
        return Verdict(True)
    return _refuse(session, limit, key, counts, audit_refusals)


def hit(
    session: Session,
    limit: Limit,
    key: str,
    *,
    audit_refusals: bool = True,
    reports: bool = False,
) -> Verdict:
    """Count one hit; allowed if it is within ``limit`` (a refused hit still counts, so
    a client that keeps trying stays refused). ``reports``: an allowed hit is written to
    the audit trail by the caller, so the window's first one carries the previous
    window's refusals that no record reported (``suppressed_before``)."""
    _maybe_purge(session)
    counts = q.add(session, limit.bucket(key), limit.seconds, hits=1)
    if counts.estimate() <= limit.hits:
        if not reports:
            return Verdict(True)
        return Verdict(True, suppressed_before=q.settle(session, limit.bucket(key)))
    return _refuse(session, limit, key, counts, audit_refusals)


def _refuse(
    session: Session, limit: Limit, key: str, counts: q.Counts, audit_refusals: bool
) -> Verdict:
    """Count a refusal; the window's first is to be audited (when refusals are), with
    every earlier refusal of the bucket that no record reported."""
    audit = audit_refusals and counts.audited < AUDITED_REFUSALS
    q.add(session, limit.bucket(key), limit.seconds, refused=1, audited=int(audit))
    suppressed = q.settle(session, limit.bucket(key)) if audit else 0
    return Verdict(False, _retry_after(limit, counts), audit, suppressed)
