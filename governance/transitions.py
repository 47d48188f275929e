"""The closed loop's state machine as data, and what reads it.

For each action: the states it may start from, the state it leads to, the capability it
needs, whether only the lead department may take it, and whether a note (a reason) is
required. Its rules are read here: :func:`allowed_actions` (what a user may do to an
incident now) and :func:`target` (the state an action leads to); the use case
(``governance/workflow.py``, which looks an action's row up by name) and its apply step
(``governance/workflow_apply.py``) ask them. Apart from the use case so that what
describes an action (the request shapes of ``governance/workflow_params.py``, the
OpenAPI document) can read the table without importing the use case that reads those
shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from governance.access import (
    INCIDENT_CLOSE,
    INCIDENT_DISPATCH,
    INCIDENT_ESCALATE,
    INCIDENT_HANDLE,
    INCIDENT_VERIFY,
    Principal,
)

OPEN_HANDLING = frozenset({"dispatched", "accepted", "in_progress"})
RESOLVABLE = frozenset({"accepted", "in_progress"})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state does not change (or is computed: resume)
    capability: str
    lead_only: bool = False  # only staff of the lead department
    needs_note: bool = False


def _t(sources: set[str] | frozenset[str], target: str | None, cap: str, **kw: bool) -> Transition:
    return Transition(frozenset(sources), target, cap, **kw)


TRANSITIONS: Mapping[str, Transition] = {
    "verify": _t({"registered"}, "verified", INCIDENT_VERIFY),
    "reject": _t({"registered", "verified"}, "rejected", INCIDENT_DISPATCH, needs_note=True),
    "escalate": _t({"registered", "verified"}, "verified", INCIDENT_ESCALATE, needs_note=True),
    "merge": _t({"registered", "verified"}, "merged", INCIDENT_DISPATCH),
    "dispatch": _t({"verified"}, "dispatched", INCIDENT_DISPATCH),
    "transfer": _t(OPEN_HANDLING, "dispatched", INCIDENT_DISPATCH, needs_note=True),
    "accept": _t({"dispatched"}, "accepted", INCIDENT_HANDLE, lead_only=True),
    "return": _t(
        {"dispatched", "accepted"}, "verified", INCIDENT_HANDLE, lead_only=True, needs_note=True
    ),
    "start": _t({"accepted"}, "in_progress", INCIDENT_HANDLE, lead_only=True),
    "request_extension": _t(RESOLVABLE, None, INCIDENT_HANDLE, lead_only=True, needs_note=True),
    "approve_extension": _t(RESOLVABLE, None, INCIDENT_DISPATCH),
    "deny_extension": _t(RESOLVABLE, None, INCIDENT_DISPATCH, needs_note=True),
    "resolve": _t(RESOLVABLE, "resolved", INCIDENT_HANDLE, lead_only=True, needs_note=True),
    "suspend": _t(OPEN_HANDLING, "suspended", INCIDENT_DISPATCH, needs_note=True),
    "resume": _t({"suspended"}, None, INCIDENT_DISPATCH),
    "close": _t({"resolved"}, "closed", INCIDENT_CLOSE),
    "fail_verification": _t({"resolved"}, "in_progress", INCIDENT_CLOSE, needs_note=True),
    "reopen": _t({"closed", "evaluated"}, "in_progress", INCIDENT_DISPATCH, needs_note=True),
}
ACTIONS = tuple(TRANSITIONS)


def _may(principal: Principal, spec: Transition, row: Mapping[str, Any]) -> bool:
    """May ``principal`` take ``spec`` on the incident ``row`` as far as its capability,
    area scope and department go (not the state)?"""
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


def target(action: str, spec: Transition, row: Mapping[str, Any]) -> str:
    """The state ``action`` leads to from ``row``: a resume returns to the state the
    case was suspended from; an action without a target leaves the state as it is."""
    if action == "resume":
        return str(row["suspended_from"] or "dispatched")
    return spec.target or str(row["status"])
