"""The closed loop (GB/T 30428): register -> verify -> dispatch -> accept -> handle ->
resolve -> verify and close -> evaluate, with transfer, return, escalation, extension,
suspension, merging and reopening.

The state machine is a table, :data:`governance.transitions.TRANSITIONS`: for each
action, the states it may start from, the state it leads to, the capability it needs,
whether only the lead department may take it, and whether a note (a reason) is
required. :func:`transition` applies one action in one transaction: it locks the
incident row, checks the capability, the area scope, the department and the version the
client saw (a stale version is a 409 that changes nothing), updates the incident,
appends a timeline event, records the change in the audit trail and notifies listeners
(``pg_notify('incident_changed', ...)``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, session_scope
from geodata.listen import INCIDENT_CHANNEL as NOTIFY_CHANNEL
from geodata.queries import timeline
from governance import attachments, audit, sla
from governance import workflow_params as wp
from governance.access import Principal, require, require_area
from governance.attachments import Attachment
from governance.errors import Conflict, Forbidden, InvalidInput, NotFound
from governance.filters import LOCAL_TZ
from governance.transitions import (  # the state machine, as data
    ACTIONS,
    TRANSITIONS,
    Transition,
)

NOTE_MAX = wp.NOTE_MAX
MAX_EXTENSION_DAYS = 30

_ROW_SQL = """
    SELECT i.id, i.status, i.version, i.category_code, i.priority, i.grid_id,
           g.code AS grid_code, i.lead_department_id, i.assist_department_ids,
           i.escalation_level, i.suspended_from, i.suspended_at, i.extension_requested_until,
           i.resolve_due_at, i.accept_due_at, i.dispatched_at, i.accepted_at, i.reopen_count
    FROM incident i LEFT JOIN area g ON g.id = i.grid_id
    WHERE i.id = :id
