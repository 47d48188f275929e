"""The alerts screen: draw the subscriptions and the inbox; subscribe, unsubscribe, mark
read; the language switch.

Thin: ``governance.alerts`` checks ``ALERTS_SUBSCRIBE``, the area scope, the category and
ownership itself, because a callback can be called by a hand-made request with any value.
Every action bumps the page's version, which redraws both lists (as a live alert does).
"""

from __future__ import annotations

import time
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, no_update

from callbacks import lang
from callbacks.analytics import shown
from governance import alerts
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import alerts_parts as parts
from pages.alerts_ids import AlertsIds
from web.security import current_principal

lang.switch(AlertsIds.LANG_BUTTON, AlertsIds.LANG_SINK)


def _load() -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    who, lang_ = current_principal(), current_lang()
    with unit_of_work(who) as s:
        subs = alerts.subscriptions(s, who, lang_)
        return subs, alerts.inbox(s, who, lang_), alerts.unread(s, who)


@callback(
    Output(AlertsIds.SUBSCRIPTIONS, "children"),
    Output(AlertsIds.INBOX, "children"),
    Input(AlertsIds.VERSION, "data"),
)
def draw(_version: Any) -> tuple[Any, Any]:
    """Both lists as they are now."""

    def render(got: tuple, lang_: str) -> tuple[Any, Any]:  # type: ignore[type-arg]
        return parts.subscription_list(got[0], lang_), parts.inbox(got[1], got[2], lang_)

    empty: tuple[Any, Any] = ([], [])
    (subs, inbox), message = shown("alerts", _load, render, empty)
    return subs, message or inbox


def _act(trigger: Any, kind: Any, area: Any, category: Any) -> str:
    """Do what ``trigger`` asks; the confirmation in the request's language."""
    who, lang_ = current_principal(), current_lang()
    with unit_of_work(who) as s:
        if trigger == AlertsIds.ADD:
            out = alerts.subscribe(s, who, kind=kind, area=area or None, category=category)
            return t("alerts.subs.added" if out["created"] else "alerts.subs.exists", lang_)
        if trigger == AlertsIds.ALL_READ:
            alerts.mark_read(s, who, None)
        elif isinstance(trigger, dict) and trigger.get("type") == AlertsIds.UNSUBSCRIBE:
            alerts.unsubscribe(s, who, trigger.get("id"))
            return t("alerts.subs.removed", lang_)
        elif isinstance(trigger, dict) and trigger.get("type") == AlertsIds.READ:
            alerts.mark_read(s, who, [trigger.get("id")])  # type: ignore[list-item]
    return ""


@callback(
    Output(AlertsIds.MESSAGE, "children"),
    Output(AlertsIds.VERSION, "data"),
    Input(AlertsIds.ADD, "n_clicks"),
    Input(AlertsIds.ALL_READ, "n_clicks"),
    Input({"type": AlertsIds.UNSUBSCRIBE, "id": ALL}, "n_clicks"),
    Input({"type": AlertsIds.READ, "id": ALL}, "n_clicks"),
    State(AlertsIds.KIND, "value"),
    State(AlertsIds.AREA, "value"),
    State(AlertsIds.CATEGORY, "value"),
    prevent_initial_call=True,
)
def act(
    _add: Any, _all: Any, _unsub: Any, _read: Any, kind: Any, area: Any, category: Any
) -> tuple[Any, Any]:
    """Subscribe, unsubscribe, mark read; then redraw."""
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update  # a button drawn anew, not pressed
    trigger = ctx.triggered_id
    message, failed = shown(
        "alerts", lambda: _act(trigger, kind, area, category), lambda m, _l: m, ""
    )
    return failed or message, str(time.time_ns())
