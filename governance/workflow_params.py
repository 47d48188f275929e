"""The body of ``POST /api/v1/incidents/{id}/transitions``, declared once.

:class:`TransitionIn` validates the request through :mod:`governance.shapes` (and so
:mod:`governance.inputs`) and is what the OpenAPI document shows. Which fields an action
needs (a note for a rejection, a department for a dispatch, a date for an extension) and
whether the action is allowed now are the state machine's questions
(:mod:`governance.workflow`); every field sent is checked whatever the action.

The same limits serve the Python entry point (:func:`governance.workflow.transition`,
used by the map panel and the dispatch board): :func:`note`, :func:`department_id`,
:func:`incident_ref` and :func:`until` below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final

from governance import attachments
from governance.attachments import Attachment
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.inputs import EARLIEST_DAY, LATEST_DAY
from governance.request_model import Body
from governance.shapes import MAX_ID, Custom, Instant, Integer, Shape, Text
from governance.transitions import ACTIONS

NOTE_MAX: Final = 2000
MAX_ASSIST: Final = 20  # assisting departments of one dispatch
MAX_VERSION: Final = 2**31 - 1  # incident.version is an integer column
MAX_DEPARTMENT: Final = 2**31 - 1
_NOTE: Final = Text(
    max_len=NOTE_MAX,
    multiline=True,
    description="Reason or note of the step (needed by reject, escalate, transfer, return, "
    "request_extension, deny_extension, resolve, suspend, fail_verification, reopen).",
)
_DEPARTMENT: Final = Integer(
    lo=1,
    hi=MAX_DEPARTMENT,
    keys={k: "error.unknown_department" for k in ("error.input.integer", "error.input.range")},
    description="The lead department (dispatch, transfer); default: the routing suggestion.",
)
_INCIDENT: Final = Integer(
    lo=1,
    hi=MAX_ID,
    keys={k: "error.merge_target" for k in ("error.input.integer", "error.input.range")},
    description="merge: the incident this one is merged into.",
)
_UNTIL: Final = Instant(
    key="error.bad_datetime",
    description="request_extension: the new deadline (ISO 8601; no zone: Beijing time), "
    "later than the current one and at most 30 days after it.",
)


def note(value: object) -> str | None:
    """A step's note: multi-line clean text of at most :data:`NOTE_MAX` characters."""
    out: str | None = _NOTE.check(value, "note")
    return out


def department_id(value: object) -> int:
    """A department id as sent (an int, or ASCII digits from a form)."""
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            raise InvalidInput("error.unknown_department", value=value[:40])
    try:
        return int(_DEPARTMENT.check(value, "department"))
    except InvalidInput:
        raise InvalidInput("error.unknown_department", value=str(value)[:40]) from None


def incident_ref(value: object) -> int:
    """The id of another incident (merge target)."""
    if value is None:
        raise InvalidInput("error.merge_target")
    return int(_INCIDENT.check(value, "into"))


def until(value: object) -> datetime:
    """A deadline: an ISO 8601 time of this century (no zone: Beijing time)."""
    raw = _UNTIL.check(value, "until")
    if raw is None:
        raise InvalidInput("error.bad_datetime", name="until")
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("error.bad_datetime", name="until") from None
    if not EARLIEST_DAY <= at.date() <= LATEST_DAY:
        raise InvalidInput("error.bad_datetime", name="until")
    return at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ)


def _assist(value: object, _name: str) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_ASSIST:
        raise InvalidInput("error.unknown_department", value=str(value)[:40])
    return [int(_DEPARTMENT.check(v, "assist_department_ids")) for v in value]


class _Action(Shape):
    """An action of the state machine's table (error.unknown_action names the choices)."""

    def _check(self, value: object, name: str) -> str:

        if isinstance(value, str) and value in ACTIONS:
            return value
        raise InvalidInput(
            "error.unknown_action", action=str(value)[:40], choices=", ".join(ACTIONS)
        )

    def schema(self) -> dict[str, Any]:

        return {"type": "string", "enum": list(ACTIONS)}


class TransitionIn(Body):
    """One step of the closed loop. A stale `expected_version` is a 409 that changes
    nothing; an action the incident's state or the caller's role does not allow is a
    400 or 403."""

    action: Annotated[
        str,
        _Action(required=True, description="The step to take."),
    ] = None  # type: ignore[assignment]  # the shape reports it missing
    expected_version: Annotated[
        int,
        Integer(
            required=True,
            lo=-MAX_VERSION,
            hi=MAX_VERSION,
            keys={k: "error.version_required" for k in ("error.input.integer",)},
            description="The incident's `version` as the caller last saw it (any other "
            "value is stale: 409).",
        ),
    ] = None  # type: ignore[assignment]
    note: Annotated[str | None, _NOTE] = None
    attachment: Annotated[
        Attachment | None,
        Custom(
            parse=lambda v, _n: attachments.from_api(v),
            doc=attachments.api_schema(),
            description="A file kept with the step (a photo of the spot, a signed form).",
        ),
    ] = None
    lead_department_id: Annotated[int | None, _DEPARTMENT] = None
    assist_department_ids: Annotated[
        list[int] | None,
        Custom(
            parse=_assist,
            doc={
                "type": ["array", "null"],
                "maxItems": MAX_ASSIST,
                "items": _DEPARTMENT.schema(),
                "description": "dispatch, transfer: assisting departments; default: the "
                "routing suggestion's when the lead is the suggested one.",
            },
        ),
    ] = None
    until: Annotated[str | None, _UNTIL] = None
    into: Annotated[int | None, _INCIDENT] = None

    def params(self) -> dict[str, Any]:
        """The action's parameters as :func:`governance.workflow.transition` takes them."""
        return {
            k: v
            for k in ("lead_department_id", "assist_department_ids", "until", "into")
            if (v := getattr(self, k)) is not None
        }