"""


def _load(session: Session, incident_id: int, *, lock: bool) -> dict[str, Any]:
    row = (
        session.execute(text(_ROW_SQL + (" FOR UPDATE OF i" if lock else "")), {"id": incident_id})
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("error.not_found", what=f"incident {incident_id}")
    return dict(row)


def _may(principal: Principal, spec: Transition, row: Mapping[str, Any]) -> bool:
    """Capability, area scope and department (not the state)."""
    if not principal.can(spec.capability):
        return False
    if not principal.covers(row["grid_code"] or ""):
        return False
    return not spec.lead_only or (
        principal.department_id is not None and principal.department_id == row["lead_department_id"]
    )


def _pending_extension(row: Mapping[str, Any]) -> bool:
    return row["extension_requested_until"] is not None


def allowed_actions(principal: Principal | None, row: Mapping[str, Any]) -> list[str]:
    """The actions ``principal`` may take on the incident now, in TRANSITIONS order."""
    if principal is None:
        return []
    out = []
    for action, spec in TRANSITIONS.items():
        if row["status"] not in spec.sources or not _may(principal, spec, row):
            continue
        pending = _pending_extension(row)
        if action in ("approve_extension", "deny_extension") and not pending:
            continue
        if action == "request_extension" and pending:
            continue
        out.append(action)
    return out


def _note(raw: object, required: bool) -> str | None:
    """The step's note through the normaliser (clean multi-line text, bounded); a note
    that is required needs two characters."""
    note = wp.note(raw) or ""
    if required and len(note) < 2:
        raise InvalidInput("error.note_required")
    return note or None


def _department_ids(session: Session, raw: object, name: str) -> list[int]:
    items = raw if isinstance(raw, list) else [raw]
    if len(items) > wp.MAX_ASSIST + 1:
        raise InvalidInput("error.unknown_department", value=str(raw)[:40])
    ids = [wp.department_id(item) for item in items]
    known = {
        r[0]
        for r in session.execute(
            text("SELECT id FROM department WHERE id = ANY(:ids)"), {"ids": ids}
        )
    }
    missing = [i for i in ids if i not in known]
    if missing:
        raise InvalidInput("error.unknown_department", value=", ".join(map(str, missing)))
    return list(dict.fromkeys(ids))


def suggest_departments(session: Session, category: str, grid_code: str | None) -> dict[str, Any]:
    """The routing suggestion (lead and assisting departments) for a category at a place:
    the most specific routing rule (longest area prefix, category before catch-all),
    else the department of the category or of its parent group."""
    row = session.execute(
        text("""
        SELECT lead_department_id, assist_department_ids, id FROM routing_rule
        WHERE (category_code = :c OR category_code IS NULL)
          AND (area_code IS NULL OR starts_with(coalesce(:g, ''), area_code))
        ORDER BY length(coalesce(area_code, '')) DESC, category_code IS NULL LIMIT 1"""),
        {"c": category, "g": grid_code},
    ).first()
    if row is not None:
        return {"lead": row[0], "assist": list(row[1] or []), "rule_id": row[2]}
    dept = session.execute(
        text("""SELECT coalesce(c.department_id, p.department_id) FROM incident_category c
                LEFT JOIN incident_category p ON p.code = c.parent_code WHERE c.code = :c"""),
        {"c": category},
    ).scalar()
    return {"lead": dept, "assist": [], "rule_id": None}


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


def _changes(
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
        target = session.execute(
            text("""SELECT i.status, g.code FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                    WHERE i.id = :id"""),
            {"id": into},
        ).first()
        if target is None or target[0] in ("merged", "rejected"):
            raise InvalidInput("error.merge_target")
        require_area(principal, target[1] or "")
        sets["merged_into_id"] = into
        detail["into"] = into
    return sets, detail


def _target(action: str, spec: Transition, row: Mapping[str, Any]) -> str:
    if action == "resume":
        return str(row["suspended_from"] or "dispatched")
    return spec.target or str(row["status"])


def _notify(session: Session, payload: Mapping[str, Any]) -> None:
    session.execute(
        text("SELECT pg_notify(:ch, :p)"),
        {"ch": NOTIFY_CHANNEL, "p": json.dumps(payload, default=str)},
    )


@dataclass(frozen=True)
class Step:
    """One action of :func:`transition_steps` (``note``, ``params``, ``attachment`` as in
    :func:`transition`)."""

    action: str
    note: object = None
    params: Mapping[str, Any] | None = None
    attachment: Attachment | None = None


def transition(
    incident_id: int,
    action: str,
    *,
    expected_version: object,
    principal: Principal | None,
    note: object = None,
    params: Mapping[str, Any] | None = None,
    client_addr: str | None = None,
    attachment: Attachment | None = None,
) -> dict[str, Any]:
    """Apply ``action`` to the incident; returns its new status and version and the
    timeline event. Nothing is written unless every check passes. ``attachment``: a
    checked file (:mod:`governance.attachments`) stored with the step."""
    step = Step(action, note, params, attachment)
    return transition_steps(
        incident_id,
        [step],
        expected_version=expected_version,
        principal=principal,
        client_addr=client_addr,
    )[-1]


def transition_steps(
    incident_id: int,
    steps: Sequence[Step],
    *,
    expected_version: object,
    principal: Principal | None,
    client_addr: str | None = None,
) -> list[dict[str, Any]]:
    """Apply several actions one after the other in ONE transaction (e.g. verify then
    dispatch, from one click of the dispatch board): each is checked as if taken alone,
    against the version the previous one left; if any is refused, none happened.
    Returns each step's result."""
    if not steps:
        raise InvalidInput("error.unknown_action", action="", choices=", ".join(ACTIONS))
    specs = []
    for step in steps:
        spec = TRANSITIONS.get(step.action) if isinstance(step.action, str) else None
        if spec is None:
            raise InvalidInput(
                "error.unknown_action", action=str(step.action)[:40], choices=", ".join(ACTIONS)
            )
        specs.append(spec)
    who = require(principal, specs[0].capability)
    for spec in specs[1:]:
        require(who, spec.capability)
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidInput("error.version_required")
    if abs(expected_version) > wp.MAX_VERSION:  # a version no incident can have: not a 409
        lo, hi = -wp.MAX_VERSION, wp.MAX_VERSION
        raise InvalidInput("error.input.range", field="expected_version", lo=lo, hi=hi)
    notes = [_note(step.note, spec.needs_note) for step, spec in zip(steps, specs, strict=True)]
    results = []
    version = expected_version
    with session_scope(scope=who.rls_scope) as s:
        for step, spec, text_note in zip(steps, specs, notes, strict=True):
            result = _apply(s, who, int(incident_id), step, spec, version, text_note, client_addr)
            version = result["version"]
            results.append(result)
    return results


