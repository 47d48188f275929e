"""The handling block of an incident panel (处置): SLA clock, departments, the actions this
user may take, and the timeline.

Pure functions from ``governance.incidents.incident_detail(...)["workflow"]`` to Dash
components. The form offers exactly the actions the server says this user may take; the
server checks again on submit (role, area, department, version), so a stale or
hand-made form changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from dash import dcc, html

from governance.attachments import MAX_BYTES as MAX_ATTACHMENT_BYTES
from governance.filters import LOCAL_TZ
from governance.workflow import NOTE_MAX, TRANSITIONS
from i18n import t
from pages.map_ids import MapIds

TIME = "%m-%d %H:%M"
NEEDS_DEPARTMENT = ("dispatch", "transfer")
# The step forward comes first in the list (and is preselected); returning, rejecting
# and the like come after it, so the default never sends a case backwards.
FORWARD = (
    "verify",
    "dispatch",
    "accept",
    "start",
    "resolve",
    "close",
    "resume",
    "approve_extension",
)


def ordered(actions: Sequence[str]) -> list[str]:
    return sorted(
        actions, key=lambda a: (a not in FORWARD, FORWARD.index(a) if a in FORWARD else 0)
    )


def _local(value: Any, fmt: str = TIME) -> str:
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime(fmt)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime(fmt)
        except ValueError:
            return value
    return "—"


def _dept_name(dept_id: Any, names: Mapping[int, str]) -> str:
    return names.get(dept_id, "—") if isinstance(dept_id, int) else "—"


def sla_chip(clock: Mapping[str, Any] | None, lang: str) -> html.Span | None:
    """Red / amber / green: which deadline, when, and how it stands."""
    if not clock:
        return None
    state = str(clock.get("state"))
    return html.Span(
        [
            html.Span(t(f"sla.{clock.get('stage')}", lang), className="mq-sla-stage"),
            html.Span(_local(clock.get("due_at")), className="mq-sla-due"),
            html.Span(t(f"sla.{state}", lang), className="mq-sla-state"),
        ],
        className=f"mq-chip mq-sla mq-sla-{state}",
    )


def timeline(events: Sequence[Mapping[str, Any]], lang: str) -> html.Ol:
    items = []
    for e in events:
        who = e.get("department_en" if lang == "en" else "department_zh") or (
            t(f"role.{e['actor_role']}", lang) if e.get("actor_role") in _ROLES else ""
        )
        items.append(
            html.Li(
                [
                    html.Span(_local(e.get("at")), className="mq-tl-time"),
                    html.Span(t(f"action.{e.get('action')}", lang), className="mq-tl-action"),
                    html.Span(who, className="mq-tl-who"),
                    html.Div(e.get("note") or "", className="mq-tl-note")
                    if e.get("note")
                    else None,
                    _files(e.get("attachments") or []),
                ],
                className=f"mq-tl-item mq-tl-{e.get('action')}",
            )
        )
    return html.Ol(items, className="mq-timeline")


def _files(files: Sequence[Mapping[str, Any]]) -> html.Div | None:
    """Links to a step's attached files (served to staff only, each opening audited)."""
    if not files:
        return None
    links = [
        html.A(
            f"📎 {f['filename']}",
            href=f"/api/v1/attachments/{int(f['id'])}",
            target="_blank",
            rel="noopener",
            className="mq-tl-file",
        )
        for f in files
    ]
    return html.Div(links, className="mq-tl-files")


_ROLES = {"commander", "supervisor", "grid_worker", "dept_staff", "system", "resident", "token"}


