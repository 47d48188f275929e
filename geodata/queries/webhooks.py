"""SQL of webhook targets, deliveries and attempts (migration 0023_alerts).

Deliveries are claimed with ``FOR UPDATE SKIP LOCKED`` and leased by moving their
``next_at`` ahead in the same short transaction, so two sender processes never take one
delivery, and no row lock is held while a request is on the wire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def add_target(
    s: Session,
    *,
    name: str,
    url: str,
    kinds: list[str],
    prefix: str,
    category: str | None,
    created_by: int | None,
) -> int:
    """A new target (its secret is set next, once its id binds the ciphertext)."""
    return int(
        s.execute(
            text("""
            INSERT INTO webhook_target (name, url, secret_enc, kinds, area_prefix,
                                        category_code, created_by)
            VALUES (:name, :url, '\\x', :kinds, :prefix, :category, :by) RETURNING id"""),
            {
                "name": name,
                "url": url,
                "kinds": kinds,
                "prefix": prefix,
                "category": category,
                "by": created_by,
            },
        ).scalar_one()
    )


def set_secret(s: Session, target_id: int, secret_enc: bytes) -> None:
    s.execute(
        text("UPDATE webhook_target SET secret_enc = :e WHERE id = :id"),
        {"e": secret_enc, "id": target_id},
    )


def disable_target(s: Session, target_id: int) -> bool:
    """Disable a target (its pending deliveries fail at once); False if none is enabled."""
    res = s.execute(
        text(
            "UPDATE webhook_target SET disabled_at = now() WHERE id = :id AND disabled_at IS NULL"
        ),
        {"id": target_id},
    )
    if not res.rowcount:  # type: ignore[attr-defined]
        return False
    s.execute(
        text(
            "UPDATE webhook_delivery SET status = 'failed' WHERE target_id = :id AND status = 'pending'"
        ),
        {"id": target_id},
    )
    return True


def targets(s: Session) -> list[dict[str, Any]]:
    """Every target, without its secret, with its deliveries counted by status."""
    rows = s.execute(
        text("""
        SELECT w.id, w.name, w.url, w.kinds, w.area_prefix, w.category_code, w.created_at,
               w.disabled_at,
               count(d.id) FILTER (WHERE d.status = 'pending') AS pending,
               count(d.id) FILTER (WHERE d.status = 'sent') AS sent,
               count(d.id) FILTER (WHERE d.status = 'failed') AS failed
        FROM webhook_target w LEFT JOIN webhook_delivery d ON d.target_id = w.id
        GROUP BY w.id ORDER BY w.id""")
    ).mappings()
    return [dict(r) for r in rows]


def claim(s: Session, now: datetime, lease_until: datetime, limit: int) -> list[dict[str, Any]]:
    """Take up to ``limit`` pending deliveries due at ``now`` that no other transaction
    holds, and lease them until ``lease_until`` (another sender skips them meanwhile);
    each with its alert, its target's URL and encrypted secret, and its attempt number."""
    rows = s.execute(
        text("""
        WITH due AS (
            SELECT id FROM webhook_delivery
            WHERE status = 'pending' AND next_at <= :now
            ORDER BY next_at, id LIMIT :n FOR UPDATE SKIP LOCKED
        )
        UPDATE webhook_delivery d SET next_at = :lease, attempts = d.attempts + 1
        FROM due, webhook_target w, alert a
        WHERE d.id = due.id AND w.id = d.target_id AND a.id = d.alert_id
        RETURNING d.id, d.target_id, d.attempts, w.url, w.secret_enc, a.id AS alert_id,
                  a.kind, a.area_code, a.category_code, a.created_at, a.evidence"""),
        {"now": now, "lease": lease_until, "n": limit},
    ).mappings()
    return sorted((dict(r) for r in rows), key=lambda r: r["id"])


def record(
    s: Session,
    delivery_id: int,
    *,
    at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    outcome: str,
    next_at: datetime | None,
) -> None:
    """Log one attempt and set the delivery's state: ``sent``, ``failed`` or ``pending``
    again at ``next_at``. A delivery already sent stays sent."""
    s.execute(
        text("""
        INSERT INTO webhook_attempt (delivery_id, at, status_code, error, duration_ms)
        VALUES (:d, :at, :code, :err, :ms)"""),
        {"d": delivery_id, "at": at, "code": status_code, "err": error, "ms": duration_ms},
    )
    s.execute(
        text("""
        UPDATE webhook_delivery
        SET status = :outcome, next_at = coalesce(:next, next_at),
            sent_at = CASE WHEN :outcome = 'sent' THEN :at ELSE sent_at END
        WHERE id = :d AND status = 'pending'"""),
        {"d": delivery_id, "outcome": outcome, "next": next_at, "at": at},
    )


def deliveries(s: Session, limit: int, status: str | None = None) -> list[dict[str, Any]]:
    """The latest deliveries with their last attempt's outcome, newest first."""
    rows = s.execute(
        text("""
        SELECT d.id, d.target_id, w.name AS target, d.alert_id, a.kind, d.status, d.attempts,
               d.next_at, d.sent_at, last.status_code, last.error, last.duration_ms
        FROM webhook_delivery d
        JOIN webhook_target w ON w.id = d.target_id
        JOIN alert a ON a.id = d.alert_id
        LEFT JOIN LATERAL (
            SELECT status_code, error, duration_ms FROM webhook_attempt
            WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1) last ON true
        WHERE CAST(:status AS text) IS NULL OR d.status = :status
        ORDER BY d.id DESC LIMIT :n"""),
        {"n": limit, "status": status},
    ).mappings()
    return [dict(r) for r in rows]


def attempts(s: Session, delivery_id: int) -> list[dict[str, Any]]:
    rows = s.execute(
        text("""SELECT at, status_code, error, duration_ms FROM webhook_attempt
                WHERE delivery_id = :d ORDER BY id"""),
        {"d": delivery_id},
    ).mappings()
    return [dict(r) for r in rows]
