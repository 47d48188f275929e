"""The weekly consultation screen (周会商): stuck cases, recurrent hotspots, repeated
addresses for one week (Monday to Sunday) in the user's area.

Commanders see the whole city, supervisors their street (``ANALYTICS_VIEW``). The
layout holds no cases: the callback (callbacks/consult.py) fills the sections for the
chosen week (default: the last full week) once the page loads. Masked text only.
"""

from __future__ import annotations

from datetime import datetime

import dash
from dash import dcc, html

from governance import consult
from governance.access import Principal
from governance.filters import LOCAL_TZ
from i18n import current_lang, t
from pages.consult_ids import ConsultIds
from pages.consult_parts import week_label
from pages.evaluation_parts import period_controls
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from web.security import current_principal

dash.register_page(__name__, path="/consult", title=tab_title("nav.consult"), name="consult")


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product, screen name, screens menu, user, language."""
    ids = HeaderIds(
        ConsultIds.ACCOUNT, ConsultIds.LOGOUT, ConsultIds.LANG_BUTTON, ConsultIds.LANG_SINK
    )
    return page_header(
        lang,
        principal,
        ids,
        screen=t("consult.page.title", lang),
        subtitle=t("consult.page.subtitle", lang),
    )


def week_picker(lang: str, now: datetime | None = None) -> dcc.Dropdown:
    """The weeks on offer (by their Monday), newest first; the last full week chosen."""
    weeks = consult.week_options(now)
    return dcc.Dropdown(
        id=ConsultIds.WEEK,
        options=[
            {"label": week_label(w, lang, current=i == 0), "value": w.isoformat()}
            for i, w in enumerate(weeks)
        ],
        value=consult.default_week(now).isoformat(),
        clearable=False,
        searchable=False,
        labels=dropdown_labels(lang),
        className="mq-dropdown mq-consult-week",
    )


def layout(**_query: str) -> html.Div:
    """The consultation screen in the request's language."""
    lang = current_lang()
    principal = current_principal()
    now = datetime.now(LOCAL_TZ)
    return html.Div(
        [
            header(lang, principal),
            html.Main(
                [
                    period_controls(
                        t("consult.week", lang), week_picker(lang, now), ConsultIds.MESSAGE
                    ),
                    html.P(id=ConsultIds.SUMMARY, className="mq-eval-summary"),
                    dcc.Loading(
                        html.Div(
                            [
                                html.Div(id=ConsultIds.STUCK),
                                html.Div(id=ConsultIds.HOTSPOTS),
                                html.Div(id=ConsultIds.REPEATS),
                                html.Div(id=ConsultIds.BLIND),
                            ],
                            className="mq-consult-body",
                        )
                    ),
                ],
                className="mq-eval-main",
            ),
        ],
        id=ConsultIds.ROOT,
        className=f"mq-app mq-eval mq-consult mq-lang-{lang}",
        lang=lang,
    )