def _form(
    incident_id: int,
    flow: Mapping[str, Any],
    departments: Sequence[Mapping[str, Any]],
    lang: str,
    keep: Mapping[str, Any] | None = None,
) -> html.Div:
    """The action form; ``keep`` holds what the user chose before a refusal (the action,
    note and parameters stay as they were, so a corrected resubmit does what was meant)."""
    actions = ordered(list(flow.get("actions") or []))
    keep = keep or {}
    fid = MapIds.flow
    suggestion = flow.get("suggestion") or {}
    parts: list[Any] = [
        dcc.Dropdown(
            id=fid(MapIds.FLOW_ACTION_TYPE, incident_id),
            options=[{"label": t(f"action.{a}", lang), "value": a} for a in actions],
            value=keep["action"] if keep.get("action") in actions else actions[0],
            clearable=False,
            searchable=False,
            className="mq-flow-action",
        )
    ]

    # Every input exists (the submit callback reads them all); the ones no offered action
    # needs are hidden.
    def shown(needed: bool) -> str:
        return "mq-flow-row" + ("" if needed else " mq-hidden")

    parts.append(
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
            className=shown(any(a in NEEDS_DEPARTMENT for a in actions)),
        )
    )
    parts.append(
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
            className=shown("request_extension" in actions),
        )
    )
    parts.append(
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
            className=shown("merge" in actions),
        )
    )
    needs_note = sorted(a for a in actions if TRANSITIONS[a].needs_note)
    max_mb = MAX_ATTACHMENT_BYTES // 2**20
    limit: dict[str, Any] = {  # assets/js/upload-limit.js: oversized files get a message
        "data-max-bytes": str(MAX_ATTACHMENT_BYTES),
        "data-too-large": t("attachment.error.too_large", lang, mb="{mb}", max_mb=max_mb),
        "data-message-target": json.dumps(fid(MapIds.FLOW_MESSAGE_TYPE, incident_id)),
    }
    parts.append(
        html.Div(
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
    )
    parts += [
        dcc.Textarea(
            id=fid(MapIds.FLOW_NOTE_TYPE, incident_id),
            value=keep.get("note") or "",
            maxLength=NOTE_MAX,
            placeholder=t("flow.note", lang),
            className="mq-flow-note",
            title=t(
                "flow.note_required_for",
                lang,
                actions="、".join(t(f"action.{a}", lang) for a in needs_note) or "—",
            ),
        ),
        html.Button(
            t("flow.submit", lang),
            id=fid(MapIds.FLOW_SUBMIT_TYPE, incident_id),
            n_clicks=0,
            className="mq-flow-submit",
        ),
    ]
    return html.Div(parts, className="mq-flow-form")


def flow_view(
    detail: Mapping[str, Any],
    departments: Sequence[Mapping[str, Any]],
    lang: str,
    message: Any = None,
    keep: Mapping[str, Any] | None = None,
) -> list[Any]:
    """The contents of the handling block (replaced whole after each action; ``keep``:
    the form's values to restore after a refusal)."""
    flow: Mapping[str, Any] = detail.get("workflow") or {}
    incident_id = int(detail["id"])
    names = {int(d["id"]): str(d["name"]) for d in departments}
    assists = [_dept_name(d, names) for d in flow.get("assist_department_ids") or []]
    fields = [
        html.Div(
            [
                html.Span(t("flow.lead_department", lang), className="mq-field-label"),
                html.Span(
                    _dept_name(flow.get("lead_department_id"), names), className="mq-field-value"
                ),
            ],
            className="mq-field mq-flow-lead",
        )
    ]
    if assists:
        fields.append(
            html.Div(
                [
                    html.Span(t("flow.assist_departments", lang), className="mq-field-label"),
                    html.Span("、".join(assists), className="mq-field-value"),
                ],
                className="mq-field mq-flow-assist",
            )
        )
    if flow.get("extension_requested_until"):
        fields.append(
            html.Div(
                t("flow.extension_pending", lang, until=_local(flow["extension_requested_until"])),
                className="mq-note mq-flow-extension",
            )
        )
    if flow.get("escalation_level"):
        fields.append(
            html.Div(
                t("flow.escalated", lang, n=flow["escalation_level"]),
                className="mq-note mq-flow-escalated",
            )
        )
    body: list[Any] = [
        html.H3(
            [t("flow.title", lang), sla_chip(flow.get("sla"), lang)],
            className="mq-block-title mq-flow-title",
        ),
        html.Div(fields, className="mq-fields"),
        dcc.Store(id=MapIds.flow(MapIds.FLOW_VERSION_TYPE, incident_id), data=flow.get("version")),
    ]
    if flow.get("actions"):
        body.append(_form(incident_id, flow, departments, lang, keep))
    body.append(
        html.Div(
            message,
            id=MapIds.flow(MapIds.FLOW_MESSAGE_TYPE, incident_id),
            className="mq-flow-message",
            role="status",
        )
    )
    body.append(_timeline_block(flow.get("timeline") or [], lang))
    return body


def _timeline_block(events: Sequence[Mapping[str, Any]], lang: str) -> html.Div:
    return html.Div(
        [html.H4(t("flow.timeline", lang), className="mq-flow-subtitle"), timeline(events, lang)],
        className="mq-flow-timeline",
    )


def flow_panel(
    detail: Mapping[str, Any], departments: Sequence[Mapping[str, Any]], lang: str
) -> list[Any]:
    """The block appended to an incident panel."""
    if not detail.get("workflow"):
        return []
    return [
        html.Section(
            flow_view(detail, departments, lang),
            id=MapIds.flow(MapIds.FLOW_TYPE, int(detail["id"])),
            className="mq-block mq-block-flow",
        )
    ]


def done(message: str) -> html.Div:
    return html.Div(message, className="mq-ok")


def error(message: str) -> html.Div:
    return html.Div(message, className="mq-error")
