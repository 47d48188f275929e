"""The handling block of an incident panel and the department's inbox.

* ``act``: take the chosen step, then redraw the block AND the panel's status badge from
  one read of the incident (so the badge never lags behind the timeline). A weighty step
  (``pages/map_flow_form.py`` CONFIRM) is taken from the 确认 button only: 提交 on it
  shows the question (in the browser, ``assets/js/flow.js``) and sends nothing.
* ``inbox``: the department's cases on load, on its timer, when a pushed change bumps
  the timer (``assets/js/minqing-live.js``: a case dispatched to the department shows at
  once), and after each step taken in a panel.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from dash import (
    ALL,
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate
from flask import request

from governance import attachments
from governance import inbox as inbox_service
from governance import incidents as incident_service
from governance import workflow as workflow_service
from governance.access import INCIDENT_HANDLE
from governance.errors import MinqingError, NotFound
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import map_inbox, map_workflow
from pages.map_flow_form import needs_confirm
from pages.map_ids import MapIds
from pages.redraw import fingerprint, unchanged
from web.security import current_principal, refused

log = logging.getLogger(__name__)

VERSIONS = {"type": MapIds.FLOW_VERSION_TYPE, "incident": ALL}


def _flow(kind: str) -> dict[str, object]:
    return {"type": kind, "incident": MATCH}


@callback(
    output={"list": Output(MapIds.INBOX, "children"), "shown": Output(MapIds.INBOX_SHOWN, "data")},
    inputs={"tick": Input(MapIds.INBOX_TICK, "n_intervals"), "versions": Input(VERSIONS, "data")},
    state={"shown": State(MapIds.INBOX_SHOWN, "data")},
)
def inbox(tick: Any, versions: Any, shown: Any) -> dict[str, Any]:
    """The department's cases. Only department staff have an inbox: for anyone else it
    stays empty. A tick (its timer, or any change pushed in the area) leaves it alone when
    it would draw the same (pages/redraw.py)."""
    lang = current_lang()
    principal = current_principal()
    if principal is None or not principal.can(INCIDENT_HANDLE):
        return {"list": [], "shown": None}
    # to the minute, as its chips show time: otherwise a hundred rows' "time left" would
    # each turn over at its own second, and nearly every tick would draw it again
    now = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0)
    try:
        with unit_of_work(principal) as s:
            queue = inbox_service.department_queue(s, principal, lang, now=now)
        drawn = map_inbox.inbox_list(queue, lang, now)
    except MinqingError as err:
        drawn = [map_workflow.error(err.user_message(lang))]
    mark = fingerprint(drawn)
    if ctx.triggered_id == MapIds.INBOX_TICK and unchanged(shown, mark):
        raise PreventUpdate  # the same list: nothing to send
    return {"list": drawn, "shown": mark}


# The form's gate, in the browser (assets/js/flow.js): 提交 disabled until an action (and
# its required note) is chosen; the confirmation step of a weighty action.
clientside_callback(
    ClientsideFunction(namespace="minqingFlow", function_name="gate"),
    Output(_flow(MapIds.FLOW_SUBMIT_TYPE), "disabled"),
    Output(_flow(MapIds.FLOW_HINT_TYPE), "children"),
    Output(_flow(MapIds.FLOW_CONFIRM_BOX_TYPE), "className"),
    Output(_flow(MapIds.FLOW_CONFIRM_TYPE), "disabled"),
    Input(_flow(MapIds.FLOW_ACTION_TYPE), "value"),
    Input(_flow(MapIds.FLOW_NOTE_TYPE), "value"),
    Input(_flow(MapIds.FLOW_SUBMIT_TYPE), "n_clicks"),
    Input(_flow(MapIds.FLOW_CONFIRM_TYPE), "n_clicks"),
    Input(_flow(MapIds.FLOW_CANCEL_TYPE), "n_clicks"),
    State(_flow(MapIds.FLOW_RULES_TYPE), "data"),
)


@callback(
    output={
        "block": Output(_flow(MapIds.FLOW_TYPE), "children"),
        "badge": Output(_flow(MapIds.FLOW_STATUS_TYPE), "children"),
        "badge_class": Output(_flow(MapIds.FLOW_STATUS_TYPE), "className"),
    },
    inputs={
        "submit": Input(_flow(MapIds.FLOW_SUBMIT_TYPE), "n_clicks"),
        "confirm": Input(_flow(MapIds.FLOW_CONFIRM_TYPE), "n_clicks"),
    },
    state={
        "form": {
            "action": State(_flow(MapIds.FLOW_ACTION_TYPE), "value"),
            "note": State(_flow(MapIds.FLOW_NOTE_TYPE), "value"),
            "dept": State(_flow(MapIds.FLOW_DEPT_TYPE), "value"),
            "until": State(_flow(MapIds.FLOW_UNTIL_TYPE), "value"),
            "into": State(_flow(MapIds.FLOW_INTO_TYPE), "value"),
        },
        "version": State(_flow(MapIds.FLOW_VERSION_TYPE), "data"),
        "upload": {
            "contents": State(_flow(MapIds.FLOW_FILE_TYPE), "contents"),
            "filename": State(_flow(MapIds.FLOW_FILE_TYPE), "filename"),
        },
    },
    prevent_initial_call=True,
)
def act(
    submit: Any, confirm: Any, form: dict[str, Any], version: Any, upload: dict[str, Any]
) -> dict[str, Any]:
    """Take the chosen step with the version the form was drawn from; redraw the block
    and the status badge from the database whatever happened (a refusal or a stale
    version leaves the incident as it was and says why)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not (submit or confirm):
        raise PreventUpdate
    if needs_confirm(form["action"]) and trigger.get("type") != MapIds.FLOW_CONFIRM_TYPE:
        raise PreventUpdate  # 提交 only asks; a weighty step is taken from 确认
    lang = current_lang()
    try:
        incident_id = _incident_id(trigger.get("incident"))
    except MinqingError as err:
        return _answer([map_workflow.error(err.user_message(lang))])
    message, keep = _step(incident_id, form, version, upload, lang)
    return _redraw(incident_id, message, keep, lang)


