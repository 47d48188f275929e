"""The action form of an incident's handling block (处置).

It offers exactly the actions the server says this user may take, and preselects none:
the dropdown starts empty and 提交 stays disabled until an action is chosen and, where
the state machine requires one (``TRANSITIONS[action].needs_note``), a note is written.
Weighty or irreversible steps (:data:`CONFIRM`) take a second, explicit click: 提交
shows the question with 确认 / 取消, and only 确认 sends the step (the server takes such a
step from the 确认 button only, ``callbacks/map_flow.py``). The browser side of this is
``assets/js/flow.js``, driven by :func:`rules`; the server checks everything again on
submit (role, area, department, version, note).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from dash import dcc, html

from governance.attachments import MAX_BYTES as MAX_ATTACHMENT_BYTES
from governance.transitions import TRANSITIONS
from governance.workflow import NOTE_MAX
from i18n import t
from pages.map_ids import MapIds

NEEDS_DEPARTMENT: Final = ("dispatch", "transfer")
# a date: the extension asked for, or a suspension's expected end (optional)
NEEDS_UNTIL: Final = ("request_extension", "suspend")
# The steps forward come first in the list; returning, rejecting and the like after them.
FORWARD: Final = (
    "verify",
    "dispatch",
    "accept",
    "start",
    "resolve",
    "close",
    "resume",
    "approve_extension",
)
# Steps that close, discard, reopen or escalate a case: they need a second click.
CONFIRM: Final = frozenset({"close", "reject", "reopen", "merge", "escalate"})
MIN_NOTE: Final = 2  # governance/workflow.py: a required note has at least two characters


def ordered(actions: Sequence[str]) -> list[str]:
    return sorted(
        actions, key=lambda a: (a not in FORWARD, FORWARD.index(a) if a in FORWARD else 0)
    )


def needs_confirm(action: object) -> bool:
    """Does ``action`` (anything a request may carry) take the confirmation step?"""
    return isinstance(action, str) and action in CONFIRM


def needs_note(action: object) -> bool:
    spec = TRANSITIONS.get(action) if isinstance(action, str) else None
    return spec is not None and spec.needs_note


def ready(action: object, note: object, actions: Sequence[str]) -> bool:
    """May 提交 be pressed: an offered action chosen, with its note if it needs one?"""
    if not isinstance(action, str) or action not in actions:
        return False
    written = note.strip() if isinstance(note, str) else ""
    return not needs_note(action) or len(written) >= MIN_NOTE


def rules(actions: Sequence[str], lang: str) -> dict[str, Any]:
    """What ``assets/js/flow.js`` needs to gate the form, in the page's language."""
    labels = {a: t(f"action.{a}", lang) for a in actions}
    return {
        "actions": list(actions),
        "note": {
            a: t("flow.note_needed", lang, action=labels[a]) for a in actions if needs_note(a)
        },
        "confirm": {
            a: t("flow.confirm_question", lang, action=labels[a]) for a in actions if a in CONFIRM
        },
        "minNote": MIN_NOTE,
        "types": {
            "submit": MapIds.FLOW_SUBMIT_TYPE,
            "confirm": MapIds.FLOW_CONFIRM_TYPE,
            "cancel": MapIds.FLOW_CANCEL_TYPE,
        },
    }


def _shown(needed: bool) -> str:
    return "mq-flow-row" + ("" if needed else " mq-hidden")


def _params(
    incident_id: int,
    actions: Sequence[str],
    departments: Sequence[Mapping[str, Any]],
    suggestion: Mapping[str, Any],
    lang: str,
) -> list[Any]:
    """Every parameter input exists (the submit callback reads them all); the ones no
    offered action needs are hidden."""
    fid = MapIds.flow
    return [
        html.Label(
            [
                html.Span(t("flow.lead_department", lang), className="mq-field-label"),
                dcc.Dropdown(
                    id=fid(MapIds.FLOW_DEPT_TYPE, incident_id),
                    options=[{"label": d["name"], "value": d["id"]} for d in departments],
                    value=suggestion.get("lead"),
                    clearable=True,
                    placeholder=t("flow.lead_department", lang),
                    className="mq-flow-dept",
                ),
            ],
            className=_shown(any(a in NEEDS_DEPARTMENT for a in actions)),
        ),
        html.Label(
            [
                html.Span(t("flow.until", lang), className="mq-field-label"),
                dcc.Input(
                    id=fid(MapIds.FLOW_UNTIL_TYPE, incident_id),
                    type="text",
                    placeholder="YYYY-MM-DD HH:MM",
                    className="mq-flow-until",
                ),
            ],
            className=_shown(any(a in NEEDS_UNTIL for a in actions)),
        ),
        html.Label(
            [
                html.Span(t("flow.merge_into", lang), className="mq-field-label"),
                dcc.Input(
                    id=fid(MapIds.FLOW_INTO_TYPE, incident_id),
                    type="number",
                    min=1,
                    step=1,
                    className="mq-flow-into",
                ),
            ],
            className=_shown("merge" in actions),
        ),
    ]


