"""The briefings screen: the form -> one briefing file downloaded, or a translated error.

Thin: access first (``BRIEFING_EXPORT``), then ``governance.briefings`` validates the
request, checks the area against the principal's scope, renders and audits the export.
PDF and PNG files are printed by the process's warm Chromium (``briefings.printer``).
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from dash import Input, Output, State, callback, no_update
from flask import request

from briefings.printer import render
from callbacks import lang
from governance import briefings
from governance.access import BRIEFING_EXPORT, require
from governance.briefing_period import parse_request
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages.briefings_ids import BriefIds
from web.security import current_principal, refused

log = logging.getLogger(__name__)

lang.switch(BriefIds.LANG_BUTTON, BriefIds.LANG_SINK)


@callback(
    Output(BriefIds.DOWNLOAD, "data"),
    Output(BriefIds.STATUS, "children"),
    Input(BriefIds.SUBMIT, "n_clicks"),
    State(BriefIds.PERIOD, "value"),
    State(BriefIds.DATE, "date"),
    State(BriefIds.AREA, "value"),
    State(BriefIds.FORMAT, "value"),
    prevent_initial_call=True,
)
def produce(_n: Any, period: Any, day: Any, area: Any, fmt: Any) -> tuple[Any, Any]:
    """Produce the briefing asked for and hand it to the browser as a download."""
    lang = current_lang()
    try:
        principal = require(current_principal(), BRIEFING_EXPORT)
        req = parse_request(
            period=str(period or ""),
            day=str(day or ""),
            area=str(area or ""),
            fmt=str(fmt or ""),
            lang=lang,
        )
        with unit_of_work(principal) as s:
            out = briefings.export(s, principal, req, render, client_addr=request.remote_addr)
    except MinqingError as err:
        return no_update, refused(err, "briefing")
    content = base64.b64encode(out.data).decode("ascii")
    data = {"content": content, "filename": out.filename, "type": out.mimetype, "base64": True}
    return data, t("brief.done", lang, name=out.filename)
