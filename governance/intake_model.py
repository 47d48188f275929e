"""The incident intake item, declared once.

:class:`IncidentIn` is what a source system sends to ``POST /api/v1/incidents`` (and, as
items, to the bulk route); the file import, the front desk and the public report page
build the same item from their rows and forms. Every field's rule is its shape
(:mod:`governance.shapes`, validating through :mod:`governance.inputs`): the checker
(:mod:`governance.intake_checks`) runs each field's shape on its own, so that a bad item
lists every problem, and the OpenAPI document is this model's JSON Schema.

Field errors carry intake's own keys (``intake.field.*``: the messages of the row-level
error list); the checks that need the request's context (the category list, the clock,
the token's source, the swap of a lat/lon pair) are the checker's.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import BaseModel

from geodata.crs import SUPPORTED as CRS_NAMES
from geodata.models import IncidentSource
from governance.request_model import Body, shape_of
from governance.shapes import (
    INVISIBLE,
    Choice,
    Custom,
    Instant,
    Integer,
    Number,
    Pattern,
    Shape,
    Text,
)

MAX_ITEMS: Final = 10_000
MAX_BODY_BYTES: Final = 20 * 1024 * 1024
LIMITS: Final = {"external_id": 64, "description": 2000, "address": 200, "name": 40, "phone": 20}
TEXT_KEYS: Final = {
    "error.input.type": "intake.field.not_text",
    "error.input.too_long": "intake.field.too_long",
    "error.input.control": "intake.field.control_chars",
    "error.input.encoding": "intake.field.encoding",
}
PRIORITY_KEYS: Final = {
    k: "intake.field.priority" for k in ("error.input.integer", "error.input.range")
}


def _number_keys(name: str) -> dict[str, str]:
    return {
        "error.input.number": "intake.field.not_number",
        "error.input.finite": "intake.field.not_finite",
        "error.input.range": f"intake.field.{name}_range",
    }


def _category(value: object, _name: str) -> str:
    """A category code as sent (whether it is a leaf is the checker's question)."""
    if not isinstance(value, str):
        from governance.errors import InvalidInput

        raise InvalidInput("intake.field.category", value=str(value)[:40])
    return value


class ReporterIn(Body):
    """Who reported it (stored encrypted; never echoed in clear)."""

    name: Annotated[str | None, Text(max_len=LIMITS["name"], keys=TEXT_KEYS)] = None
    phone: Annotated[
        str | None,
        Pattern(
            regex="[0-9+ -]*[0-9][0-9+ -]*",
            blank_ok=True,
            max_len=LIMITS["phone"],
            key="intake.field.phone",
            keys=TEXT_KEYS,
        ),
    ] = None


class IncidentIn(Body):
    """One incident. The source is the token's, never the body's. Coordinates in `crs`
    are converted to WGS84; a pair outside China whose swap lies inside is swapped
    (`location_flag: swapped_lat_lon`); a point in no grid is kept with
    `location_flag: outside_jurisdiction` or refused, as configured
    (MINQING_INTAKE_OUTSIDE). A token with an area accepts only points inside it."""

    external_id: Annotated[
        str,
        Text(
            required=True,
            max_len=LIMITS["external_id"],
            refuse=INVISIBLE,
            refuse_key="intake.field.external_id",
            short_key="intake.field.external_id",
            keys=TEXT_KEYS,
            description="The id in the source system: the idempotency key together with "
            "the token's source. Spaces only between other characters; no control, "
            "format or private-use character.",
        ),
    ] = None  # type: ignore[assignment]  # the shape reports it missing
    category: Annotated[
        str,
        Custom(
            required=True,
            parse=_category,
            doc={"type": "string"},
            description="A leaf code of GET /api/v1/categories.",
        ),
    ] = None  # type: ignore[assignment]
    occurred_at: Annotated[
        str,
        Instant(
            required=True,
            key="intake.field.time_format",
            description="ISO 8601; without a zone, Asia/Shanghai. Not before 2000, not "
            "more than 10 minutes ahead.",
        ),
    ] = None  # type: ignore[assignment]
    lon: Annotated[
        float,
        Number(
            required=True,
            lo=-180,
            hi=180,
            strings=True,
            keys=_number_keys("lon"),
            description="Longitude in `crs` (a number, or a decimal as text).",
        ),
    ] = None  # type: ignore[assignment]
    lat: Annotated[
        float,
        Number(
            required=True,
            lo=-180,
            hi=180,
            strings=True,
            keys=_number_keys("lat"),
            description="Latitude in `crs`: -90..90, or a swapped lat/lon pair inside "
            "China (then swapped back).",
        ),
    ] = None  # type: ignore[assignment]
    crs: Annotated[
        str | None,
        Choice(
            values=CRS_NAMES,
            fold=True,
            empty_ok=True,
            key="intake.field.crs",
            description="Coordinate system, any letter case; default wgs84.",
        ),
    ] = None
    priority: Annotated[
        int | None,
        Integer(
            lo=1,
            hi=4,
            strings=True,
            keys=PRIORITY_KEYS,
            description="1 urgent .. 4 low; default: the category's.",
        ),
    ] = None
    description: Annotated[
        str | None, Text(max_len=LIMITS["description"], multiline=True, keys=TEXT_KEYS)
    ] = None
    address: Annotated[str | None, Text(max_len=LIMITS["address"], keys=TEXT_KEYS)] = None
    reporter: ReporterIn | None = None
    source: Annotated[
        str | None,
        Choice(
            values=tuple(s.value for s in IncidentSource),  # the checker compares it
            description="Optional; if sent, it must be the token's own source.",
        ),
    ] = None


FIELDS: Final = tuple(IncidentIn.model_fields)
REQUIRED: Final = tuple(n for n in FIELDS if n != "reporter" and shape_of(IncidentIn, n).required)
REPORTER_FIELDS: Final = tuple(ReporterIn.model_fields)


def shape(name: str, model: type[BaseModel] = IncidentIn) -> Shape:
    """The shape of an item field (``reporter.*`` fields with ``model=ReporterIn``)."""
    return shape_of(model, name)


def item_schema() -> dict[str, Any]:
    """The JSON Schema of one item, with the reporter inline."""
    out = IncidentIn.model_json_schema(ref_template="#/components/schemas/{model}")
    out.pop("$defs", None)
    out["properties"]["reporter"] = {
        "anyOf": [ReporterIn.model_json_schema(), {"type": "null"}],
        "description": ReporterIn.__doc__,
    }
    return out
