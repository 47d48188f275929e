"""The handling block of an incident panel (处置): SLA clock, departments, the actions this
user may take (``pages/map_flow_form.py``) and the timeline; and the panel's status badge.

Pure functions from ``governance.incidents.incident_detail(...)["workflow"]`` to Dash
components. The badge, the actions and the timeline are all drawn from that one read
(``workflow.incident_state``) and redrawn together after every step, so the badge never
lags behind the timeline. The server checks every step again on submit (role, area,
department, version), so a stale or hand-made form changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from dash import dcc, html

from governance.filters import LOCAL_TZ
from i18n import t
from layers import incidents as incident_layer
from pages.map_flow_form import form
from pages.map_ids import MapIds
from pages.map_sla import local as _local
from pages.map_sla import paused_chip, sla_chip

STATUSES: Final = frozenset(incident_layer.STATUSES)  # the statuses the map knows


def _dept_name(dept_id: Any, names: Mapping[int, str]) -> str:
    return names.get(dept_id, "—") if isinstance(dept_id, int) else "—"


def status_label(status: Any, lang: str) -> str:
    return t(f"status.{status}", lang) if status in STATUSES else "—"


def status_class(status: Any) -> str:
    return f"mq-chip mq-status mq-status-{status if status in STATUSES else 'unknown'}"


def status_badge(incident_id: int, status: Any, lang: str) -> html.Span:
    """The panel's status chip, with an id so that each step redraws it with the block
    (``data-status``: the status it shows, for tests and styles)."""
    return html.Span(
        status_label(status, lang),
        id=MapIds.flow(MapIds.FLOW_STATUS_TYPE, incident_id),
        className=status_class(status),
        **{"data-status": status if status in STATUSES else ""},  # type: ignore[arg-type]
    )


def _number(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return "?"
    return f"{raw:g}"


def _moved(detail: Mapping[str, Any], to_status: Any, lang: str) -> str | None:
    """A resume's account: "deadline moved from ... to ... after N working hours", for
    the deadline whose clock runs again (accept-by for a case waiting to be accepted)."""
    keys = ("accept_due_at", "resolve_due_at")
    for key in keys if to_status == "dispatched" else keys[::-1]:
        moved = detail.get(key)
        if isinstance(moved, Mapping) and moved.get("from") and moved.get("to"):
            return t(
                "flow.deadline_moved",
                lang,
                old=_local(moved.get("from")),
                new=_local(moved.get("to")),
                hours=_number(detail.get("paused_working_hours")),
            )
    return None


def event_detail(e: Mapping[str, Any], lang: str) -> str | None:
    """What a step's recorded detail adds to the timeline, in words (None: nothing)."""
    detail = e.get("detail")
    if not isinstance(detail, Mapping):
        return None
    action = e.get("action")
    if action == "resume":
        return _moved(detail, e.get("to_status"), lang)
    if action == "suspend" and detail.get("until"):
        return t("flow.suspend_until", lang, until=_local(detail.get("until")))
    if action == "review" and detail.get("stage") == "suspension":
        return t("flow.review_after", lang, days=_number(detail.get("max_days")))
    return None


def timeline(events: Sequence[Mapping[str, Any]], lang: str) -> html.Ol:
    items = []
    for e in events:
        who = e.get("department_en" if lang == "en" else "department_zh") or (
            t(f"role.{e['actor_role']}", lang) if e.get("actor_role") in _ROLES else ""
        )
        extra = event_detail(e, lang)
        to_status = e.get("to_status")
        items.append(
            html.Li(
                [
                    html.Span(_local(e.get("at")), className="mq-tl-time"),
                    html.Span(t(f"action.{e.get('action')}", lang), className="mq-tl-action"),
                    html.Span(who, className="mq-tl-who"),
                    html.Div(extra, className="mq-tl-detail") if extra else None,
                    html.Div(e.get("note") or "", className="mq-tl-note")
                    if e.get("note")
                    else None,
                    _files(e.get("attachments") or []),
                ],
                className=f"mq-tl-item mq-tl-{e.get('action')}",
                **{"data-to": to_status if to_status in STATUSES else ""},  # type: ignore[arg-type]
            )
        )
    return html.Ol(items, className="mq-timeline")


_DECORATION: dict[str, Any] = {"aria-hidden": "true"}  # an icon beside its text


def _files(files: Sequence[Mapping[str, Any]]) -> html.Div | None:
    """Links to a step's attached files (served to staff only, each opening audited)."""
    if not files:
        return None
    links = [
        html.A(
            [html.Span(className="mq-icon mq-icon-clip", **_DECORATION), f["filename"]],
            href=f"/api/v1/attachments/{int(f['id'])}",
            target="_blank",
            rel="noopener",
            className="mq-tl-file",
        )
        for f in files
    ]
    return html.Div(links, className="mq-tl-files")


_ROLES = {"commander", "supervisor", "grid_worker", "dept_staff", "system", "resident", "token"}


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
            [t("flow.title", lang), _clock(flow, lang)],
            className="mq-block-title mq-flow-title",
        ),
        html.Div(fields, className="mq-fields"),
        dcc.Store(id=MapIds.flow(MapIds.FLOW_VERSION_TYPE, incident_id), data=flow.get("version")),
    ]
    if flow.get("actions"):
        body.append(form(incident_id, flow, departments, lang, keep))
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


def _clock(flow: Mapping[str, Any], lang: str) -> html.Span | None:
    """The running clock's chip, or the grey one of a suspended case (no clock runs)."""
    if flow.get("status") == "suspended":
        return paused_chip(None, datetime.now(LOCAL_TZ), lang)
    return sla_chip(flow.get("sla"), lang)


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
