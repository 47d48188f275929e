"""``/api/v1/alerts``: one's subscriptions and inbox; webhook targets and deliveries.

Nested in the ``/api/v1`` blueprint (``api/__init__.py``), so refusals are the API's
translated JSON errors. Subscriptions and the inbox need ``ALERTS_SUBSCRIBE`` and concern
the caller only (an area outside their scope: 403); webhooks need ``WEBHOOKS_MANAGE`` (the
system administrator). The OpenAPI paths are ``api/openapi_alerts.py``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api.http import json_body
from governance import alerts, request_model, webhooks
from governance.access import ALERTS_SUBSCRIBE, WEBHOOKS_MANAGE, require
from governance.alerts_params import ReadIn, SubscriptionIn, WebhookIn, as_dict
from governance.uow import unit_of_work
from i18n import current_lang
from web.security import current_principal

alerts_bp = Blueprint("alerts", __name__, url_prefix="/alerts")

SMALL_BODY = 16 * 1024


@alerts_bp.get("/unread")
def unread() -> Response:
    """How many of the caller's alerts are unread (the header's badge)."""
    who = require(current_principal(), ALERTS_SUBSCRIBE)
    with unit_of_work(who) as s:
        return jsonify({"unread": alerts.unread(s, who)})


@alerts_bp.get("/inbox")
def inbox() -> Response:
    """The caller's alerts, newest first, in the request's language."""
    who = require(current_principal(), ALERTS_SUBSCRIBE)
    with unit_of_work(who) as s:
        items = alerts.inbox(s, who, current_lang())
        return jsonify({"items": items, "unread": alerts.unread(s, who)})


@alerts_bp.post("/read")
def mark_read() -> Response:
    """Mark the alerts of ``ids`` read, or all of them with ``all``."""
    who = require(current_principal(), ALERTS_SUBSCRIBE)
    body = request_model.parse(ReadIn, json_body(SMALL_BODY))
    with unit_of_work(who) as s:
        marked = alerts.mark_read(s, who, None if body.all else (body.ids or []))
        return jsonify({"marked": marked, "unread": alerts.unread(s, who)})


@alerts_bp.get("/subscriptions")
def subscriptions() -> Response:
    """The caller's subscriptions."""
    who = require(current_principal(), ALERTS_SUBSCRIBE)
    with unit_of_work(who) as s:
        return jsonify({"items": alerts.subscriptions(s, who, current_lang())})


@alerts_bp.post("/subscriptions")
def subscribe() -> tuple[Response, int]:
    """Subscribe: 201 new, 200 held already."""
    who = require(current_principal(), ALERTS_SUBSCRIBE)
    body = request_model.parse(SubscriptionIn, json_body(SMALL_BODY))
    with unit_of_work(who) as s:
        out = alerts.subscribe(s, who, **as_dict(body))
    return jsonify(out), 201 if out["created"] else 200


@alerts_bp.post("/subscriptions/<id:sub_id>/delete")
def unsubscribe(sub_id: int) -> Response:
    """Remove one of the caller's subscriptions."""
    who = require(current_principal(), ALERTS_SUBSCRIBE)
    with unit_of_work(who) as s:
        alerts.unsubscribe(s, who, sub_id)
    return jsonify({"id": sub_id, "removed": True})


@alerts_bp.get("/webhooks")
def webhook_targets() -> Response:
    """Every webhook target (never a secret)."""
    who = require(current_principal(), WEBHOOKS_MANAGE)
    with unit_of_work(who) as s:
        rows = webhooks.targets(s, who)
    return jsonify({"items": [_target(r) for r in rows]})


@alerts_bp.post("/webhooks")
def add_webhook() -> tuple[Response, int]:
    """A new target; the answer holds its secret, shown this once."""
    who = require(current_principal(), WEBHOOKS_MANAGE)
    body = request_model.parse(WebhookIn, json_body(SMALL_BODY))
    with unit_of_work(who) as s:
        out = webhooks.add_target(s, who, **as_dict(body), client_addr=request.remote_addr)
    return jsonify(out), 201


@alerts_bp.post("/webhooks/<id:target_id>/disable")
def disable_webhook(target_id: int) -> Response:
    """Stop sending to a target."""
    who = require(current_principal(), WEBHOOKS_MANAGE)
    with unit_of_work(who) as s:
        webhooks.disable_target(s, who, target_id, client_addr=request.remote_addr)
    return jsonify({"id": target_id, "disabled": True})


@alerts_bp.get("/deliveries")
def deliveries() -> Response:
    """The latest webhook deliveries and their last attempt."""
    who = require(current_principal(), WEBHOOKS_MANAGE)
    with unit_of_work(who) as s:
        rows = webhooks.deliveries(s, who)
    return jsonify({"items": [_delivery(r) for r in rows]})


def _iso(v: object) -> str | None:
    return None if v is None else v.isoformat()  # type: ignore[attr-defined]


def _target(r: dict) -> dict:  # type: ignore[type-arg]
    return {
        "id": r["id"],
        "name": r["name"],
        "url": r["url"],
        "kinds": list(r["kinds"]),
        "area_prefix": r["area_prefix"],
        "category": r["category_code"],
        "created_at": _iso(r["created_at"]),
        "disabled_at": _iso(r["disabled_at"]),
        "pending": int(r["pending"]),
        "sent": int(r["sent"]),
        "failed": int(r["failed"]),
    }


def _delivery(r: dict) -> dict:  # type: ignore[type-arg]
    return {
        "id": r["id"],
        "target_id": r["target_id"],
        "target": r["target"],
        "alert_id": r["alert_id"],
        "kind": r["kind"],
        "status": r["status"],
        "attempts": int(r["attempts"]),
        "next_at": _iso(r["next_at"]),
        "sent_at": _iso(r["sent_at"]),
        "status_code": r["status_code"],
        "error": r["error"],
        "duration_ms": r["duration_ms"],
    }
