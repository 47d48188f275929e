"""SQL of the audit trail: append, search, chain verification and the sanctioned purge.

Hashing happens in the database (see ``migrations/versions/0003_audit.py`` and
``0026_audit_sealer.py``): these functions never compute or send a hash, they only read
what the sealer wrote. A record is unsealed (NULL hashes) from its insert until the
sealer (:func:`seal_pending`) links it, right after its transaction commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from geodata.db import AUDIT_UNSEALED
from geodata.db import seal_pending as seal_pending  # the unit of work runs the sealer
from geodata.models_audit import RETENTION_DAYS, AuditLog

_INSERT = text("""
    INSERT INTO audit_log (action, outcome, user_id, username, role, object_type, object_id,
                           client_addr, reason, detail)
    VALUES (:action, :outcome, :user_id, :username, :role, :object_type, :object_id,
            :client_addr, :reason, CAST(:detail AS jsonb))
    RETURNING id
""")

# One statement (one snapshot): over the sealed part of the trail (up to the newest
# sealed row: an unsealed row below it is a break), recompute every row's hash with the
# same canonical function the sealer used, compare each prev_hash with the previous row's
# row_hash (window lag in id order), and check that a chain which does not start at 32
# zero bytes starts where a recorded purge says it does.
_VERIFY = text("""
    WITH chain AS MATERIALIZED (
        SELECT a.id, a.prev_hash, a.row_hash,
               row_number() OVER w AS n,
               lag(a.row_hash) OVER w AS expected_prev,
               sha256(a.prev_hash || convert_to(audit_log_canonical(a), 'UTF8')) AS expected_row
        FROM audit_log a
        WHERE a.id >= coalesce((SELECT max(b.id) FROM audit_log b WHERE b.id < :since), :since)
          AND a.id <= (SELECT max(h.id) FROM audit_log h WHERE h.row_hash IS NOT NULL)
        WINDOW w AS (ORDER BY a.id)
    ), checked AS MATERIALIZED (
        SELECT c.id, c.row_hash, CASE
            WHEN c.row_hash IS NULL OR c.row_hash IS DISTINCT FROM c.expected_row
                THEN 'row_hash_mismatch'
            WHEN c.n > 1 AND c.prev_hash IS DISTINCT FROM c.expected_prev
                THEN 'prev_hash_mismatch'
            WHEN c.n = 1 AND c.prev_hash <> decode(repeat('00', 32), 'hex') AND NOT EXISTS (
                SELECT 1 FROM audit_log p
                WHERE p.action = 'audit_purge' AND p.id > c.id
                  AND p.detail ->> 'last_deleted_hash' = encode(c.prev_hash, 'hex')
                  AND (p.detail ->> 'last_deleted_id')::bigint < c.id
                  AND (p.detail ->> 'before')::timestamptz <= p.at - make_interval(days => :days))
                THEN 'unanchored_start'
        END AS problem
        FROM chain c
        WHERE c.id >= :since
    )
    SELECT (SELECT count(*) FROM checked) AS rows, bad.id AS bad_id, bad.problem,
           head.id AS head_id, encode(head.row_hash, 'hex') AS head_hash
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT k.id, k.problem FROM checked k WHERE k.problem IS NOT NULL
                       ORDER BY k.id LIMIT 1) AS bad ON true
    LEFT JOIN LATERAL (SELECT k.id, k.row_hash FROM checked k
                       ORDER BY k.id DESC LIMIT 1) AS head ON true
