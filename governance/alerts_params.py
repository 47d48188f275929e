"""Bodies of ``/api/v1/alerts`` (subscriptions, read marks, webhook targets), declared
once: they validate the request and are what the OpenAPI document shows. Whether an area
lies in the caller's scope, a category exists or a URL may be called is decided by the
use cases (``governance/alerts.py``, ``governance/webhooks.py``)."""

from __future__ import annotations

from typing import Annotated, Any, Final

from governance.alerts_evidence import KINDS
from governance.errors import InvalidInput
from governance.request_model import Body
from governance.shapes import Choice, Custom, Pattern, Text

AREA: Final = r"[0-9０-９]{6,15}"  # full-width digits too (area_codes folds them)
CATEGORY: Final = r"[A-Za-z0-9_.-]{1,40}"
MAX_IDS: Final = 500


def _kinds(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not 0 < len(value) <= len(KINDS):
        raise InvalidInput("error.input.type", field=name)
    if any(v not in KINDS for v in value):
        raise InvalidInput("alerts.error.kind", value=str(value)[:40], choices=", ".join(KINDS))
    return [str(v) for v in value]


def _id(v: object) -> bool:
    """A positive whole number (JSON Schema counts 7.0 as an integer too)."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**63


def _ids(value: object, name: str) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise InvalidInput("error.input.type", field=name)
    if not all(_id(v) for v in value):
        raise InvalidInput("error.input.integer", field=name)
    return [int(v) for v in value]  # type: ignore[call-overload]


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("error.input.type", field=name)
    return value


_KIND = Choice(required=True, values=KINDS, key="alerts.error.kind", description="Alert kind.")
_AREA = Pattern(
    regex=AREA,
    max_len=15,
    key="areas.error.malformed_no_city",
    description="An area code inside the caller's scope (6, 9, 12 or 15 digits); absent: "
    "the caller's whole area.",
)
_CATEGORY = Pattern(
    regex=CATEGORY,
    max_len=40,
    key="alerts.error.category",
    description="An incident category code; absent: every category.",
)


class SubscriptionIn(Body):
    """Subscribe to alerts of a kind in an area (and category)."""

    kind: Annotated[str, _KIND] = None  # type: ignore[assignment]
    area: Annotated[str | None, _AREA] = None
    category: Annotated[str | None, _CATEGORY] = None


class ReadIn(Body):
    """Mark alerts read: those of ``ids``, or all with ``all``."""

    ids: Annotated[
        list[int] | None,
        Custom(
            parse=_ids,
            doc={
                "type": ["array", "null"],
                "items": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                "maxItems": MAX_IDS,
            },
            description="Alert ids.",
        ),
    ] = None
    all: Annotated[
        bool | None,
        Custom(
            parse=_flag, doc={"type": ["boolean", "null"]}, description="Mark every alert read."
        ),
    ] = None


class WebhookIn(Body):
    """A webhook target (the system administrator)."""

    name: Annotated[str, Text(required=True, max_len=80, description="A name for people.")] = None  # type: ignore[assignment]
    url: Annotated[
        str,
        Pattern(
            required=True,
            regex=r"[hH][tT][tT][pP][sS]?://[^\s\\]+",
            max_len=500,
            key="alerts.error.url_scheme",
            description="An http(s) URL on a public address.",
        ),
    ] = None  # type: ignore[assignment]
    kinds: Annotated[
        list[str],
        Custom(
            required=True,
            parse=_kinds,
            doc={
                "type": "array",
                "items": {"type": "string", "enum": list(KINDS)},
                "minItems": 1,
                "maxItems": len(KINDS),
            },
            description="Kinds of alert sent to it.",
        ),
    ] = None  # type: ignore[assignment]
    area: Annotated[str | None, _AREA] = None
    category: Annotated[str | None, _CATEGORY] = None


def as_dict(model: Any) -> dict[str, Any]:
    return {k: getattr(model, k) for k in type(model).model_fields}
