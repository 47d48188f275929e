"""Parts of the webhook targets screen: the targets and the latest deliveries, drawn from
what ``governance/webhooks.py`` returns (callbacks/webhooks.py)."""

from __future__ import annotations

from typing import Any

from dash import html

from i18n import t
from pages.webhooks_ids import WebhooksIds as W


def targets_list(rows: list[dict[str, Any]], lang: str) -> Any:
    """The targets (never a secret), each enabled one with a disable button."""
    if not rows:
        return html.P(t("webhooks.none", lang), className="mq-alerts-empty")
    items = []
    for r in rows:
        state = t("webhooks.disabled", lang) if r["disabled_at"] else ""
        counts = t(
            "webhooks.counts", lang, pending=r["pending"], sent=r["sent"], failed=r["failed"]
        )
        parts: list[Any] = [
            html.Span(f"#{r['id']} {r['name']} · {r['url']} · {', '.join(r['kinds'])} · "
                      f"{r['area_prefix'] or '*'} · {counts} {state}", className="mq-alerts-sub-text"),
        ]  # fmt: skip
        if not r["disabled_at"]:
            parts.append(
                html.Button(t("webhooks.disable", lang), id={"type": W.DISABLE, "id": r["id"]},
                            n_clicks=0, className="mq-dispatch-button")
            )  # fmt: skip
        items.append(html.Li(parts, className="mq-alerts-sub"))
    return html.Ul(items, className="mq-alerts-subs")


def deliveries_list(rows: list[dict[str, Any]], lang: str) -> Any:
    """The latest deliveries: alert, target, state, attempts, last outcome."""
    if not rows:
        return html.P(t("webhooks.no_deliveries", lang), className="mq-alerts-empty")
    return html.Ul([html.Li(_delivery(r, lang), className="mq-alerts-sub") for r in rows],
                   className="mq-alerts-subs")  # fmt: skip


def _delivery(r: dict[str, Any], lang: str) -> str:
    kind = t(f"alerts.kind.{r['kind']}", lang)
    status = t(f"webhooks.status.{r['status']}", lang)
    attempts = t("webhooks.attempts", lang, n=r["attempts"])
    last = r["status_code"] if r["status_code"] is not None else (r["error"] or "-")
    return f"#{r['id']} · {kind} #{r['alert_id']} → {r['target']} · {status} · {attempts} · {last}"
