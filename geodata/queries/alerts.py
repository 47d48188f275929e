"""SQL of alerts, subscriptions and inboxes (migration 0023_alerts).

The rules (who may subscribe to what, which evidence is allowed, how an alert fans out)
live in ``governance/alerts*.py``; these functions run in the caller's transaction. An
area matches a subscription when the alert's stored code starts with the subscription's
prefix ("" for the whole city): a street's subscriber gets the street and all below it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

_INSERT_ALERT = text("""
    INSERT INTO alert (kind, area_code, category_code, dedup_key, evidence)
    VALUES (:kind, :area, :category, :key, CAST(:evidence AS jsonb))
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING id, created_at
""")

_FAN_OUT = text("""
    INSERT INTO alert_inbox (user_id, alert_id)
    SELECT DISTINCT s.user_id, :id
    FROM alert_subscription s JOIN app_user u ON u.id = s.user_id AND NOT u.disabled
    WHERE s.kind = :kind AND starts_with(:area, s.area_prefix)
      AND (s.category_code IS NULL OR s.category_code = :category)
    ON CONFLICT DO NOTHING
""")

_QUEUE_WEBHOOKS = text("""
    INSERT INTO webhook_delivery (target_id, alert_id, next_at)
    SELECT w.id, :id, now() FROM webhook_target w
    WHERE w.disabled_at IS NULL AND :kind = ANY(w.kinds) AND starts_with(:area, w.area_prefix)
      AND (w.category_code IS NULL OR w.category_code = :category)
    ON CONFLICT DO NOTHING
""")


def insert_alert(
    s: Session, *, kind: str, area: str, category: str | None, key: str, evidence: Mapping
) -> int | None:
    """A new alert's id, or None when an alert of the same ``key`` exists already."""
    row = s.execute(
        _INSERT_ALERT,
        {
            "kind": kind,
            "area": area,
            "category": category,
            "key": key,
            "evidence": json.dumps(evidence, separators=(",", ":")),
        },
    ).first()
    return None if row is None else int(row[0])


def fan_out(s: Session, alert_id: int, kind: str, area: str, category: str | None) -> int:
    """Inbox rows for every enabled subscriber whose subscription matches; how many."""
    p = {"id": alert_id, "kind": kind, "area": area, "category": category}
    return int(s.execute(_FAN_OUT, p).rowcount or 0)  # type: ignore[attr-defined]


def queue_webhooks(s: Session, alert_id: int, kind: str, area: str, category: str | None) -> int:
    """One pending delivery per matching enabled webhook target; how many."""
    p = {"id": alert_id, "kind": kind, "area": area, "category": category}
    return int(s.execute(_QUEUE_WEBHOOKS, p).rowcount or 0)  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- subscriptions
def category_exists(s: Session, code: str) -> bool:
    return (
        s.execute(text("SELECT 1 FROM incident_category WHERE code = :c"), {"c": code}).first()
        is not None
    )


def categories(s: Session) -> list[dict[str, Any]]:
    """Every category code with both names, in the catalogue's order."""
    rows = s.execute(
        text("SELECT code, name_zh, name_en FROM incident_category ORDER BY sort_order, code")
    ).mappings()
    return [dict(r) for r in rows]


def add_subscription(
    s: Session, *, user_id: int, kind: str, prefix: str, area: str | None, category: str | None
) -> int | None:
    """A new subscription's id; None if the user holds the same one already."""
    row = s.execute(
        text("""
        INSERT INTO alert_subscription (user_id, kind, area_prefix, area_code, category_code)
        VALUES (:u, :kind, :prefix, :area, :category)
        ON CONFLICT DO NOTHING RETURNING id"""),
        {"u": user_id, "kind": kind, "prefix": prefix, "area": area, "category": category},
    ).first()
    return None if row is None else int(row[0])


def delete_subscription(s: Session, user_id: int, sub_id: int) -> bool:
    """Remove one of the user's own subscriptions; False if it is not theirs."""
    res = s.execute(
        text("DELETE FROM alert_subscription WHERE id = :id AND user_id = :u"),
        {"id": sub_id, "u": user_id},
    )
    return bool(res.rowcount)  # type: ignore[attr-defined]


def subscriptions(s: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's subscriptions with their area's and category's names, oldest first."""
    rows = s.execute(
        text("""
        SELECT s.id, s.kind, s.area_prefix, s.area_code, a.name AS area_name,
               s.category_code, c.name_zh, c.name_en, s.created_at
        FROM alert_subscription s
        LEFT JOIN area a ON a.code = s.area_code
        LEFT JOIN incident_category c ON c.code = s.category_code
        WHERE s.user_id = :u ORDER BY s.id"""),
        {"u": user_id},
    ).mappings()
    return [dict(r) for r in rows]


# ----------------------------------------------------------------------------- inbox
def unread(s: Session, user_id: int) -> int:
    return int(
        s.execute(
            text("SELECT count(*) FROM alert_inbox WHERE user_id = :u AND read_at IS NULL"),
            {"u": user_id},
        ).scalar_one()
    )


def inbox(s: Session, user_id: int, limit: int) -> list[dict[str, Any]]:
    """The user's alerts, newest first, with the names of their area and category."""
    rows = s.execute(
        text("""
        SELECT a.id, a.kind, a.area_code, ar.name AS area_name, ar.level AS area_level,
               a.category_code, c.name_zh, c.name_en, a.evidence, a.created_at, i.read_at
        FROM alert_inbox i
        JOIN alert a ON a.id = i.alert_id
        LEFT JOIN area ar ON ar.code = a.area_code
        LEFT JOIN incident_category c ON c.code = a.category_code
        WHERE i.user_id = :u
        ORDER BY a.created_at DESC, a.id DESC LIMIT :n"""),
        {"u": user_id, "n": limit},
    ).mappings()
    return [dict(r) for r in rows]


def mark_read(s: Session, user_id: int, alert_ids: list[int] | None) -> int:
    """Mark the user's alerts ``alert_ids`` (None: all) read; how many changed."""
    sql = "UPDATE alert_inbox SET read_at = now() WHERE user_id = :u AND read_at IS NULL"
    params: dict[str, Any] = {"u": user_id}
    if alert_ids is not None:
        sql += " AND alert_id = ANY(:ids)"
        params["ids"] = alert_ids
    return int(s.execute(text(sql), params).rowcount or 0)  # type: ignore[attr-defined]
