"""The audit trail (MLPS 2.0 level 3 security audit; PIPL art. 55 records).

Writers call :func:`record` inside their own transaction (the record commits or rolls
back with the action it describes) or :func:`record_now` for events whose transaction
rolls back, such as a failed sign-in. The database assigns id and time; once the
transaction commits, its sealer chains every row to the previous one with SHA-256, in id
order (``migrations/versions/0003_audit.py``, ``0026_audit_sealer.py``; the unit of work
runs the sealer right after its commit, so writers never queue behind one another's
transactions: ``docs/scale.md``, "Audit chain under concurrent writers"). Records cannot
be updated (but for the sealer setting a new row's hashes once), and are deleted only by
:func:`purge_before` once older than :data:`~geodata.models_audit.RETENTION_DAYS` days.
:func:`verify` seals what is pending, then recomputes the chain.

Only the database computes hashes, so a writer cannot skip or forge one, and a change to
any sealed row (or removal of one) shows up as the first row whose hash no longer fits.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import session_scope
from geodata.models_audit import RETENTION_DAYS, AuditAction, AuditOutcome
from geodata.queries import audit as q
from governance.errors import InvalidInput
from i18n import t

log = logging.getLogger(__name__)

#: How long :func:`record_now` waits for any lock before giving up (writers no longer take
#: the chain lock; kept as a bound on what a record in a transaction of its own may wait).
LOCK_TIMEOUT = "15s"
MAX_LIMIT = 10_000
_OUTCOMES = frozenset(o.value for o in AuditOutcome)


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify`.

    ``reason`` is a code: ``ok``, ``empty``, ``row_hash_mismatch`` (the row was changed),
    ``prev_hash_mismatch`` (a row before it was removed or rewritten) or
    ``unanchored_start`` (the oldest rows were removed outside :func:`purge_before`).
    ``head_id`` / ``head_hash`` identify the newest row: written down elsewhere, they let
    a later check notice rows removed from the end of the chain.
    """

    ok: bool
    rows: int
    first_bad_id: int | None
    reason: str
    head_id: int | None = None
    head_hash: str | None = None

    def message(self, lang: str | None = None) -> str:
        """The result as a sentence in ``lang``."""
        return t(
            f"audit.verify.{self.reason}",
            lang,
            rows=self.rows,
            id=self.first_bad_id,
            head_id=self.head_id,
            head_hash=self.head_hash,
        )


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # PostgreSQL text and jsonb refuse these


def _storable(value: Any) -> Any:
    """What a refused request sent, as the trail can keep it: a NUL or a lone surrogate
    (in a path, a name) escaped as ``\\x00`` / ``\\udxxx`` instead of failing the
    record, and with it the request (HTTP 500)."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def record(
    session: Session,
    *,
    action: str,
    outcome: str = "success",
    user_id: int | None = None,
    username: str | None = None,
    role: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    client_addr: str | None = None,
    reason: str | None = None,
    detail: dict | None = None,
) -> int:
    """Append an audit record in the caller's transaction and return its id.

    The record takes no lock other writers wait for: it is linked into the chain after
    the transaction commits (:func:`geodata.db.seal_audit`, which the unit of work runs).
    The transaction must be READ COMMITTED (the default); the database refuses records
    from REPEATABLE READ / SERIALIZABLE ones. ``detail`` must be JSON-serialisable (other
    values are turned into strings).

    Raises
    ------
    ValueError
        If ``action`` is empty or ``outcome`` is not success / failure / denied.
    """
    if not action:
        raise ValueError("audit action must not be empty")
    if outcome not in _OUTCOMES:
        raise ValueError(f"audit outcome must be one of {sorted(_OUTCOMES)}, not {outcome!r}")
    record_id = q.insert(
        session,
        action=str(action),
        outcome=str(outcome),
        user_id=user_id,
        username=_storable(username),
        role=role,
        object_type=object_type,
        object_id=None if object_id is None else _storable(str(object_id)),
        client_addr=_storable(client_addr),
        reason=_storable(reason),
        detail=_storable(detail),
    )
    log.debug("audit #%s %s %s by %s", record_id, action, outcome, username)
    return record_id


def record_now(
    *,
    action: str,
    outcome: str = "success",
    user_id: int | None = None,
    username: str | None = None,
    role: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    client_addr: str | None = None,
    reason: str | None = None,
    detail: dict | None = None,
) -> int:
    """Like :func:`record`, committed at once in a transaction of its own.

    It may be called while the thread's own unit of work is open (that unit holds no
    lock this one needs); it waits at most :data:`LOCK_TIMEOUT` for any lock.
    """
    with session_scope() as s:
        q.set_lock_timeout(s, LOCK_TIMEOUT)
        return record(
            s,
            action=action,
            outcome=outcome,
            user_id=user_id,
            username=username,
            role=role,
            object_type=object_type,
            object_id=object_id,
            client_addr=client_addr,
            reason=reason,
            detail=detail,
        )


def _utc(value: datetime | date | None) -> datetime | None:
    """A date means its midnight in UTC; a naive datetime is taken as UTC."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(), tzinfo=UTC)


