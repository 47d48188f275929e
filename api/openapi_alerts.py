"""The OpenAPI description of ``/api/v1/alerts`` (``api/alerts_routes.py``): bodies from
the models the server validates with (``governance/alerts_params.py``), answers from the
views below."""

from __future__ import annotations

from typing import Any, Literal

from api.openapi_common import errors, id_parameter, json_body, model_schema, ok, session_only
from api.responses import View, schemas_of
from governance.alerts_params import ReadIn, SubscriptionIn, WebhookIn


class Unread(View):
    unread: int


class AlertItem(View):
    id: int
    kind: Literal["spike", "blind_spot"]
    title: str
    area: str
    area_name: str
    category: str | None
    category_name: str
    words: str
    evidence: dict[str, Any]
    created_at: str
    read: bool
    link: str


class Inbox(View):
    items: list[AlertItem]
    unread: int


class Marked(View):
    marked: int
    unread: int


class Subscription(View):
    id: int
    kind: Literal["spike", "blind_spot"]
    area: str | None
    category: str | None
    label: str
    area_name: str
    category_name: str


class Subscriptions(View):
    items: list[Subscription]


class Subscribed(View):
    id: int | None
    created: bool
    kind: str
    area: str | None
    category: str | None


class Removed(View):
    id: int
    removed: bool


class WebhookTarget(View):
    id: int
    name: str
    url: str
    kinds: list[str]
    area_prefix: str
    category: str | None
    created_at: str
    disabled_at: str | None
    pending: int
    sent: int
    failed: int


class WebhookTargets(View):
    items: list[WebhookTarget]


class WebhookCreated(View):
    id: int
    secret: str


class WebhookDisabled(View):
    id: int
    disabled: bool


class Delivery(View):
    id: int
    target_id: int
    target: str
    alert_id: int
    kind: str
    status: Literal["pending", "sent", "failed"]
    attempts: int
    next_at: str | None
    sent_at: str | None
    status_code: int | None
    error: str | None
    duration_ms: int | None


class Deliveries(View):
    items: list[Delivery]


RESPONSES: tuple[type[View], ...] = (
    Unread,
    Inbox,
    Marked,
    Subscriptions,
    Subscribed,
    Removed,
    WebhookTargets,
    WebhookCreated,
    WebhookDisabled,
    Deliveries,
)


def _get(op: str, summary: str, answer: str, description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": op,
        "summary": summary,
        **session_only(),
        "responses": {"200": ok(answer, summary), **errors()},
    }
    if description:
        out["description"] = description
    return {"get": out}


def alerts_paths() -> dict[str, Any]:
    base = "/api/v1/alerts"
    return {
        f"{base}/unread": _get("alertsUnread", "How many of one's alerts are unread", "Unread"),
        f"{base}/inbox": _get(
            "alertsInbox",
            "One's alerts, newest first",
            "Inbox",
            "Each alert in the request's language, with its evidence (numbers, codes and "
            "times only) and the link of the screen to look at.",
        ),
        f"{base}/read": {
            "post": {
                "operationId": "alertsRead",
                "summary": "Mark alerts read (`ids`, or `all`)",
                **session_only(),
                "requestBody": json_body("ReadIn"),
                "responses": {"200": ok("Marked", "Marked"), **errors("413")},
            }
        },
        f"{base}/subscriptions": {
            **_get("alertsSubscriptions", "One's subscriptions", "Subscriptions"),
            "post": {
                "operationId": "alertsSubscribe",
                "summary": "Subscribe to a kind of alert in an area (and a category)",
                "description": "The area must lie in the caller's scope (else 403, nothing "
                "written); an unknown category is a 400. Subscribing twice changes nothing.",
                **session_only(),
                "requestBody": json_body("SubscriptionIn"),
                "responses": {
                    "201": ok("Subscribed", "Subscribed"),
                    "200": ok("Subscribed", "Held already"),
                    **errors("413"),
                },
            },
        },
        f"{base}/subscriptions/{{id}}/delete": {
            "post": {
                "operationId": "alertsUnsubscribe",
                "summary": "Remove one of one's subscriptions",
                **session_only(),
                "parameters": [id_parameter("subscription")],
                "responses": {"200": ok("Removed", "Removed"), **errors("404")},
            }
        },
        f"{base}/webhooks": {
            **_get("alertsWebhooks", "Webhook targets (never a secret)", "WebhookTargets"),
            "post": {
                "operationId": "alertsAddWebhook",
                "summary": "Add a webhook target; its secret is in the answer, once",
                "description": "The system administrator. The URL must be http(s) on public "
                "addresses only (every address the host resolves to is checked).",
                **session_only(),
                "requestBody": json_body("WebhookIn"),
                "responses": {"201": ok("WebhookCreated", "Added"), **errors("413")},
            },
        },
        f"{base}/webhooks/{{id}}/disable": {
            "post": {
                "operationId": "alertsDisableWebhook",
                "summary": "Stop sending to a webhook target",
                **session_only(),
                "parameters": [id_parameter("webhook target")],
                "responses": {"200": ok("WebhookDisabled", "Disabled"), **errors("404")},
            }
        },
        f"{base}/deliveries": _get(
            "alertsDeliveries", "The latest webhook deliveries", "Deliveries"
        ),
    }


def alerts_schemas() -> dict[str, Any]:
    return {
        **schemas_of(RESPONSES),
        "SubscriptionIn": model_schema(SubscriptionIn),
        "ReadIn": model_schema(ReadIn),
        "WebhookIn": model_schema(WebhookIn),
    }
