"""The supervisor's patrol report (巡查督导): completion and on-time rates of the area's
visits for a period, the missed high-risk visits, the off-site check-ins, and reassigning
a task to another grid worker.

Supervisors (their street) and commanders (the city) hold ``PATROL_SUPERVISE``. The layout
holds no figures: the callbacks (callbacks/patrol_report.py) fill them once the page
loads and whenever a filter changes. Filters wrap onto separate lines on a phone, and each
table scrolls inside its own box.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import dash
from dash import dcc, html

from governance.access import Principal
from governance.filters import LOCAL_TZ
from governance.patrol_report import GROUPS, PERIODS
from i18n import current_lang, t
from pages.header import HeaderIds, page_header
from pages.map_controls import dropdown_labels
from pages.patrol_report_ids import ReportIds as Ids
from web.security import current_principal

dash.register_page(
    __name__, path="/patrol-report", title="巡查督导 · MinQing Map", name="patrol-report"
)


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product, screen name, screens menu, user, language."""
    ids = HeaderIds(Ids.ACCOUNT, Ids.LOGOUT, Ids.LANG_BUTTON, Ids.LANG_SINK)
    return page_header(
        lang,
        principal,
        ids,
        screen=t("preport.page.title", lang),
        subtitle=t("preport.page.subtitle", lang),
    )


def _field(label: str, control: Any) -> html.Label:
    return html.Label(
        [html.Span(label, className="mq-eval-label"), control], className="mq-eval-field"
    )


def controls(lang: str) -> html.Section:
    """Period, custom range, area, grouping; the export links; the message line."""
    today = datetime.now(LOCAL_TZ).date()
    period = dcc.RadioItems(
        id=Ids.PERIOD,
        options=[{"label": t(f"preport.period.{p}", lang), "value": p} for p in PERIODS],
        value=PERIODS[0],
        inline=True,
        className="mq-brief-radio",
    )
    dates = dcc.DatePickerRange(
        id=Ids.DATES,
        start_date=(today - timedelta(days=today.weekday())).isoformat(),
        end_date=today.isoformat(),
        max_date_allowed=today.isoformat(),
        display_format="YYYY-MM-DD",
        minimum_nights=0,
    )
    area = dcc.Dropdown(
        id=Ids.AREA,
        options=[],
        value=None,
        placeholder=t("preport.area.all", lang),
        labels=dropdown_labels(lang),
        className="mq-dropdown",
    )
    group = dcc.RadioItems(
        id=Ids.GROUP,
        options=[{"label": t(f"preport.group.{g}", lang), "value": g} for g in GROUPS],
        value="street",
        inline=True,
        className="mq-brief-radio",
    )
    return html.Section(
        [
            _field(t("preport.period", lang), period),
            _field(t("preport.dates", lang), dates),
            _field(t("preport.area", lang), area),
            _field(t("preport.group", lang), group),
            html.Div(id=Ids.EXPORTS, className="mq-export-menu"),
            html.Div(id=Ids.MESSAGE, className="mq-eval-message"),
        ],
        className="mq-eval-card mq-eval-controls",
    )


def dialog(lang: str) -> html.Section:
    """The reassign dialog: hidden until a list's "reassign" button is pressed."""
    return html.Section(
        [
            html.H3(id=Ids.DIALOG_TITLE, className="mq-block-title"),
            _field(
                t("preport.reassign.worker", lang),
                dcc.Dropdown(
                    id=Ids.WORKER,
                    options=[],
                    labels=dropdown_labels(lang),
                    className="mq-dropdown",
                ),
            ),
            html.Div(
                [
                    html.Button(
                        t("preport.reassign.ok", lang),
                        id=Ids.OK,
                        className="mq-dispatch-button mq-dispatch-go",
                    ),
                    html.Button(
                        t("preport.reassign.cancel", lang),
                        id=Ids.CANCEL,
                        className="mq-dispatch-button",
                    ),
                ],
                style={"display": "flex", "gap": "8px", "marginTop": "8px"},
            ),
            html.Div(id=Ids.DIALOG_MESSAGE, className="mq-eval-message"),
            dcc.Store(id=Ids.TASK),
        ],
        id=Ids.DIALOG,
        hidden=True,
        className="mq-eval-card",
    )


def layout(**_query: str) -> html.Div:
    """The patrol report in the request's language."""
    lang = current_lang()
    return html.Div(
        [
            header(lang, current_principal()),
            html.Main(
                [
                    controls(lang),
                    dcc.Loading(html.Div(id=Ids.BODY, className="mq-eval-card")),
                    dialog(lang),
                    dcc.Loading(html.Div(id=Ids.LISTS)),
                    dcc.Store(id=Ids.REFRESH, data=0),
                ],
                className="mq-eval-main",
            ),
        ],
        id=Ids.ROOT,
        className=f"mq-app mq-eval mq-lang-{lang}",
        lang=lang,
    )
