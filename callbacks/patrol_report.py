"""The patrol report: filters -> the rates table, the lists and the export links; the
drill-down's areas; the reassign dialog; the language switch.

Thin: ``governance.patrol_report`` checks ``PATROL_SUPERVISE``, the scope and every value
itself, because each callback can be called by a hand-made request with any body.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, ctx
from dash.exceptions import PreventUpdate
from flask import request

from callbacks import lang
from callbacks.analytics import shown
from governance import patrol_report
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import patrol_report_parts as parts
from pages.patrol_report_ids import ReportIds as Ids
from web.refusals import refused
from web.security import current_principal

lang.switch(Ids.LANG_BUTTON, Ids.LANG_SINK)

FILTERS = dict(
    period=Input(Ids.PERIOD, "value"),
    start=Input(Ids.DATES, "start_date"),
    end=Input(Ids.DATES, "end_date"),
    area=Input(Ids.AREA, "value"),
    group=Input(Ids.GROUP, "value"),
    refresh=Input(Ids.REFRESH, "data"),
)


@callback(
    output=dict(
        body=Output(Ids.BODY, "children"),
        lists=Output(Ids.LISTS, "children"),
        exports=Output(Ids.EXPORTS, "children"),
        message=Output(Ids.MESSAGE, "children"),
    ),
    inputs=FILTERS,
)
def show(period: Any, start: Any, end: Any, area: Any, group: Any, refresh: Any) -> dict:
    """The report under the filters, or why there is none."""
    who = current_principal()
    custom = period == "custom"
    filters = {"period": period, "start": start if custom else None, "end": end if custom else None}

    def load() -> patrol_report.Report:
        with unit_of_work(who) as s:
            return patrol_report.report(s, who, **filters, group=group, area=area)

    def render(report: patrol_report.Report, lang: str) -> tuple[Any, ...]:
        params = {k: str(v) for k, v in {**filters, "group": group, "area": area}.items() if v}
        return (
            parts.rates_table(report, lang, params),
            [parts.missed_list(report, lang), parts.offsite_list(report, lang)],
            parts.export_links(params, lang),
        )

    empty: tuple[Any, ...] = ([], [], [])
    (body, lists, links), message = shown("patrol report", load, render, empty)
    return dict(body=body, lists=lists, exports=links, message=message)


@callback(Output(Ids.AREA, "options"), Input(Ids.REFRESH, "data"))
def areas(_refresh: Any) -> list[dict[str, str]]:
    """The counties, streets and communities of the user's scope."""
    who = current_principal()
    try:
        with unit_of_work(who) as s:
            rows = patrol_report.area_options(s, who)
    except MinqingError as err:
        refused(err, "patrol report areas")
        return []
    indent = {"county": "", "street": "· ", "community": "· · "}
    return [{"label": indent[r["level"]] + r["name"], "value": r["code"]} for r in rows]


@callback(
    output=dict(
        hidden=Output(Ids.DIALOG, "hidden"),
        title=Output(Ids.DIALOG_TITLE, "children"),
        options=Output(Ids.WORKER, "options"),
        worker=Output(Ids.WORKER, "value"),
        task=Output(Ids.TASK, "data"),
        message=Output(Ids.DIALOG_MESSAGE, "children"),
    ),
    inputs=dict(_clicks=Input({"type": Ids.REASSIGN_TYPE, "task": ALL}, "n_clicks")),
    prevent_initial_call=True,
)
def open_dialog(_clicks: Any) -> dict:
    """The dialog for the clicked task: the grid workers it may go to."""
    trig = ctx.triggered_id
    if not isinstance(trig, dict) or not any(x.get("value") for x in ctx.triggered):
        raise PreventUpdate  # the buttons were (re)drawn, none was pressed
    who, task = current_principal(), trig.get("task")
    title = t("preport.reassign.title", current_lang(), id=str(task)[:20])
    try:
        with unit_of_work(who) as s:
            choices = patrol_report.worker_choices(s, who, task)
    except MinqingError as err:
        message = refused(err, "patrol reassign")
        return dict(hidden=False, title=title, options=[], worker=None, task=None, message=message)
    options = parts.worker_options(choices["workers"])
    return dict(hidden=False, title=title, options=options, worker=None, task=task, message="")


@callback(
    output=dict(
        hidden=Output(Ids.DIALOG, "hidden", allow_duplicate=True),
        message=Output(Ids.DIALOG_MESSAGE, "children", allow_duplicate=True),
        refresh=Output(Ids.REFRESH, "data"),
    ),
    inputs=dict(_ok=Input(Ids.OK, "n_clicks"), _cancel=Input(Ids.CANCEL, "n_clicks")),
    state=dict(task=State(Ids.TASK, "data"), worker=State(Ids.WORKER, "value")),
    prevent_initial_call=True,
)
def reassign(_ok: Any, _cancel: Any, task: Any, worker: Any) -> dict:
    """Reassign the dialog's task to the chosen worker (or close the dialog)."""
    if ctx.triggered_id != Ids.OK:
        return dict(hidden=True, message="", refresh=None)
    who = current_principal()
    try:
        with unit_of_work(who) as s:
            done = patrol_report.reassign(s, who, task, worker, client_addr=request.remote_addr)
    except MinqingError as err:
        return dict(hidden=False, message=refused(err, "patrol reassign"), refresh=None)
    message = t("preport.reassign.done", current_lang(), id=done["id"], user=done["assignee"])
    return dict(hidden=False, message=message, refresh=done["id"])
