"""The audit log screen: form -> query -> one page of records; chain check; export link.

Thin: the use cases in ``governance.audit_view`` check ``AUDIT_VIEW`` and validate every
value themselves, because any of these callbacks can be called by a hand-made request.
"""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, State, callback, ctx
from dash.exceptions import PreventUpdate
from flask import request

from callbacks import lang
from governance import audit_view
from governance.access import AUDIT_VIEW, require
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang
from pages import audit_table as view
from pages.audit_ids import AuditIds
from web.security import current_principal, refused

log = logging.getLogger(__name__)

lang.switch(AuditIds.LANG_BUTTON, AuditIds.LANG_SINK)


def _refused(err: MinqingError, what: str) -> str:
    """Log a refused request (and audit it if it was a permission check); the message."""
    return refused(err, f"audit {what}")


@callback(
    Output(AuditIds.QUERY, "data"),
    inputs={
        "submit": (
            Input(AuditIds.SEARCH, "n_clicks"),
            Input(AuditIds.USERNAME, "n_submit"),
            Input(AuditIds.OBJECT_TYPE, "n_submit"),
            Input(AuditIds.OBJECT_ID, "n_submit"),
            Input(AuditIds.ACTION, "value"),
            Input(AuditIds.OUTCOME, "value"),
            Input(AuditIds.DATES, "start_date"),
            Input(AuditIds.DATES, "end_date"),
        ),
        "paging": (Input(AuditIds.PREV, "n_clicks"), Input(AuditIds.NEXT, "n_clicks")),
    },
    state={
        "form": {
            "username": State(AuditIds.USERNAME, "value"),
            "object_type": State(AuditIds.OBJECT_TYPE, "value"),
            "object_id": State(AuditIds.OBJECT_ID, "value"),
        },
        "query": State(AuditIds.QUERY, "data"),
        "head": State(AuditIds.HEAD, "data"),
    },
    prevent_initial_call=True,
)
def set_query(
    submit: tuple[Any, ...], paging: Any, form: dict[str, Any], query: Any, head: Any
) -> dict[str, Any]:
    """A new search from the form (page 1), or the next / previous page of the shown one."""
    try:
        require(current_principal(), AUDIT_VIEW)
    except MinqingError as err:
        _refused(err, "query")
        raise PreventUpdate from None
    if ctx.triggered_id in (AuditIds.PREV, AuditIds.NEXT) and isinstance(query, dict):
        step = 1 if ctx.triggered_id == AuditIds.NEXT else -1
        page = query.get("page")
        page = page if isinstance(page, int) else 0
        return {**query, "page": max(0, page + step), "head": head}
    action, outcome, start, end = submit[4:]
    return {"filters": {**form, "action": action, "outcome": outcome, "start": start, "end": end}}


@callback(
    Output(AuditIds.RESULTS, "children"),
    Output(AuditIds.STATUS, "children"),
    Output(AuditIds.HEAD, "data"),
    Output(AuditIds.PREV, "disabled"),
    Output(AuditIds.NEXT, "disabled"),
    Output(AuditIds.PAGE_LABEL, "children"),
    Output(AuditIds.EXPORT, "href"),
    Input(AuditIds.QUERY, "data"),
)
def show_results(query: Any) -> tuple[Any, ...]:
    """One page of records for the query (newest first), or why there is none."""
    lang = current_lang()
    try:
        who = current_principal()
        with unit_of_work(who) as s:
            page = audit_view.search_page(s, query, principal=who, client_addr=request.remote_addr)
    except MinqingError as err:
        return view.error_props(_refused(err, "search"))
    return view.result_props(page, lang)


@callback(
    Output(AuditIds.VERIFY_RESULT, "children"),
    Output(AuditIds.VERIFY_RESULT, "className"),
    Input(AuditIds.VERIFY, "n_clicks"),
    prevent_initial_call=True,
)
def verify(_n_clicks: Any) -> tuple[str, str]:
    """Recompute the hash chain and say whether it holds (or where it breaks)."""
    try:
        who = current_principal()
        with unit_of_work(who) as s:
            result = audit_view.verify_chain(s, principal=who)
    except MinqingError as err:
        return _refused(err, "verify"), "mq-audit-verify-result mq-audit-verify-bad"
    return view.verify_badge(result, current_lang())