def _apply(
    s: Session,
    who: Principal,
    incident_id: int,
    step: Step,
    spec: Transition,
    expected_version: int,
    text_note: str | None,
    client_addr: str | None,
) -> dict[str, Any]:
    """One checked step of :func:`transition_steps`, in its transaction."""
    action, params, attachment = step.action, step.params or {}, step.attachment
    row = _load(s, incident_id, lock=True)
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
    sets, detail = _changes(s, action, row, params, who, now)
    target = _target(action, spec, row)
    sets["status"] = target
    assignments = ", ".join(f"{k} = :{k}" for k in sets)
    version = s.execute(
        text(
            f"UPDATE incident SET {assignments}, version = version + 1, updated_at = now() "
            "WHERE id = :id RETURNING version"
        ),
        {**sets, "id": row["id"]},
    ).scalar_one()
    event_id = timeline.add_event(
        s,
        incident_id=row["id"],
        action=action,
        from_status=row["status"],
        to_status=target,
        version=version,
        actor_user_id=who.user_id or None,
        actor_name=who.display_name,
        actor_role=who.role,
        actor_department_id=who.department_id,
        note=text_note,
        detail=detail or None,
    )
    logged: dict[str, Any] = {"transition": action, "from": row["status"], "to": target}
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
    _notify(s, {"id": row["id"], "status": target, "version": version, "action": action})
    return {"id": row["id"], "status": target, "version": version, "event_id": event_id}


def resident_feedback(
    incident_id: int, rating: str, comment: str | None = None, *, channel: str = "link"
) -> dict[str, Any]:
    """A resident's rating after resolution: satisfied or basically satisfied closes a
    resolved case (and evaluates a closed one); dissatisfied sends it back to the lead
    department (reopened). The caller has already proved the right to rate (the
    feedback code of the case)."""
    if rating not in ("satisfied", "basic", "dissatisfied"):
        raise InvalidInput("error.unknown_rating")
    text_note = _note(comment, False)
    with session_scope(scope=ALL_AREAS) as s:
        row = _load(s, int(incident_id), lock=True)
        if row["status"] not in ("resolved", "closed"):
            raise InvalidInput("error.feedback_not_open", status=row["status"])
        now = datetime.now(LOCAL_TZ)
        if rating == "dissatisfied":
            target = "in_progress"
            sets = {"reopen_count": row["reopen_count"] + 1, "resolved_at": None, "closed_at": None}
        else:
            target = "closed" if row["status"] == "resolved" else "evaluated"
            sets = {"closed_at": now} if target == "closed" else {}
        sets["status"] = target
        assignments = ", ".join(f"{k} = :{k}" for k in sets)
        version = s.execute(
            text(
                f"UPDATE incident SET {assignments}, version = version + 1, updated_at = now() "
                "WHERE id = :id RETURNING version"
            ),
            {**sets, "id": row["id"]},
        ).scalar_one()
        s.execute(
            text("""INSERT INTO incident_feedback (incident_id, rating, comment, channel)
                    VALUES (:id, :r, :c, :ch)"""),
            {"id": row["id"], "r": rating, "c": text_note, "ch": channel},
        )
        timeline.add_event(
            s,
            incident_id=row["id"],
            action="feedback",
            from_status=row["status"],
            to_status=target,
            version=version,
            actor_name="resident",
            actor_role="resident",
            note=text_note,
            detail={"rating": rating, "channel": channel},
        )
        _notify(s, {"id": row["id"], "status": target, "version": version, "action": "feedback"})
    return {"id": row["id"], "status": target, "version": version}


def incident_state(incident_id: int, *, principal: Principal) -> dict[str, Any]:
    """The handling state of an incident in the principal's scope: status, version,
    departments, the SLA clock, the actions this user may take and the timeline."""
    with session_scope(scope=principal.rls_scope) as s:
        row = _load(s, int(incident_id), lock=False)
        require_area(principal, row["grid_code"] or "")
        events = timeline.events(s, row["id"])
        suggestion = (
            suggest_departments(s, row["category_code"], row["grid_code"])
            if row["status"] == "verified"
            else None
        )
    now = datetime.now(LOCAL_TZ)
    return {
        "status": row["status"],
        "version": row["version"],
        "lead_department_id": row["lead_department_id"],
        "assist_department_ids": list(row["assist_department_ids"] or []),
        "escalation_level": row["escalation_level"],
        "extension_requested_until": row["extension_requested_until"],
        "sla": sla.clock(
            row["status"],
            now=now,
            dispatched_at=row["dispatched_at"],
            accepted_at=row["accepted_at"],
            accept_due_at=row["accept_due_at"],
            resolve_due_at=row["resolve_due_at"],
        ),
        "suggestion": suggestion,
        "actions": allowed_actions(principal, row),
        "timeline": events,
    }


def departments(lang: str = "zh-CN") -> list[dict[str, Any]]:
    """Every department (id, code, name in ``lang``) for dispatch choices."""
    with session_scope() as s:
        rows = s.execute(text("SELECT id, code, name_zh, name_en FROM department ORDER BY id"))
        return [
            {"id": r.id, "code": r.code, "name": r.name_en if lang == "en" else r.name_zh}
            for r in rows
        ]
