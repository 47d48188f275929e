"""The closed loop (GB/T 30428): register -> verify -> dispatch -> accept -> handle ->
resolve -> verify and close -> evaluate, with transfer, return, escalation, extension,
suspension, merging and reopening.

The state machine is a table, :data:`governance.transitions.TRANSITIONS`: for each
action, the states it may start from, the state it leads to, the capability it needs,
whether only the lead department may take it, and whether a note (a reason) is
required. :func:`transition` applies one action in the caller's unit of work
(:func:`governance.uow.unit_of_work`, opened with the principal): it checks the action,
the capability, the note and the version's form, then the apply step
(:func:`governance.workflow_apply.apply`) locks the incident row,
checks the area scope, the department and the version the client saw (a stale version
is a 409 that changes nothing), updates the incident, appends a timeline event, records
the change in the audit trail and notifies listeners
(``pg_notify('incident_changed', ...)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import timeline
from geodata.queries import workflow as q
from governance import sla
from governance import workflow_params as wp
from governance.access import Principal, require, require_area
from governance.attachments import Attachment
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.transitions import (  # the state machine, as data
    ACTIONS,
    TRANSITIONS,
    allowed_actions,
)
from governance.workflow_apply import apply, load, notify_change, suggest_departments

NOTE_MAX = wp.NOTE_MAX


def _note(raw: object, required: bool) -> str | None:
    """The step's note through the normaliser (clean multi-line text, bounded); a note
    that is required needs two characters."""
    note = wp.note(raw) or ""
    if required and len(note) < 2:
        raise InvalidInput("error.note_required")
    return note or None


@dataclass(frozen=True)
class Step:
    """One action of :func:`transition_steps` (``note``, ``params``, ``attachment`` as in
    :func:`transition`)."""

    action: str
    note: object = None
    params: Mapping[str, Any] | None = None
    attachment: Attachment | None = None


def transition(
    s: Session,
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
    """Apply ``action`` to the incident in the caller's unit of work ``s`` (opened with
    ``principal``); returns its new status and version and the timeline event. Nothing
    is written unless every check passes (a refusal raises, and the caller's unit rolls
    back). ``attachment``: a checked file (:mod:`governance.attachments`) stored with the
    step."""
    step = Step(action, note, params, attachment)
    who, specs, notes, version = _checked([step], expected_version, principal)
    return _apply_steps(s, who, int(incident_id), [step], specs, notes, version, client_addr)[-1]


def transition_steps(
    s: Session,
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
    Returns each step's result. Written in the caller's unit of work ``s``."""
    who, specs, notes, version = _checked(steps, expected_version, principal)
    return _apply_steps(s, who, int(incident_id), steps, specs, notes, version, client_addr)


def _checked(
    steps: Sequence[Step], expected_version: object, principal: Principal | None
) -> tuple[Principal, list[Any], list[str | None], int]:
    """The checks that need no database: known actions, the capabilities, the version's
    form and the notes. Returns the principal, each step's spec and note, the version."""
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
    return who, specs, notes, expected_version


def _apply_steps(
    s: Session,
    who: Principal,
    incident_id: int,
    steps: Sequence[Step],
    specs: Sequence[Any],
    notes: Sequence[str | None],
    expected_version: int,
    client_addr: str | None,
) -> list[dict[str, Any]]:
    """Apply the checked steps in ``s``, each against the version the previous one left."""
    results = []
    version = expected_version
    for step, spec, text_note in zip(steps, specs, notes, strict=True):
        result = apply(
            s,
            who,
            incident_id,
            step.action,
            spec,
            params=step.params or {},
            attachment=step.attachment,
            expected_version=version,
            text_note=text_note,
            client_addr=client_addr,
        )
        version = result["version"]
        results.append(result)
    return results


def resident_feedback(
    s: Session, incident_id: int, rating: str, comment: str | None = None, *, channel: str = "link"
) -> dict[str, Any]:
    """A resident's rating after resolution, in the caller's unit of work ``s``: satisfied
    or basically satisfied closes a resolved case (and evaluates a closed one);
    dissatisfied sends it back to the lead department (reopened). The caller has already
    proved the right to rate (the feedback code of the case), so the case is read in any
    area (the resident has no area scope)."""
    if rating not in ("satisfied", "basic", "dissatisfied"):
        raise InvalidInput("error.unknown_rating")
    text_note = _note(comment, False)
    with scope_within(s, ALL_AREAS):
        row = load(s, int(incident_id), lock=True)
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
        version = q.update_incident(s, row["id"], sets)
        q.add_feedback(s, row["id"], rating, text_note, channel)
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
        notify_change(
            s, {"id": row["id"], "status": target, "version": version, "action": "feedback"}
        )
    return {"id": row["id"], "status": target, "version": version}


def incident_state(s: Session, incident_id: int, *, principal: Principal) -> dict[str, Any]:
    """The handling state of an incident in the principal's scope: status, version,
    departments, the SLA clock, the actions this user may take and the timeline (read in
    the caller's unit of work ``s``)."""
    row = load(s, int(incident_id), lock=False)
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


def departments(s: Session, lang: str = "zh-CN") -> list[dict[str, Any]]:
    """Every department (id, code, name in ``lang``) for dispatch choices (read in the
    caller's unit of work ``s``)."""
    rows = q.departments(s)
    return [
        {"id": r["id"], "code": r["code"], "name": r["name_en"] if lang == "en" else r["name_zh"]}
        for r in rows
    ]