def _answer(block: Any, badge: Any = no_update, badge_class: Any = no_update) -> dict[str, Any]:
    return {"block": block, "badge": badge, "badge_class": badge_class}


def _step(
    incident_id: int, form: dict[str, Any], version: Any, upload: dict[str, Any], lang: str
) -> tuple[html.Div, dict[str, Any] | None]:
    """Apply the step; (the message to show, the form's values to keep after a refusal)."""
    action, dept, until, into = form["action"], form["dept"], form["until"], form["into"]
    params = {
        k: v for k, v in (("lead_department_id", dept), ("into", into)) if v not in (None, "")
    }
    if until:
        params["until"] = until
    file, filename = upload.get("contents"), upload.get("filename")
    principal = current_principal()
    try:
        with unit_of_work(principal) as s:
            workflow_service.transition(
                s,
                incident_id,
                action,
                expected_version=version,
                principal=principal,
                note=form["note"],
                params=params,
                client_addr=request.remote_addr,
                attachment=attachments.from_base64(filename, file) if file else None,
            )
    except MinqingError as err:
        text = refused(err, f"action {str(action)[:24]} on incident {incident_id}")
        return map_workflow.error(text), form
    return map_workflow.done(t("flow.done", lang, action=t(f"action.{action}", lang))), None


def _redraw(
    incident_id: int, message: Any, keep: dict[str, Any] | None, lang: str
) -> dict[str, Any]:
    """The block and the badge, both from one fresh read of the incident."""
    try:
        who = current_principal()
        with unit_of_work(who) as s:
            detail = incident_service.incident_detail(s, incident_id, lang, principal=who)
            departments = workflow_service.departments(s, lang)
    except MinqingError as err:
        return _answer([map_workflow.error(err.user_message(lang))])
    view = map_workflow.flow_view(detail, departments, lang, message, keep)
    status = (detail.get("workflow") or {}).get("status")
    return _answer(view, map_workflow.status_label(status, lang), map_workflow.status_class(status))


@callback(
    Output(_flow(MapIds.FLOW_FILE_TYPE), "children"),
    Input(_flow(MapIds.FLOW_FILE_TYPE), "filename"),
    prevent_initial_call=True,
)
def file_chosen(filename: Any) -> Any:
    """Name the chosen file in the drop zone (it is checked on submit, with the step)."""
    if not isinstance(filename, str) or not filename:
        raise PreventUpdate
    return html.Div(t("flow.attachment_chosen", current_lang(), name=filename[:120]))


def _incident_id(raw: Any) -> int:
    """An incident id from a (possibly hand-made) component id."""
    try:
        value = int(raw) if not isinstance(raw, bool) else 0
    except (TypeError, ValueError, OverflowError):
        value = 0
    if not 0 < value < 2**63:
        raise NotFound("error.not_found", what=str(raw)[:40])
    return value
