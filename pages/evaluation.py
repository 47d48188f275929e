"""The monthly evaluation screen (月评估): scorecards of departments, streets and grids.

Commanders see the whole city, supervisors their street (``ANALYTICS_VIEW``). The
layout holds no figures: the callback (callbacks/evaluation.py) fills the chosen tab for
the chosen month (default: the last full month) once the page loads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash
from dash import dcc, html

from governance import evaluation
from governance.access import Principal
from governance.filters import LOCAL_TZ
from governance.scores import KINDS
from i18n import current_lang, t
from pages.evaluation_ids import EvalIds
from pages.evaluation_parts import period_controls
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from web.security import current_principal

dash.register_page(
    __name__, path="/evaluation", title=tab_title("nav.evaluation"), name="evaluation"
)


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product, screen name, screens menu, user, language."""
    ids = HeaderIds(EvalIds.ACCOUNT, EvalIds.LOGOUT, EvalIds.LANG_BUTTON, EvalIds.LANG_SINK)
    return page_header(
        lang,
        principal,
        ids,
        screen=t("eval.page.title", lang),
        subtitle=t("eval.page.subtitle", lang),
    )


def month_picker(lang: str, now: datetime | None = None) -> dcc.Dropdown:
    """The months on offer, newest first; the last full month chosen."""
    months = evaluation.month_options(now)
    options = [
        {"label": t("eval.month_current", lang, month=m) if i == 0 else m, "value": m}
        for i, m in enumerate(months)
    ]
    return dcc.Dropdown(
        id=EvalIds.MONTH,
        options=options,
        value=evaluation.default_month(now),
        clearable=False,
        searchable=False,
        labels=dropdown_labels(lang),
        className="mq-dropdown mq-eval-month",
    )


def layout(**_query: str) -> html.Div:
    """The evaluation screen in the request's language."""
    lang = current_lang()
    principal = current_principal()
    now = datetime.now(LOCAL_TZ)
    tabs: list[Any] = [
        dcc.Tab(label=t(f"eval.tab.{k}", lang), value=k, className="mq-eval-tab") for k in KINDS
    ]
    return html.Div(
        [
            header(lang, principal),
            html.Main(
                [
                    period_controls(
                        t("eval.month", lang), month_picker(lang, now), EvalIds.MESSAGE
                    ),
                    dcc.Tabs(tabs, id=EvalIds.TABS, value=KINDS[0], className="mq-eval-tabs"),
                    dcc.Loading(html.Div(id=EvalIds.BODY, className="mq-eval-body")),
                ],
                className="mq-eval-main",
            ),
        ],
        id=EvalIds.ROOT,
        className=f"mq-app mq-eval mq-lang-{lang}",
        lang=lang,
    )
