"""The closed loop's state machine as data (read by ``governance/workflow.py``).

For each action: the states it may start from, the state it leads to, the capability it
needs, whether only the lead department may take it, and whether a note (a reason) is
required. Apart from the use case so that what describes an action (the request shapes
of ``governance/workflow_params.py``, the OpenAPI document) can read the table without
importing the use case that reads those shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from governance.access import (
    INCIDENT_CLOSE,
    INCIDENT_DISPATCH,
    INCIDENT_ESCALATE,
    INCIDENT_HANDLE,
    INCIDENT_VERIFY,
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
