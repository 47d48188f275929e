"""Parts of the alerts screen: the subscription list and the inbox, drawn from what
``governance/alerts.py`` returns (already in the reader's language)."""

from __future__ import annotations

from typing import Any

from dash import html

from i18n import t
from pages.alerts_ids import AlertsIds


def field(label: str, control: Any) -> html.Label:
    """A labelled control of the two alerts screens' forms."""
    return html.Label(
        [html.Span(label, className="mq-eval-label"), control], className="mq-alerts-field"
    )


def kind_options(lang: str) -> list[dict[str, str]]:
    """The kinds of alert, named in ``lang``."""
    from governance.alerts_evidence import KINDS

    return [{"label": t(f"alerts.kind.{k}", lang), "value": k} for k in KINDS]


def subscription_list(subs: list[dict[str, Any]], lang: str) -> Any:
    """The user's subscriptions, each with a remove button."""
    if not subs:
        return html.P(t("alerts.subs.none", lang), className="mq-alerts-empty")
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(
                        f"{s['label']} · {s['area_name']} · {s['category_name']}",
                        className="mq-alerts-sub-text",
                    ),
                    html.Button(
                        t("alerts.subs.remove", lang),
                        id={"type": AlertsIds.UNSUBSCRIBE, "id": s["id"]},
                        n_clicks=0,
                        className="mq-button mq-button-small",
                    ),
                ],
                className="mq-alerts-sub",
            )
            for s in subs
        ],
        className="mq-alerts-subs",
    )


def _item(a: dict[str, Any], lang: str) -> html.Li:
    state = "mq-alert-read" if a["read"] else "mq-alert-unread"
    actions: list[Any] = [html.A(t("alerts.inbox.open", lang), href=a["link"], className="mq-link")]
    if not a["read"]:
        actions.append(
            html.Button(
                t("alerts.inbox.read", lang),
                id={"type": AlertsIds.READ, "id": a["id"]},
                n_clicks=0,
                className="mq-button mq-button-small",
            )
        )
    return html.Li(
        [
            html.Div(
                [
                    html.Span(a["title"], className="mq-alert-title"),
                    html.Span(
                        f"{a['area_name']} · {a['category_name']}", className="mq-alert-where"
                    ),
                    html.Time(a["created_at"][:16].replace("T", " "), className="mq-alert-time"),
                ],
                className="mq-alert-head",
            ),
            html.P(a["words"], className="mq-alert-words"),
            html.Div(actions, className="mq-alert-actions"),
        ],
        className=f"mq-alert {state}",
        **{"data-alert-id": str(a["id"])},  # type: ignore[arg-type]
    )


def inbox(items: list[dict[str, Any]], unread: int, lang: str) -> list[Any]:
    """The inbox, newest first (unread in bold), with the unread count the badge reads."""
    head = html.Div(
        [
            html.Span(
                t("alerts.inbox.unread", lang, n=unread),
                id=AlertsIds.UNREAD,
                className="mq-alerts-unread-count",
                **{"data-unread": str(unread)},  # type: ignore[arg-type]
            ),
        ],
        className="mq-alerts-inbox-head",
    )
    if not items:
        return [head, html.P(t("alerts.inbox.none", lang), className="mq-alerts-empty")]
    return [head, html.Ul([_item(a, lang) for a in items], className="mq-alerts-list")]
