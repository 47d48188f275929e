"""The apply step of the closed loop: one checked action on one incident, in the
caller's transaction (``governance/workflow.py`` opens it and validates the request).

:func:`apply` locks the incident row and checks the area scope, the lead department, the
version the client saw (a stale version is a 409 that changes nothing) and the state
(:func:`governance.transitions.allowed_actions`); then it works out what the action
changes (:func:`changes`: departments and deadlines on dispatch, the moved deadlines on
resume, ...), updates the incident, appends a timeline event (with its attachment),
records the change in the audit trail and notifies live listeners
(``pg_notify('incident_changed', ...)``, sent at commit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from geodata.queries import notify, timeline
from geodata.queries import workflow as q
from governance import attachments, audit, sla
from governance import workflow_params as wp
from governance.access import Principal, require_area
from governance.attachments import Attachment
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.filters import LOCAL_TZ
from governance.transitions import Transition, allowed_actions, target

MAX_EXTENSION_DAYS = 30


def load(session: Session, incident_id: int, *, lock: bool) -> dict[str, Any]:
    """The incident's handling row (:func:`geodata.queries.workflow.incident_row`);
    a 404 when there is none in the session's scope."""
    row = q.incident_row(session, incident_id, lock=lock)
    if row is None:
        raise NotFound("error.not_found", what=f"incident {incident_id}")
    return row


def _department_ids(session: Session, raw: object, name: str) -> list[int]:
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > wp.MAX_ASSIST + 1:
        raise InvalidInput("error.unknown_department", value=str(raw)[:40])
    ids = [wp.department_id(item) for item in items]
    known = q.known_departments(session, ids)
    missing = [i for i in ids if i not in known]
    if missing:
        raise InvalidInput("error.unknown_department", value=", ".join(map(str, missing)))
    return list(dict.fromkeys(ids))


def suggest_departments(session: Session, category: str, grid_code: str | None) -> dict[str, Any]:
    """The routing suggestion (lead and assisting departments) for a category at a place:
    the most specific routing rule (longest area prefix, category before catch-all),
    else the department of the category or of its parent group."""
    rule = q.routing_rule(session, category, grid_code)
    if rule is not None:
        lead, assist, rule_id = rule
        return {"lead": lead, "assist": assist, "rule_id": rule_id}
    return {"lead": q.category_department(session, category), "assist": [], "rule_id": None}


def _parse_until(raw: object, row: Mapping[str, Any], now: datetime) -> datetime:
    until = wp.until(raw)
    current = row["resolve_due_at"] or now
    if until <= current or until > current + timedelta(days=MAX_EXTENSION_DAYS):
        raise InvalidInput("error.extension_range", days=MAX_EXTENSION_DAYS)
    return until


def _suspend_until(
    session: Session, raw: object, row: Mapping[str, Any], now: datetime
) -> datetime:
    """When a suspension is expected to end: after now, within the policy's limit."""
    until = wp.until(raw)
    limit = sla.policy_for(session, row["category_code"], row["priority"]).max_suspend_days
    if until <= now or until > now + timedelta(days=limit):
        raise InvalidInput("error.suspend_range", days=limit)
    return until


def _moved(row: Mapping[str, Any], shift: sla.Shift) -> dict[str, Any]:
    """The timeline's account of a resume: how long the clocks stood, and each deadline
    from and to (shown as "deadline moved from ... to ... after N working hours")."""
    out: dict[str, Any] = {"paused_working_hours": round(shift.working_seconds / 3600, 1)}
    for name, new in (
        ("accept_due_at", shift.accept_due_at),
        ("resolve_due_at", shift.resolve_due_at),
    ):
        if row[name] is not None and new is not None:
            out[name] = {"from": row[name].isoformat(), "to": new.isoformat()}
    return out


