"""The typed reason for seeing personal data in clear, declared once.

Key persons (:mod:`governance.persons`) and incident reporters
(:mod:`governance.incidents`) are shown in clear only with a reason, which goes into the
audit record: single-line clean text of :data:`MIN_REASON` to :data:`REASON_MAX`
characters (the dialog's input holds at most as many). :class:`RevealIn` is the body of
both reveal routes and what the OpenAPI document shows.
"""

from __future__ import annotations

from typing import Annotated, Final

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


class RevealIn(Body):
    """A reveal request."""

    reason: Annotated[str, REASON] = None  # type: ignore[assignment]  # the shape says missing
