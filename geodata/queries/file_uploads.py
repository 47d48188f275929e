"""SQL of the file-import uploads (table ``file_upload``, migration 0012).

The rules (who may use an upload, how long it lives, how many one account keeps) are in
``governance/file_uploads.py``; these functions run in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def delete_expired(session: Session) -> int:
    """Delete every expired upload (of anyone); how many."""
    done = session.execute(text("DELETE FROM file_upload WHERE expires_at <= now()"))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def insert(
    session: Session,
    *,
    key_hash: str,
    user_id: int,
    filename: str,
    row_count: int,
    payload: bytes,
    ttl_seconds: int,
) -> None:
    """Store one upload, expiring ``ttl_seconds`` from now. Its time is the clock's, not
    the transaction's (``now()`` stands still in one): two uploads of one transaction
    keep their order, so :func:`keep_latest` never takes the newer for the older."""
    session.execute(
        text(
            "INSERT INTO file_upload "
            "(key_hash, user_id, filename, row_count, size, payload, created_at, expires_at) "
            "VALUES (:k, :u, :f, :n, :size, :p, clock_timestamp(), "
            "now() + make_interval(secs => :ttl))"
        ),
        {
            "k": key_hash,
            "u": user_id,
            "f": filename,
            "n": row_count,
            "size": len(payload),
            "p": payload,
            "ttl": ttl_seconds,
        },
    )


def keep_latest(session: Session, user_id: int, keep: int) -> int:
    """Delete the account's uploads but its ``keep`` latest; how many were deleted."""
    done = session.execute(
        text(
            "DELETE FROM file_upload WHERE user_id = :u AND key_hash NOT IN ("
            "SELECT key_hash FROM file_upload WHERE user_id = :u "
            "ORDER BY created_at DESC, key_hash LIMIT :keep)"
        ),
        {"u": user_id, "keep": keep},
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def get(session: Session, key_hash: str) -> dict[str, Any] | None:
    """The upload of ``key_hash`` unless expired (None: unknown or expired)."""
    row = (
        session.execute(
            text(
                "SELECT user_id, filename, row_count, payload FROM file_upload "
                "WHERE key_hash = :k AND expires_at > now()"
            ),
            {"k": key_hash},
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def delete(session: Session, key_hash: str) -> None:
    """Forget one upload (it was imported)."""
    session.execute(text("DELETE FROM file_upload WHERE key_hash = :k"), {"k": key_hash})
