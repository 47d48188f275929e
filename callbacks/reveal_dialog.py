"""The reveal dialog's one callback (pages/reveal_dialog.py): a key person's identity or
an incident's reporter in clear, for one view, with a typed reason.

Registered once for every dialog: the ids' ``kind`` picks the service and the view from
:data:`KINDS`. The service checks the role, the area scope and the reason and writes the
audit record; a refusal becomes a message under the form (audited when forbidden); the
clear view lives in that dialog's container only (no store, no URL).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

from dash import MATCH, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate
from flask import request

from governance import incidents as incident_service
from governance import persons as person_service
from governance.errors import MinqingError, NotFound
from governance.uow import unit_of_work
from i18n import current_lang
from pages import map_person, map_reporter
from pages.reveal_dialog import RevealDialog
from web.security import audit_denied, current_principal

log = logging.getLogger(__name__)


class Kind(NamedTuple):
    """What a dialog of one kind reveals, and how it is drawn."""

    noun: str  # names the object in the log and in the audit record of a refusal
    service: Callable[..., dict[str, Any]]  # (s, id, reason, lang, *, principal, client_addr)
    view: Callable[[Mapping[str, Any], str], list[Any]]  # the clear view's contents


KINDS: Final[Mapping[str, Kind]] = {
    map_person.KIND: Kind("person", person_service.reveal, map_person.person_view),
    map_reporter.KIND: Kind(
        "incident", incident_service.reveal_reporter, map_reporter.reporter_view
    ),
}
_ids = RevealDialog.ids


def _matching(part: str) -> dict[str, Any]:
    return _ids.part(part, MATCH, MATCH)


@callback(
    output=dict(
        view=Output(_matching(_ids.VIEW), "children"),
        message=Output(_matching(_ids.MESSAGE), "children"),
    ),
    inputs=dict(
        clicks=Input(_matching(_ids.BUTTON), "n_clicks"),
        submits=Input(_matching(_ids.REASON), "n_submit"),
    ),
    state=dict(reason=State(_matching(_ids.REASON), "value")),
    prevent_initial_call=True,
)
def reveal(clicks: Any, submits: Any, reason: Any) -> dict[str, Any]:
    """A "show in clear" click (or Enter in the reason) on the object the trigger names."""
    trigger = ctx.triggered_id
    kind = trigger.get("kind") if isinstance(trigger, dict) else None
    if not (clicks or submits) or not isinstance(kind, str) or kind not in KINDS:
        raise PreventUpdate
    lang, spec = current_lang(), KINDS[kind]
    what = f"reveal {spec.noun} {str(trigger.get('object'))[:40]}"
    who = current_principal()
    try:
        with unit_of_work(who) as s:  # the clear view and its audit record: one transaction
            shown = spec.service(
                s,
                _int_id(trigger.get("object")),
                reason if isinstance(reason, str) else "",
                lang,
                principal=who,
                client_addr=request.remote_addr,
            )
    except MinqingError as err:
        log.info("%s: %s", what, err.key, exc_info=True)
        if err.status == 403:
            audit_denied(what, err.key)
        return {"view": no_update, "message": RevealDialog.error(err.user_message(lang))}
    return {"view": spec.view(shown, lang), "message": no_update}


def _int_id(raw: Any) -> int:
    """A person or incident id from a (possibly hand-made) component id."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise NotFound("error.not_found", what=str(raw)[:40]) from None
