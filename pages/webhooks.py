"""The webhook targets screen (/admin/webhooks): the system administrator adds an
endpoint (its signing secret is shown once), disables one, and sees the latest
deliveries with their last attempt. ``WEBHOOKS_MANAGE``; the rules are in
``governance/webhooks.py``, the lists drawn by callbacks/webhooks.py."""

from __future__ import annotations

import dash
from dash import dcc, html

from governance import alerts, webhooks
from governance.access import WEBHOOKS_MANAGE, Principal
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages.alerts_parts import field, kind_options
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from pages.webhooks_ids import WebhooksIds as W
from web.security import current_principal

dash.register_page(
    __name__, path="/admin/webhooks", title=tab_title("nav.admin.webhooks"), name="webhooks"
)


def _choices(who: Principal | None, lang: str) -> tuple[list[dict], list[dict]]:
    if who is None or not who.can(WEBHOOKS_MANAGE):
        return [], []
    with unit_of_work(who) as s:
        return webhooks.area_choices(s, who, lang), alerts.categories(s, lang)


def form(lang: str, areas: list[dict], categories: list[dict]) -> html.Section:
    """Name, URL, kinds, area, category and the add button."""
    kinds = kind_options(lang)
    return html.Section(
        [
            html.H2(t("webhooks.add.title", lang), className="mq-alerts-h2"),
            html.Div(
                [
                    field(t("webhooks.name", lang), dcc.Input(id=W.NAME, value="", maxLength=80,
                                                                className="mq-audit-input")),
                    field(t("webhooks.url", lang), dcc.Input(id=W.URL, value="", type="url",
                                                               maxLength=500, className="mq-audit-input")),
                    field(t("alerts.subs.kind", lang), dcc.Checklist(id=W.KINDS, options=kinds,
                                                                       value=list(alerts.KINDS), inline=True)),
                    field(t("alerts.subs.area", lang), dcc.Dropdown(id=W.AREA, options=areas, value="",
                                                                      clearable=False, labels=dropdown_labels(lang),
                                                                      className="mq-dropdown")),
                    field(t("alerts.subs.category", lang), dcc.Dropdown(
                        id=W.CATEGORY, options=categories, value=None,
                        placeholder=t("alerts.all_categories", lang), labels=dropdown_labels(lang),
                        className="mq-dropdown")),
                    html.Button(t("webhooks.add", lang), id=W.ADD, n_clicks=0,
                                className="mq-dispatch-button mq-dispatch-go"),
                ],
                className="mq-alerts-form",
            ),
            html.Div(id=W.MESSAGE, className="mq-alerts-message", role="status"),
        ],
        className="mq-eval-card mq-alerts-card",
    )  # fmt: skip


def layout(**_query: str) -> html.Div:
    """The webhook targets screen in the request's language."""
    lang = current_lang()
    who = current_principal()
    areas, categories = _choices(who, lang)
    ids = HeaderIds(W.ACCOUNT, W.LOGOUT, W.LANG_BUTTON, W.LANG_SINK)
    return html.Div(
        [
            page_header(lang, who, ids, screen=t("webhooks.page.title", lang),
                        subtitle=t("webhooks.page.subtitle", lang)),
            html.Main(
                [
                    dcc.Store(id=W.VERSION, data="0"),
                    form(lang, areas, categories),
                    html.Section([html.H2(t("webhooks.targets", lang), className="mq-alerts-h2"),
                                  html.Div(id=W.TARGETS)], className="mq-eval-card mq-alerts-card"),
                    html.Section([html.H2(t("webhooks.deliveries", lang), className="mq-alerts-h2"),
                                  html.Div(id=W.DELIVERIES)], className="mq-eval-card mq-alerts-card"),
                ],
                className="mq-eval-main mq-alerts-main",
            ),
        ],
        id=W.ROOT,
        className=f"mq-app mq-eval mq-alerts mq-webhooks mq-lang-{lang}",
        lang=lang,
    )  # fmt: skip