def _upload(incident_id: int, lang: str) -> html.Div:
    fid = MapIds.flow
    max_mb = MAX_ATTACHMENT_BYTES // 2**20
    limit: dict[str, Any] = {  # assets/js/upload-limit.js: oversized files get a message
        "data-max-bytes": str(MAX_ATTACHMENT_BYTES),
        "data-too-large": t("attachment.error.too_large", lang, mb="{mb}", max_mb=max_mb),
        "data-message-target": json.dumps(fid(MapIds.FLOW_MESSAGE_TYPE, incident_id)),
    }
    return html.Div(
        dcc.Upload(
            html.Div(t("flow.attachment_drop", lang, max_mb=max_mb)),
            id=fid(MapIds.FLOW_FILE_TYPE, incident_id),
            accept="image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf",
            max_size=MAX_ATTACHMENT_BYTES,
            multiple=False,
            className="mq-flow-file",
        ),
        title=t("flow.attachment", lang),
        **limit,
    )


def form(
    incident_id: int,
    flow: Mapping[str, Any],
    departments: Sequence[Mapping[str, Any]],
    lang: str,
    keep: Mapping[str, Any] | None = None,
) -> html.Div:
    """The action form; ``keep`` holds what the user chose before a refusal (the action,
    note and parameters stay as they were, so a corrected resubmit does what was meant).
    Nothing else is ever chosen for the user."""
    actions = ordered(list(flow.get("actions") or []))
    keep = keep or {}
    fid = MapIds.flow
    chosen = keep.get("action") if keep.get("action") in actions else None
    note = keep.get("note") if isinstance(keep.get("note"), str) else ""
    needs = sorted(a for a in actions if needs_note(a))
    return html.Div(
        [
            dcc.Dropdown(
                id=fid(MapIds.FLOW_ACTION_TYPE, incident_id),
                options=[{"label": t(f"action.{a}", lang), "value": a} for a in actions],
                value=chosen,
                clearable=False,
                searchable=False,
                placeholder=t("flow.choose_action", lang),
                className="mq-flow-action",
            ),
            *_params(incident_id, actions, departments, flow.get("suggestion") or {}, lang),
            _upload(incident_id, lang),
            dcc.Textarea(
                id=fid(MapIds.FLOW_NOTE_TYPE, incident_id),
                value=note,
                maxLength=NOTE_MAX,
                placeholder=t("flow.note", lang),
                className="mq-flow-note",
                title=t(
                    "flow.note_required_for",
                    lang,
                    actions="、".join(t(f"action.{a}", lang) for a in needs) or "—",
                ),
            ),
            html.Div(id=fid(MapIds.FLOW_HINT_TYPE, incident_id), className="mq-flow-hint"),
            html.Button(
                t("flow.submit", lang),
                id=fid(MapIds.FLOW_SUBMIT_TYPE, incident_id),
                n_clicks=0,
                disabled=not ready(chosen, note, actions),
                className="mq-flow-submit",
            ),
            html.Div(
                [
                    html.Button(
                        t("flow.confirm", lang),
                        id=fid(MapIds.FLOW_CONFIRM_TYPE, incident_id),
                        n_clicks=0,
                        disabled=True,
                        className="mq-flow-confirm-yes",
                    ),
                    html.Button(
                        t("flow.cancel", lang),
                        id=fid(MapIds.FLOW_CANCEL_TYPE, incident_id),
                        n_clicks=0,
                        className="mq-flow-confirm-no",
                    ),
                ],
                id=fid(MapIds.FLOW_CONFIRM_BOX_TYPE, incident_id),
                className="mq-flow-confirm mq-hidden",
                role="group",
            ),
            dcc.Store(id=fid(MapIds.FLOW_RULES_TYPE, incident_id), data=rules(actions, lang)),
        ],
        className="mq-flow-form",
    )