""")


@dataclass(frozen=True)
class ChainCheck:
    """Raw outcome of :func:`check_chain`."""

    rows: int
    bad_id: int | None
    problem: str | None
    head_id: int | None
    head_hash: str | None


#: ``session.info`` key: the session's transaction appended records the sealer must link
#: once it commits (``geodata.db.seal_audit``, which ``session_scope`` calls).
UNSEALED = AUDIT_UNSEALED


def insert(session: Session, **values: Any) -> int:
    """Append one record in the session's transaction; returns its id (trigger-assigned).
    The record is linked into the chain after the transaction commits (:func:`seal_pending`)."""
    detail = values.get("detail")
    params = {
        **values,
        "detail": None
        if detail is None
        else json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    }
    record_id = int(session.execute(_INSERT, params).scalar_one())
    session.info[UNSEALED] = True
    return record_id


def check_chain(session: Session, since_id: int | None = None) -> ChainCheck:
    """Recompute the chain from ``since_id`` (default: the whole table).

    With ``since_id`` the first checked row is linked to its predecessor (whose own hash
    is not checked); without a predecessor, it must be the anchored start of the chain.
    """
    row = (
        session.execute(_VERIFY, {"since": since_id or 0, "days": RETENTION_DAYS}).mappings().one()
    )
    return ChainCheck(
        rows=int(row["rows"]),
        bad_id=row["bad_id"],
        problem=row["problem"],
        head_id=row["head_id"],
        head_hash=row["head_hash"],
    )


def _matching(
    *,
    username: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    max_id: int | None = None,
) -> Select[AuditLog]:
    """SELECT of the records matching every given filter (None: no filter)."""
    q = select(AuditLog)
    if username is not None:
        q = q.where(AuditLog.username == username)
    if action is not None:
        q = q.where(AuditLog.action == action)
    if outcome is not None:
        q = q.where(AuditLog.outcome == outcome)
    if since is not None:
        q = q.where(AuditLog.at >= since)
    if until is not None:
        q = q.where(AuditLog.at < until)
    if object_type is not None:
        q = q.where(AuditLog.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditLog.object_id == object_id)
    if max_id is not None:
        q = q.where(AuditLog.id <= max_id)
    return q


def search(
    session: Session,
    *,
    username: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: str | None = None,
    max_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Records matching every given filter, newest first (hashes as hex).

    ``max_id`` pins a snapshot: records written later (higher ids) are left out, so
    pages of one search stay stable while the trail grows.
    """
    q = _matching(
        username=username,
        action=action,
        outcome=outcome,
        since=since,
        until=until,
        object_type=object_type,
        object_id=object_id,
        max_id=max_id,
    )
    q = q.order_by(AuditLog.id.desc()).limit(limit).offset(offset)
    return [_as_dict(r) for r in session.scalars(q)]


def head_id(session: Session) -> int | None:
    """The id of the newest sealed record (None when none is sealed yet).

    Every record up to it is committed and linked: the sealer links rows in id order and
    only up to its horizon, below which no transaction that drew an id is still open.
    """
    return session.execute(
        select(func.max(AuditLog.id)).where(AuditLog.row_hash.is_not(None))
    ).scalar_one()


def count(session: Session, *, cap: int, **filters: Any) -> int:
    """How many records match ``filters`` (the keywords of :func:`search`), counting at
    most ``cap + 1`` so that a huge trail costs no more than the cap."""
    inner = _matching(**filters).with_only_columns(AuditLog.id).limit(cap + 1).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


def stream(
    session: Session, *, limit: int, batch: int = 1000, **filters: Any
) -> Iterator[dict[str, Any]]:
    """Records matching ``filters``, newest first, read through a server-side cursor
    ``batch`` rows at a time (never the whole result in memory)."""
    q = _matching(**filters).order_by(AuditLog.id.desc()).limit(limit)
    result = session.scalars(q.execution_options(yield_per=batch))
    for r in result:
        yield _as_dict(r)


def _as_dict(r: AuditLog) -> dict[str, Any]:
    return {
        "id": r.id,
        "at": r.at,
        "user_id": r.user_id,
        "username": r.username,
        "role": r.role,
        "action": r.action,
        "object_type": r.object_type,
        "object_id": r.object_id,
        "outcome": r.outcome,
        "client_addr": r.client_addr,
        "reason": r.reason,
        "detail": r.detail,
        "prev_hash": None if r.prev_hash is None else bytes(r.prev_hash).hex(),
        "row_hash": None if r.row_hash is None else bytes(r.row_hash).hex(),
    }


def purge(
    session: Session,
    before: datetime,
    *,
    username: str | None = None,
    role: str | None = None,
    client_addr: str | None = None,
) -> int:
    """Delete the records older than ``before`` through ``audit_log_purge`` (the only
    path the delete trigger allows); returns how many were deleted."""
    session.info[UNSEALED] = True  # its own record
    return int(
        session.execute(
            text("SELECT audit_log_purge(:before, :username, :role, :client_addr)"),
            {"before": before, "username": username, "role": role, "client_addr": client_addr},
        ).scalar_one()
    )


def set_lock_timeout(session: Session, timeout: str) -> None:
    """Wait at most ``timeout`` (a PostgreSQL interval such as ``'15s'``, a constant of
    the caller's code: ``SET`` takes no bind parameters) for any lock until the caller's
    transaction ends."""
    session.execute(text(f"SET LOCAL lock_timeout = '{timeout}'"))
