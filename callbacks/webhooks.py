"""The webhook targets screen: draw the targets and deliveries; add a target (its secret
shown once), disable one; the language switch.

Thin: ``governance.webhooks`` checks ``WEBHOOKS_MANAGE``, the URL (scheme, every resolved
address), the kinds, the area and the category itself.
"""

from __future__ import annotations

import time
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from callbacks import lang
from callbacks.analytics import shown
from governance import webhooks
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import webhooks_parts as page
from pages.webhooks_ids import WebhooksIds as W
from web.security import current_principal

lang.switch(W.LANG_BUTTON, W.LANG_SINK)


def _load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    who = current_principal()
    with unit_of_work(who) as s:
        return webhooks.targets(s, who), webhooks.deliveries(s, who, 50)


@callback(Output(W.TARGETS, "children"), Output(W.DELIVERIES, "children"), Input(W.VERSION, "data"))
def draw(_version: Any) -> tuple[Any, Any]:
    """Both lists as they are now."""

    def render(got: tuple, lang_: str) -> tuple[Any, Any]:  # type: ignore[type-arg]
        return page.targets_list(got[0], lang_), page.deliveries_list(got[1], lang_)

    empty: tuple[Any, Any] = ([], [])
    (targets, deliveries), message = shown("webhooks", _load, render, empty)
    return message or targets, deliveries


def _act(trigger: Any, name: Any, url: Any, kinds: Any, area: Any, category: Any) -> Any:
    who, lang_ = current_principal(), current_lang()
    with unit_of_work(who) as s:
        if trigger == W.ADD:
            out = webhooks.add_target(s, who, name=name, url=url, kinds=kinds, area=area or None,
                                      category=category)  # fmt: skip
            return html.Code(t("alerts.webhook.secret_once", lang_, secret=out["secret"]))
        if isinstance(trigger, dict) and trigger.get("type") == W.DISABLE:
            webhooks.disable_target(s, who, trigger.get("id"))  # type: ignore[arg-type]
            return t("webhooks.disabled", lang_)
    return ""


@callback(
    Output(W.MESSAGE, "children"),
    Output(W.VERSION, "data"),
    Input(W.ADD, "n_clicks"),
    Input({"type": W.DISABLE, "id": ALL}, "n_clicks"),
    State(W.NAME, "value"),
    State(W.URL, "value"),
    State(W.KINDS, "value"),
    State(W.AREA, "value"),
    State(W.CATEGORY, "value"),
    prevent_initial_call=True,
)
def act(
    _add: Any, _disable: Any, name: Any, url: Any, kinds: Any, area: Any, category: Any
) -> tuple[Any, Any]:
    """Add or disable a target; then redraw."""
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        return no_update, no_update  # a button drawn anew, not pressed
    trigger = ctx.triggered_id
    done, failed = shown(
        "webhooks", lambda: _act(trigger, name, url, kinds, area, category), lambda m, _l: m, ""
    )
    return failed or done, str(time.time_ns())
