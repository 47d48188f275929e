"""The account page: search -> list; "manage" -> the chosen account; buttons -> one change
(-> the list and the account again).

Thin: every use case in ``governance.users_admin`` checks the capability it needs
(``USERS_VIEW`` to read, ``USERS_MANAGE`` for accounts, ``PERMISSIONS_MANAGE`` for
permissions) and validates every value itself, because any of these callbacks can be
called by a hand-made request. Refusals come back as a translated message (and a refused
permission is audited as ``access_denied``), never as a bare error.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from dash import (
    ALL,
    Input,
    Output,
    State,
    callback,
    ctx,
    no_update,
)
from dash.exceptions import PreventUpdate
from flask import request
from sqlalchemy.orm import Session

from callbacks import lang
from governance import users_admin as service
from governance.access import USERS_VIEW, Principal, require
from governance.errors import Conflict, MinqingError
from governance.uow import unit_of_work
from i18n import current_lang
from pages import users_table as view
from pages.users_ids import UsersIds as Ids
from web.security import current_principal, refused

log = logging.getLogger(__name__)

lang.switch(Ids.LANG_BUTTON, Ids.LANG_SINK)


def _refused(err: MinqingError, what: str) -> str:
    """Log a refused request (and audit it if a permission said no); the message."""
    return refused(err, f"users {what}")


def _outcome(user_id: Any) -> dict[str, Any]:
    """Reload the list and the chosen account (a fresh nonce: every change reloads)."""
    return {"user": user_id, "n": uuid.uuid4().hex}


@callback(
    Output(Ids.TABLE, "children"),
    Output(Ids.STATUS, "children"),
    inputs=dict(
        searched=(Input(Ids.SEARCH, "n_clicks"), Input(Ids.TEXT, "n_submit")),
        role=Input(Ids.ROLE, "value"),
        changed=Input(Ids.OUTCOME, "data"),
    ),
    state=dict(text=State(Ids.TEXT, "value")),
)
def show_list(role: Any, text: Any, **_triggers: Any) -> tuple[Any, Any]:
    """The accounts matching the filters (on load, on search, after every change)."""
    principal = current_principal()
    try:
        with unit_of_work() as s:  # accounts are not under row-level security
            found = service.list_accounts(s, principal, {"text": text, "role": role})
    except MinqingError as err:
        return [], view.error(_refused(err, "list"))
    return view.accounts_table(found, current_lang(), principal), view.list_status(
        found, current_lang()
    )


@callback(
    Output(Ids.PICK, "data"),
    Input({"type": Ids.ROW, "user": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def pick(_clicks: Any) -> dict[str, Any]:
    """The account whose "manage" button was clicked."""
    try:
        require(current_principal(), USERS_VIEW)
    except MinqingError as err:
        _refused(err, "pick")
        raise PreventUpdate from None
    trigger = ctx.triggered_id
    if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value"):
        return {"id": trigger.get("user"), "n": uuid.uuid4().hex}
    raise PreventUpdate  # the rows were drawn again (no click)


@callback(
    Output(Ids.DETAIL, "children"),
    Output(Ids.SEEN, "data"),
    Output(Ids.DETAIL_CARD, "className"),
    Output(Ids.EDIT_ROLE, "value"),
    Output(Ids.EDIT_AREA, "value"),
    Output(Ids.EDIT_DEPARTMENT, "value"),
    Input(Ids.PICK, "data"),
    Input(Ids.OUTCOME, "data"),
    prevent_initial_call=True,
)
def show_detail(picked: Any, outcome: Any) -> tuple[Any, ...]:
    """The chosen account (or the one just changed) as it is now, and that state as the
    forms' stamp."""
    principal = current_principal()
    chosen = outcome if ctx.triggered_id == Ids.OUTCOME else picked
    target = chosen.get("user", chosen.get("id")) if isinstance(chosen, dict) else None
    if target is None and ctx.triggered_id == Ids.OUTCOME:
        raise PreventUpdate
    try:
        with unit_of_work() as s:
            row = service.account_detail(s, principal, target)
    except MinqingError as err:
        return view.detail_error(_refused(err, "detail"))
    return view.detail_props(row, current_lang(), principal)


