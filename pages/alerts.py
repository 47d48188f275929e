"""The alerts screen (/alerts): one's subscriptions (kind x area x category, inside one's
own area scope) and one's inbox of spike warnings and blind spots, newest first, unread
in bold, each in the reader's language with a link to the screen to look at.

``ALERTS_SUBSCRIBE``. The layout holds the pickers; the callback (callbacks/alerts.py)
draws the lists once the page loads and whenever something changes, including a new
alert announced by the live stream (assets/js/alerts.js bumps ``alerts-version``). Laid
out in one column on a phone.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from governance import alerts
from governance.access import ALERTS_SUBSCRIBE, Principal
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages.alerts_ids import AlertsIds
from pages.alerts_parts import field, kind_options
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from web.security import current_principal

dash.register_page(__name__, path="/alerts", title=tab_title("nav.alerts"), name="alerts")


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product, screen name, screens menu, alerts badge, user, language."""
    ids = HeaderIds(AlertsIds.ACCOUNT, AlertsIds.LOGOUT, AlertsIds.LANG_BUTTON, AlertsIds.LANG_SINK)
    return page_header(
        lang,
        principal,
        ids,
        screen=t("alerts.page.title", lang),
        subtitle=t("alerts.page.subtitle", lang),
    )


def _choices(principal: Principal | None, lang: str) -> tuple[list[dict], list[dict]]:
    if principal is None or not principal.can(ALERTS_SUBSCRIBE):
        return [], []
    with unit_of_work(principal) as s:
        return alerts.area_choices(s, principal, lang), alerts.categories(s, lang)


def subscribe_form(lang: str, areas: list[dict], categories: list[dict]) -> html.Section:
    """Kind, area and category pickers and the subscribe button."""
    kinds = kind_options(lang)
    return html.Section(
        [
            html.H2(t("alerts.subs.title", lang), className="mq-alerts-h2"),
            html.Div(
                [
                    field(
                        t("alerts.subs.kind", lang),
                        dcc.Dropdown(id=AlertsIds.KIND, options=kinds, value=kinds[0]["value"],
                                     clearable=False, searchable=False, labels=dropdown_labels(lang),
                                     className="mq-dropdown"),
                    ),
                    field(
                        t("alerts.subs.area", lang),
                        dcc.Dropdown(id=AlertsIds.AREA, options=areas, value="", clearable=False,
                                     labels=dropdown_labels(lang),
                                     className="mq-dropdown"),
                    ),
                    field(
                        t("alerts.subs.category", lang),
                        dcc.Dropdown(id=AlertsIds.CATEGORY, options=categories, value=None,
                                     placeholder=t("alerts.all_categories", lang),
                                     labels=dropdown_labels(lang), className="mq-dropdown"),
                    ),
                    html.Button(t("alerts.subs.add", lang), id=AlertsIds.ADD, n_clicks=0,
                                className="mq-dispatch-button mq-dispatch-go"),
                ],
                className="mq-alerts-form",
            ),
            html.P(id=AlertsIds.MESSAGE, className="mq-alerts-message", role="status"),
            html.Div(id=AlertsIds.SUBSCRIPTIONS),
        ],
        className="mq-eval-card mq-alerts-card",
    )  # fmt: skip


def layout(**_query: str) -> html.Div:
    """The alerts screen in the request's language."""
    lang = current_lang()
    principal = current_principal()
    areas, categories = _choices(principal, lang)
    return html.Div(
        [
            header(lang, principal),
            html.Main(
                [
                    dcc.Store(id=AlertsIds.VERSION, data="0"),
                    html.Section(
                        [
                            html.Div(
                                [
                                    html.H2(t("alerts.inbox.title", lang), className="mq-alerts-h2"),
                                    html.Button(t("alerts.inbox.all_read", lang), id=AlertsIds.ALL_READ,
                                                n_clicks=0, className="mq-dispatch-button"),
                                ],
                                className="mq-alerts-inbox-top",
                            ),
                            html.Div(id=AlertsIds.INBOX, className="mq-alerts-inbox"),
                        ],
                        className="mq-eval-card mq-alerts-card",
                    ),
                    subscribe_form(lang, areas, categories),
                ],
                className="mq-eval-main mq-alerts-main",
            ),
        ],
        id=AlertsIds.ROOT,
        className=f"mq-app mq-eval mq-alerts mq-lang-{lang}",
        lang=lang,
    )  # fmt: skip
