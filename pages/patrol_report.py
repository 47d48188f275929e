"""The supervisor's patrol report (巡查督导): completion and on-time rates of the area's
visits for a period, the missed high-risk visits, the off-site check-ins, and reassigning
a task to another grid worker.

Supervisors (their street) and commanders (the city) hold ``PATROL_SUPERVISE``. The layout
holds no figures: the callbacks (callbacks/patrol_report.py) fill them once the page
loads and whenever a filter changes. Filters wrap onto separate lines on a phone, and each
table scrolls inside its own box.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import dash
from dash import dcc, html

from governance.access import Principal
from governance.filters import LOCAL_TZ
from governance.patrol_report import GROUPS, PERIODS
from i18n import current_lang, t
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from pages.patrol_report_ids import ReportIds as Ids
from web.security import current_principal

_DAY: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_AREA: Final = re.compile(r"^[0-9]{12}([0-9]{3})?$")

dash.register_page(
    __name__, path="/patrol-report", title=tab_title("nav.patrol-report"), name="patrol-report"
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


def _field(label: str, control: Any) -> html.Label | html.Div:
    """A labelled field; a group of radio buttons or two date inputs is a <div> (a <label>
    names one control), named by the text in assets/js/a11y.js."""
    parts = [html.Span(label, className="mq-eval-label"), control]
    if isinstance(control, dcc.RadioItems | dcc.DatePickerRange):
        return html.Div(parts, className="mq-eval-field")
    return html.Label(parts, className="mq-eval-field")


def _initial(query: Mapping[str, str]) -> dict[str, Any]:
    """The filters a link asked for (a drill-down link carries them all), where they are
    plausible; the service checks them again."""
    today = datetime.now(LOCAL_TZ).date()
    out: dict[str, Any] = {
        "period": PERIODS[0],
        "start": (today - timedelta(days=today.weekday())).isoformat(),
        "end": today.isoformat(),
        "area": None,
        "group": "street",
    }
    if query.get("period") in PERIODS:
        out["period"] = query["period"]
    if query.get("group") in GROUPS:
        out["group"] = query["group"]
    for key in ("start", "end"):
        if _DAY.match(query.get(key) or ""):
            out[key] = query[key]
    if _AREA.match(query.get("area") or ""):
        out["area"] = query["area"]
    return out


def controls(lang: str, initial: Mapping[str, Any]) -> html.Section:
    """Period, custom range, area, grouping; the export links; the message line."""
    today = datetime.now(LOCAL_TZ).date()
    period = dcc.RadioItems(
        id=Ids.PERIOD,
        options=[{"label": t(f"preport.period.{p}", lang), "value": p} for p in PERIODS],
        value=initial["period"],
        inline=True,
        className="mq-brief-radio",
    )
    dates = dcc.DatePickerRange(
        id=Ids.DATES,
        start_date=initial["start"],
        end_date=initial["end"],
        max_date_allowed=today.isoformat(),
        display_format="YYYY-MM-DD",
        minimum_nights=0,
        start_date_placeholder_text=t("a11y.date_start", lang),  # also the inputs' names
        end_date_placeholder_text=t("a11y.date_end", lang),
    )
    area = dcc.Dropdown(
        id=Ids.AREA,
        # the callback brings the names; until then a linked area shows its code
        options=[{"label": initial["area"], "value": initial["area"]}] if initial["area"] else [],
        value=initial["area"],
        placeholder=t("preport.area.all", lang),
        labels=dropdown_labels(lang),
        className="mq-dropdown",
    )
    group = dcc.RadioItems(
        id=Ids.GROUP,
        options=[{"label": t(f"preport.group.{g}", lang), "value": g} for g in GROUPS],
        value=initial["group"],
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


def layout(**query: str) -> html.Div:
    """The patrol report in the request's language, under the filters of the link."""
    lang = current_lang()
    return html.Div(
        [
            header(lang, current_principal()),
            html.Main(
                [
                    controls(lang, _initial(query)),
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
