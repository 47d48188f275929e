"""The typed reason for seeing personal data in clear, declared once.

Key persons (:mod:`governance.persons`) and incident reporters
(:mod:`governance.incidents`) are shown in clear only with a reason, which goes into the
audit record: single-line clean text of :data:`MIN_REASON` to :data:`REASON_MAX`
characters (the dialog's input holds at most as many). :class:`RevealIn` is the body of
both reveal routes and what the OpenAPI document shows; :func:`audit_clear_view` writes
the one kind of audit record both reveals leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Final

from sqlalchemy.orm import Session

from governance import audit
from governance.access import Principal
from governance.request_model import Body
from governance.shapes import Text

MIN_REASON: Final = 4
REASON_MAX: Final = 500  # what the audit log keeps of a reason
REASON: Final = Text(
    required=True,
    max_len=REASON_MAX,
    min_len=MIN_REASON,
    short_key="error.reason_required",
    description=f"Why the data is needed in clear ({MIN_REASON} to {REASON_MAX} characters); "
    "kept in the audit log.",
)


def reason(value: object) -> str:
    """The reason as the audit log keeps it, or :class:`InvalidInput`."""
    return str(REASON.check(value, "reason"))


def audit_clear_view(
    session: Session,
    principal: Principal,
    *,
    object_type: str,
    object_id: int,
    fields: Sequence[str],
    reason: str,
    client_addr: str | None,
) -> None:
    """Record, in the caller's transaction, that ``principal`` saw ``fields`` of the
    object in clear for ``reason`` (so there is no clear view without its trace)."""
    audit.record(
        session,
        action="view_clear",
        user_id=principal.user_id,
        username=principal.username,
        role=principal.role,
        object_type=object_type,
        object_id=object_id,
        client_addr=client_addr,
        reason=reason,
        detail={"fields": list(fields)},
    )


class RevealIn(Body):
    """A reveal request."""

    reason: Annotated[str, REASON] = None  # type: ignore[assignment]  # the shape says missing