KEEP = (no_update, no_update)  # the new-account form's username and name


def _addr() -> str | None:
    return request.remote_addr


# One change per button; ``f`` holds the forms: new, edit, id and stamp of the chosen
# account (what the form was shown), the typed new password.
Action = Callable[[Session, Principal | None, dict[str, Any]], service.AccountChange]
ACTIONS: dict[str, Action] = {
    Ids.CREATE: lambda s, p, f: service.create_account(s, p, f["new"], client_addr=_addr()),
    Ids.DISABLE: lambda s, p, f: service.set_disabled(
        s, p, f["id"], True, seen=f["stamp"], client_addr=_addr()
    ),
    Ids.ENABLE: lambda s, p, f: service.set_disabled(
        s, p, f["id"], False, seen=f["stamp"], client_addr=_addr()
    ),
    Ids.UNLOCK: lambda s, p, f: service.unlock(s, p, f["id"], seen=f["stamp"], client_addr=_addr()),
    Ids.RESET: lambda s, p, f: service.reset_password(
        s, p, f["id"], f["password"], seen=f["stamp"], client_addr=_addr()
    ),
    Ids.SAVE: lambda s, p, f: service.change_permissions(
        s, p, f["id"], f["edit"], seen=f["stamp"], client_addr=_addr()
    ),
}


@callback(
    Output(Ids.MESSAGE, "children"),
    Output(Ids.SECRET, "children"),
    Output(Ids.OUTCOME, "data"),
    Output(Ids.NEW_PASSWORD, "value"),
    Output(Ids.RESET_PASSWORD, "value"),
    Output(Ids.NEW_USERNAME, "value"),
    Output(Ids.NEW_NAME, "value"),
    inputs={"_clicks": tuple(Input(cid, "n_clicks") for cid in ACTIONS)},
    state={
        "new": {
            "username": State(Ids.NEW_USERNAME, "value"),
            "display_name": State(Ids.NEW_NAME, "value"),
            "password": State(Ids.NEW_PASSWORD, "value"),
        },
        "edit": {
            "role": State(Ids.EDIT_ROLE, "value"),
            "area": State(Ids.EDIT_AREA, "value"),
            "department": State(Ids.EDIT_DEPARTMENT, "value"),
        },
        "seen": State(Ids.SEEN, "data"),
        "password": State(Ids.RESET_PASSWORD, "value"),
    },
    prevent_initial_call=True,
)
def act(_clicks: Any, new: Any, edit: Any, seen: Any, password: Any) -> tuple[Any, ...]:
    """Run the clicked button's change; say what happened (a generated password once).
    Typed passwords are cleared from the forms whatever the outcome; the new-account form
    once its account exists (kept after a refusal, to be corrected)."""
    trigger = ctx.triggered_id
    if trigger not in ACTIONS or not (ctx.triggered and ctx.triggered[0].get("value")):
        raise PreventUpdate
    shown = seen if isinstance(seen, dict) else {}
    forms = {"new": new, "edit": edit, "password": password}
    forms.update(id=shown.get("id"), stamp=shown.get("stamp"))
    try:
        with unit_of_work() as s:  # rolled back on a refusal
            change = ACTIONS[trigger](s, current_principal(), forms)
    except Conflict as err:  # changed meanwhile: show the account as it is now
        reload = _outcome(shown.get("id"))
        return view.error(_refused(err, trigger)), None, reload, "", "", *KEEP
    except MinqingError as err:
        return view.error(_refused(err, trigger)), None, no_update, "", "", *KEEP
    lang = current_lang()
    cleared = ("", "") if trigger == Ids.CREATE else KEEP
    outcome = _outcome(change.user_id)
    return view.done(change, lang), view.secret(change, lang), outcome, "", "", *cleared