def changes(
    session: Session,
    action: str,
    row: Mapping[str, Any],
    params: Mapping[str, Any],
    principal: Principal,
    now: datetime,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(column -> new value, event detail) for ``action`` on ``row``."""
    sets: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    if action in ("dispatch", "transfer"):
        suggestion = suggest_departments(session, row["category_code"], row["grid_code"])
        raw_lead = params.get("lead_department_id") or suggestion["lead"]
        if raw_lead is None:
            raise InvalidInput("error.lead_required")
        (lead,) = _department_ids(session, raw_lead, "lead_department_id")
        if action == "transfer" and lead == row["lead_department_id"]:
            raise InvalidInput("error.transfer_same_department")
        assist_raw = params.get("assist_department_ids")
        if assist_raw is None:
            assist_raw = suggestion["assist"] if lead == suggestion["lead"] else []
        assist = [d for d in _department_ids(session, assist_raw or [], "assist") if d != lead]
        accept_due, resolve_due = sla.due_dates(session, row["category_code"], row["priority"], now)
        sets |= {
            "lead_department_id": lead,
            "assist_department_ids": assist,
            "dispatched_at": now,
            "accepted_at": None,
            "accept_due_at": accept_due,
            "resolve_due_at": resolve_due,
            "extension_requested_until": None,
        }
        detail |= {
            "lead_department_id": lead,
            "assist_department_ids": assist,
            "suggested": suggestion["lead"],
            "overridden": lead != suggestion["lead"],
            "accept_due_at": accept_due.isoformat(),
            "resolve_due_at": resolve_due.isoformat(),
        }
    elif action == "accept":
        sets["accepted_at"] = now
    elif action == "return":
        sets |= {"lead_department_id": None, "assist_department_ids": [], "accepted_at": None}
        detail["returned_by"] = row["lead_department_id"]
    elif action == "escalate":
        sets["escalation_level"] = row["escalation_level"] + 1
        detail["level"] = row["escalation_level"] + 1
    elif action == "request_extension":
        until = _parse_until(params.get("until"), row, now)
        sets["extension_requested_until"] = until
        detail["until"] = until.isoformat()
    elif action == "approve_extension":
        sets |= {
            "resolve_due_at": row["extension_requested_until"],
            "extension_requested_until": None,
        }
        detail["until"] = row["extension_requested_until"].isoformat()
    elif action == "deny_extension":
        sets["extension_requested_until"] = None
    elif action == "resolve":
        sets["resolved_at"] = now
    elif action == "suspend":
        sets |= {"suspended_from": row["status"], "suspended_at": now}
        if params.get("until") is not None:  # the expected end, within the policy's limit
            detail["until"] = _suspend_until(session, params.get("until"), row, now).isoformat()
    elif action == "resume":
        # an accepted case's accept-by is history: only a clock still running moves
        waiting = row["accepted_at"] is None
        shift = sla.shifted(
            session,
            row["suspended_at"] or now,
            now,
            row["accept_due_at"] if waiting else None,
            row["resolve_due_at"],
        )
        sets |= {"suspended_from": None, "suspended_at": None}
        sets |= {"resolve_due_at": shift.resolve_due_at}
        if waiting:
            sets["accept_due_at"] = shift.accept_due_at
        detail |= _moved(row, shift)
    elif action == "close":
        sets["closed_at"] = now
    elif action in ("fail_verification", "reopen"):
        sets |= {"reopen_count": row["reopen_count"] + 1, "resolved_at": None, "closed_at": None}
    elif action == "merge":
        into = wp.incident_ref(params.get("into"))
        if into == row["id"]:
            raise InvalidInput("error.merge_target")
        merged_into = q.status_and_grid(session, into)
        if merged_into is None or merged_into[0] in ("merged", "rejected"):
            raise InvalidInput("error.merge_target")
        require_area(principal, merged_into[1] or "")
        sets["merged_into_id"] = into
        detail["into"] = into
    return sets, detail


def notify_change(session: Session, payload: Mapping[str, Any]) -> None:
    """Tell live maps of the change (``{id, status, version, action}``) at commit."""
    notify.incident_changed(session, json.dumps(payload, default=str))


def apply(
    s: Session,
    who: Principal,
    incident_id: int,
    action: str,
    spec: Transition,
    *,
    params: Mapping[str, Any],
    attachment: Attachment | None,
    expected_version: int,
    text_note: str | None,
    client_addr: str | None,
) -> dict[str, Any]:
    """Apply ``action`` (its row of the table: ``spec``) to the incident as ``who``, who
    holds the action's capability (checked by the caller, with the note); returns its
    ``id``, new ``status`` and ``version`` and the timeline's ``event_id``. Raises the
    domain error of the first check that fails; the caller's transaction must then roll
    back (nothing of the step is kept)."""
    row = load(s, incident_id, lock=True)
    require_area(who, row["grid_code"] or "")
    if spec.lead_only and (
        who.department_id is None or who.department_id != row["lead_department_id"]
    ):
        raise Forbidden("error.not_lead_department")
    if row["version"] != expected_version:
        raise Conflict("error.stale_version", current_version=row["version"])
    if row["status"] not in spec.sources or action not in allowed_actions(who, row):
        raise InvalidInput("error.illegal_transition", action=action, status=row["status"])
    now = datetime.now(LOCAL_TZ)
    sets, detail = changes(s, action, row, params, who, now)
    to = target(action, spec, row)
    sets["status"] = to
    version = q.update_incident(s, row["id"], sets)
    event_id = timeline.add_event(
        s,
        incident_id=row["id"],
        action=action,
        from_status=row["status"],
        to_status=to,
        version=version,
        actor_user_id=who.user_id or None,
        actor_name=who.display_name,
        actor_role=who.role,
        actor_department_id=who.department_id,
        note=text_note,
        detail=detail or None,
    )
    logged: dict[str, Any] = {"transition": action, "from": row["status"], "to": to}
    logged["version"] = version
    if attachment is not None:
        file_id = attachments.store(s, row["id"], event_id, attachment)
        logged["attachment"] = {"id": file_id, "size": len(attachment.data)}
    audit.record(
        s,
        action="data_change",
        user_id=who.user_id or None,
        username=who.username,
        role=who.role,
        object_type="incident",
        object_id=row["id"],
        client_addr=client_addr,
        detail=logged,
    )
    notify_change(s, {"id": row["id"], "status": to, "version": version, "action": action})
    return {"id": row["id"], "status": to, "version": version, "event_id": event_id}
