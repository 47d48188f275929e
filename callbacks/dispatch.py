"""The dispatch board: refresh (tick, pushed change, button, after a dispatch) -> the
intake summary and the list cards that changed; a row's dispatch button -> one dispatch.

Thin: ``governance.dispatch_board`` checks ``INCIDENT_DISPATCH`` and the area scope and
validates every value itself, because these callbacks can be called by hand.
"""

from __future__ import annotations

import logging
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
)
from dash.exceptions import PreventUpdate
from flask import request

from callbacks import lang
from governance import dispatch_board
from governance.access import INCIDENT_DISPATCH, require
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import dispatch_parts as parts
from pages.dispatch_ids import DispatchIds
from pages.redraw import only_changed
from web.security import current_principal, refused

log = logging.getLogger(__name__)

lang.switch(DispatchIds.LANG_BUTTON, DispatchIds.LANG_SINK)

# A pressed dispatch button is disabled at once, in the browser (assets/js/dispatch.js).
_GO = {"type": DispatchIds.GO_TYPE, "incident": MATCH, "version": MATCH}
clientside_callback(
    ClientsideFunction(namespace="minqingDispatch", function_name="pressed"),
    Output(_GO, "disabled"),
    Input(_GO, "n_clicks"),
    prevent_initial_call=True,
)


@callback(
    Output(DispatchIds.INTAKE, "children"),
    *(Output(DispatchIds.slot(kind), "children") for kind in parts.LIST_KINDS),
    Output(DispatchIds.AS_OF, "children"),
    Output(DispatchIds.SHOWN, "data"),
    Input(DispatchIds.INTERVAL, "n_intervals"),
    Input(DispatchIds.REFRESH, "n_clicks"),
    Input(DispatchIds.DONE, "data"),
    State(DispatchIds.SHOWN, "data"),
)
def refresh(_tick: Any, _clicks: Any, _done: Any, shown: Any) -> tuple[Any, ...]:
    """Today's intake and the lists of the viewer's area, now. Only the cards that changed
    since the screen drew them are drawn again (the first call draws all); after a
    dispatch the queue is, so that a refused dispatch's button can be pressed again."""
    lang = current_lang()
    who = require(current_principal(), INCIDENT_DISPATCH)
    with unit_of_work(who) as s:
        board = dispatch_board.board(s, who, lang)
    as_of = t("dispatch.as_of", lang, at=board.as_of.strftime("%H:%M:%S"))
    cards = dict(zip(parts.LIST_KINDS, parts.list_cards(board, lang), strict=True))
    send, marks = only_changed(
        cards,
        shown if ctx.triggered_id is not None else None,
        redraw=("queue",) if ctx.triggered_id == DispatchIds.DONE else (),
    )
    return parts.intake_summary(board, lang), *send.values(), as_of, marks


@callback(
    Output(DispatchIds.MESSAGE, "children"),
    Output(DispatchIds.MESSAGE, "className"),
    Output(DispatchIds.DONE, "data"),
    Input({"type": DispatchIds.GO_TYPE, "incident": ALL, "version": ALL}, "n_clicks"),
    State({"type": DispatchIds.DEPT_TYPE, "incident": ALL}, "value"),
    prevent_initial_call=True,
)
def dispatch(_clicks: Any, _departments: Any) -> tuple[str, str, dict[str, Any]]:
    """Dispatch the clicked row's case with the version it showed (to the department
    picked, else the suggested one); a refusal says why and changes nothing."""
    principal = require(current_principal(), INCIDENT_DISPATCH)
    trig = ctx.triggered_id
    if not isinstance(trig, dict) or not any(x.get("value") for x in ctx.triggered):
        raise PreventUpdate
    lang, incident = current_lang(), trig.get("incident")
    try:
        with unit_of_work(principal) as s:
            done = dispatch_board.dispatch(
                s,
                principal,
                incident,
                expected_version=trig.get("version"),
                department_id=_picked(incident),
                lang=lang,
                client_addr=request.remote_addr,
            )
    except MinqingError as err:
        return parts.outcome(lang, incident, error=refused(err, "dispatch"))
    return parts.outcome(lang, incident, department=done["department"])


def _picked(incident: object) -> object:
    """The department picked in the override of ``incident``'s row (None: none)."""
    states = ctx.states_list[0] if ctx.states_list else []
    for item in states:
        cid = item.get("id") if isinstance(item, dict) else None
        if isinstance(cid, dict) and cid.get("incident") == incident:
            return item.get("value")
    return None
