"""The query of ``GET /api/v1/layers/{layer}``, declared once.

:class:`LayerQuery` validates every parameter a client sends, whichever layer it asks for
(a parameter another layer uses is still checked, so that the document's rule holds for
every layer), through :mod:`governance.shapes` and the filters' parsers; the OpenAPI
document lists the same parameters with the same rules. What depends on the layer (geobuf
for areas only) or on two parameters (min below max, start before end) is checked by
:func:`governance.layers.render_layer` and the parsers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Final

from geodata.models import H3_RESOLUTIONS, AreaLevel, IncidentSource, SiteType
from geodata.queries.case_state import URGENCY_FILTERS
from governance import catalog
from governance.errors import InvalidInput
from governance.filters import MAX_ZOOM, WINDOWS, BBox, parse_bbox
from governance.request_model import Query
from governance.shapes import Choice, Custom, Instant, Integer, Number

FORMATS: Final = ("geojson", "geobuf")
DUE_HOURS: Final = (2, 4, 8, 24, 72)  # what the map offers for "due within N hours"
DEFAULT_DUE_HOURS: Final = 24
MAX_DUE_HOURS: Final = 24 * 30
MODES: Final = ("points", "counts")
ZOOM_KEYS: Final = {
    k: "error.zoom_range" for k in ("error.input.number", "error.input.range", "error.input.finite")
}
BBOX_DOC: Final = {
    "type": "array",
    "prefixItems": [
        {"type": "number", "minimum": -180, "maximum": 180},
        {"type": "number", "minimum": -90, "maximum": 90},
        {"type": "number", "minimum": -180, "maximum": 180},
        {"type": "number", "minimum": -90, "maximum": 90},
    ],
    "items": False,
    "minItems": 4,
    "maxItems": 4,
}


def codes(raw: object, name: str, choices: Sequence[str]) -> tuple[str, ...] | None:
    """A comma-separated list of ``choices`` as sent (no spaces, no empty item);
    "" is the empty list (None)."""
    if not isinstance(raw, str):
        raise InvalidInput("error.unknown_value", name=name, value=str(raw)[:40])
    if raw == "":
        return None
    items = raw.split(",")
    bad = [x for x in items if x not in choices]
    if bad:
        raise InvalidInput("error.unknown_value", name=name, value=", ".join(bad)[:80])
    return tuple(sorted(set(items)))


def _categories(raw: object, _name: str) -> tuple[str, ...] | None:
    """Group or leaf codes as sent -> the leaf codes they cover."""
    if not isinstance(raw, str):
        raise InvalidInput("error.unknown_category", codes=str(raw)[:40])
    if raw == "":
        return None
    return catalog.expand_categories(tuple(raw.split(",")))


def _list(choices: Sequence[str], description: str) -> Custom:
    return Custom(
        parse=lambda v, n: codes(v, n, choices),
        doc={"type": "array", "items": {"type": "string", "enum": list(choices)}},
        description=description,
    )


def _res(raw: object, name: str) -> int:
    if raw not in [str(r) for r in H3_RESOLUTIONS]:
        raise InvalidInput("error.unknown_value", name=name, value=str(raw)[:40])
    return int(str(raw))


def _bbox(raw: object, _name: str) -> BBox:
    return parse_bbox(raw)


class LayerQuery(Query):
    """The parameters of a layer request (all strings on the wire)."""

    bbox: Annotated[
        BBox,
        Custom(
            required=True,
            parse=_bbox,
            doc=BBOX_DOC,
            description="minlon,minlat,maxlon,maxlat (WGS84): min below max.",
        ),
    ] = None  # type: ignore[assignment]  # the shape reports it missing
    z: Annotated[
        float,
        Number(
            required=True,
            lo=0,
            hi=MAX_ZOOM,
            strings=True,
            keys=ZOOM_KEYS,
            description="Web-map zoom level.",
        ),
    ] = None  # type: ignore[assignment]
    format: Annotated[
        str | None,
        Choice(
            values=FORMATS,
            key="error.format",
            value_param="format",
            description="geobuf is available for `areas` only; default geojson.",
        ),
    ] = None
    level: Annotated[
        str | None,
        Choice(
            values=tuple(lv.value for lv in AreaLevel),
            description="Area level (areas; default: the level drawn at the zoom).",
        ),
    ] = None
    types: Annotated[
        tuple[str, ...] | None,
        _list(tuple(s.value for s in SiteType), "Site types (sites)."),
    ] = None
    res: Annotated[
        int | None,
        Custom(
            parse=_res,
            doc={"type": "integer", "enum": list(H3_RESOLUTIONS)},
            description="H3 resolution (density; default from the zoom).",
        ),
    ] = None
    window: Annotated[
        str | None,
        Choice(
            values=tuple(WINDOWS),
            key="error.time_window",
            value_param="window",
            description="Named time window (incidents, density; ignored when start or "
            "end is given); default 30d.",
        ),
    ] = None
    start: Annotated[
        str | None,
        Instant(
            century=True,
            key="error.time_format",
            description="First local day (Asia/Shanghai), YYYY-MM-DD, or a time (ISO 8601).",
        ),
    ] = None
    end: Annotated[
        str | None,
        Instant(
            century=True,
            key="error.time_format",
            description="Last local day, inclusive, YYYY-MM-DD, or a time; after start.",
        ),
    ] = None
    categories: Annotated[
        tuple[str, ...] | None,
        Custom(
            parse=_categories,
            doc={"type": "array", "items": {"type": "string"}},
            description="Category codes of GET /api/v1/categories (groups expand to their leaves).",
        ),
    ] = None
    sources: Annotated[
        tuple[str, ...] | None,
        _list(tuple(s.value for s in IncidentSource), "Intake channels."),
    ] = None
    urgency: Annotated[
        tuple[str, ...] | None,
        _list(
            URGENCY_FILTERS,
            "Incidents (incidents, density) by urgency now: overdue, due_soon (the running "
            "clock ends within `due` hours), waiting (to be dispatched), handling (with a "
            "department: open, not waiting), closed. Open cases are kept whatever their "
            "date; closed ones only within the time window. Default: every case in the window.",
        ),
    ] = None
    due: Annotated[
        int | None,
        Integer(
            lo=1,
            hi=MAX_DUE_HOURS,
            strings=True,
            description=f"Hours of `due_soon` (default {DEFAULT_DUE_HOURS}).",
        ),
    ] = None
    mode: Annotated[
        str | None,
        Choice(
            values=MODES,
            description="persons: `counts` per grid even for roles that "
            "see points; default points.",
        ),
    ] = None


def parse(args: Any) -> LayerQuery:
    """The query of a request (``request.args``: the first value of each parameter)."""
    data = args.to_dict() if hasattr(args, "to_dict") else dict(args)
    return LayerQuery.model_validate(data)