def search(
    session: Session,
    *,
    username: str | None = None,
    action: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Audit records matching every given filter, newest first.

    ``since`` is inclusive, ``until`` exclusive; dates mean midnight UTC. Each row is a
    dict of the table's columns, hashes in hex. ``limit`` is capped at 10,000.
    """
    return q.search(
        session,
        username=username,
        action=action,
        since=_utc(since),
        until=_utc(until),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        limit=max(1, min(int(limit), MAX_LIMIT)),
        offset=max(0, int(offset)),
    )


def verify(session: Session, since_id: int | None = None) -> VerifyResult:
    """Seal the committed records still pending, then recompute the hash chain (from
    ``since_id``, default the whole trail) in the caller's unit of work ``session``
    (which then holds the chain lock until it ends).

    Reports the first row whose ``row_hash`` does not match its content, or whose
    ``prev_hash`` is not the previous row's ``row_hash``. The oldest remaining row may
    start from a non-zero ``prev_hash`` only if an ``audit_purge`` record names it as the
    hash of the last row that purge deleted.
    """
    q.seal_pending(session)
    c = q.check_chain(session, since_id)
    if c.rows == 0:
        return VerifyResult(ok=True, rows=0, first_bad_id=None, reason="empty")
    result = VerifyResult(
        ok=c.bad_id is None,
        rows=c.rows,
        first_bad_id=c.bad_id,
        reason=c.problem or "ok",
        head_id=c.head_id,
        head_hash=c.head_hash,
    )
    if not result.ok:
        log.error("audit chain broken at row %s: %s", c.bad_id, c.problem)
    return result


def retention_limit(today: date | None = None) -> date:
    """The latest ``before`` date a purge accepts."""
    return (today or datetime.now(UTC).date()) - timedelta(days=RETENTION_DAYS)


def purge_before(
    s: Session,
    before: date,
    *,
    username: str | None = None,
    role: str | None = None,
    client_addr: str | None = None,
) -> int:
    """Delete audit records older than ``before`` (midnight UTC) in the caller's unit of
    work ``s``; returns how many.

    The purge runs through the database function ``audit_log_purge``, which first
    appends an ``audit_purge`` record anchoring the remaining chain; both commit with the
    caller's unit. A refused request is itself recorded (outcome ``denied``) with
    :func:`record_now`, in a transaction of its own, BY DESIGN: the refusal raises, the
    caller's unit rolls back, and the record must stay (it is written before anything in
    ``s``, so ``s`` holds no chain lock it would wait for).

    Raises
    ------
    InvalidInput
        If ``before`` is less than :data:`RETENTION_DAYS` days ago; nothing is deleted.
    """
    limit = retention_limit()
    if before > limit:
        record_now(
            action=AuditAction.AUDIT_PURGE,
            outcome="denied",
            username=username,
            role=role,
            client_addr=client_addr,
            object_type="audit_log",
            detail={"before": before.isoformat(), "limit": limit.isoformat()},
        )
        raise InvalidInput("error.audit_retention", days=RETENTION_DAYS, limit=limit.isoformat())
    n = q.purge(
        s,
        datetime.combine(before, time(), tzinfo=UTC),
        username=username,
        role=role,
        client_addr=client_addr,
    )
    log.info("audit purge before %s: %d records deleted", before, n)
    return n
