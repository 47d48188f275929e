"""The briefings screen (领导简报): choose a period, a date, an area in one's scope and a
format, and download the briefing (日调度 / 周会商 / 月评估) produced from the database.

Commanders and supervisors hold ``BRIEFING_EXPORT``; the area picker lists only areas in
the principal's scope, and the export use case checks the scope again (the callback is an
HTTP endpoint anyone can call with any area code).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash
from dash import dcc, html

from briefings import printer
from governance import briefings
from governance.briefing_period import FORMATS, PERIODS
from governance.errors import MinqingError
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages.briefings_ids import BriefIds
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from web.security import current_principal

dash.register_page(__name__, path="/briefings", title=tab_title("nav.briefings"), name="briefings")


def _field(label: str, control: Any, key: str) -> html.Label | html.Div:
    """A labelled field. A group of radio buttons is a <div>, not a <label>: a label names
    one control (a click on its text would choose the first option); assets/js/a11y.js
    names the group by the text."""
    parts = [html.Span(label, className="mq-brief-label"), control]
    cls = f"mq-brief-field mq-brief-field-{key}"
    if isinstance(control, dcc.RadioItems):
        return html.Div(parts, className=cls)
    return html.Label(parts, className=cls)


def form(lang: str, areas: list[dict[str, str]]) -> html.Section:
    """The request card: period, date, area, format, and the produce button."""
    today = datetime.now(LOCAL_TZ).date()
    return html.Section(
        [
            _field(
                t("brief.form.period", lang),
                dcc.RadioItems(
                    id=BriefIds.PERIOD,
                    options=[{"label": t(f"brief.period.{p}", lang), "value": p} for p in PERIODS],
                    value="daily",
                    inline=True,
                    className="mq-brief-radio",
                ),
                "period",
            ),
            _field(
                t("brief.form.date", lang),
                dcc.DatePickerSingle(
                    id=BriefIds.DATE,
                    date=today.isoformat(),
                    max_date_allowed=today.isoformat(),
                    display_format="YYYY-MM-DD",
                    first_day_of_week=1,
                    placeholder=t("brief.form.date", lang),  # also the input's name
                    className="mq-dates",
                ),
                "date",
            ),
            _field(
                t("brief.form.area", lang),
                dcc.Dropdown(
                    id=BriefIds.AREA,
                    options=areas,  # type: ignore[arg-type]
                    value=areas[0]["value"] if areas else None,
                    clearable=False,
                    labels=dropdown_labels(lang),
                    className="mq-dropdown",
                ),
                "area",
            ),
            _field(
                t("brief.form.format", lang),
                dcc.RadioItems(
                    id=BriefIds.FORMAT,
                    options=[{"label": t(f"brief.format.{f}", lang), "value": f} for f in FORMATS],
                    value="pdf",
                    inline=True,
                    className="mq-brief-radio",
                ),
                "format",
            ),
            html.Button(
                t("brief.form.submit", lang),
                id=BriefIds.SUBMIT,
                n_clicks=0,
                className="mq-audit-button mq-audit-primary",
            ),
            html.P(t("brief.form.hint", lang), className="mq-brief-hint"),
            dcc.Loading(html.Div(id=BriefIds.STATUS, className="mq-brief-status"), type="dot"),
            dcc.Download(id=BriefIds.DOWNLOAD),
        ],
        className="mq-audit-card mq-brief-form",
    )


def layout(**_query: str) -> html.Div:
    """The briefings screen in the request's language."""
    lang = current_lang()
    principal = current_principal()
    try:
        with unit_of_work(principal) as s:  # a layout function is a caller: it opens the unit
            areas = briefings.area_choices(s, principal, lang)
    except MinqingError:  # the guard refuses the page first; a stale session lands here
        areas = []
    if areas:  # Chromium starts while the user chooses (briefings/printer.py)
        printer.warm()
    ids = HeaderIds(BriefIds.ACCOUNT, BriefIds.LOGOUT, BriefIds.LANG_BUTTON, BriefIds.LANG_SINK)
    return html.Div(
        [
            page_header(
                lang,
                principal,
                ids,
                screen=t("brief.page.title", lang),
                subtitle=t("brief.page.subtitle", lang),
            ),
            html.Main([form(lang, areas)], className="mq-audit-main mq-brief-main"),
        ],
        className=f"mq-app mq-audit mq-brief mq-lang-{lang}",
        lang=lang,
    )
