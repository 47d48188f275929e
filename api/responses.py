"""What the API's routes answer, declared once as pydantic models.

The OpenAPI document's response components are generated from these models
(:func:`response_schemas`), as its request components are generated from the models the
server validates with (:mod:`governance.shapes`, :mod:`governance.intake_model`).
schemathesis checks every answer of the test suite against the document
(tests/integration/test_schemathesis.py) and tests/integration/test_openapi.py validates
each route's real answer with these models, so a view built in ``governance/`` cannot
drift from its declaration unnoticed.

The objects are open (``extra="allow"``): a field added later is not a breaking change.
A field with a default may be absent from an answer; a field typed ``X | None`` without
a default is always there and may be null.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema

from api.openapi_common import REF


class _Schema(GenerateJsonSchema):
    """JSON Schema without generated titles and defaults (they carry nothing for a
    client, and a default of null on a non-null field would contradict its type)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> Any:
        return self.generate_inner(schema["schema"])


def absent(**kwargs: Any) -> Any:
    """An optional field that is never null when present (the schema states its type
    only; the default is not validated and not shown)."""
    return Field(default=None, **kwargs)


class View(BaseModel):
    """An answer's object: open to fields added later; strict, so that a number sent as
    a string (or the like) is a mismatch, not a coercion."""

    model_config = ConfigDict(extra="allow", strict=True)


# --- shared pieces ------------------------------------------------------------------------
class Crumb(View):
    """One step of an object's place in the area hierarchy."""

    id: int
    name: str
    level: str
    level_label: str
    in_scope: bool


class FileRef(View):
    id: int
    filename: str
    content_type: str
    size: int


class GridRef(View):
    id: int
    code: str
    name: str


# --- a person ----------------------------------------------------------------------------
class Person(View):
    """A key person as the caller may see them (masked unless revealed)."""

    id: int
    category: str
    category_label: str
    masked: bool
    can_reveal: bool
    breadcrumb: list[Crumb]
    care_level: int | None = None
    full_name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


# --- an incident as staff see it -----------------------------------------------------------
class TimelineEvent(View):
    """A timeline step as staff see it (notes with personal data masked)."""

    id: int
    at: str
    action: str
    to_status: str
    version: int
    from_status: str | None = None
    actor_name: str | None = None
    actor_role: str | None = None
    actor_department_id: int | None = None
    department_zh: str | None = None
    department_en: str | None = None
    actor_token_id: int | None = None
    note: str | None = None
    detail: dict[str, Any] | None = None
    attachments: list[FileRef] = absent()


class SlaClock(View):
    stage: str
    due_at: str | None
    seconds_left: int
    state: str


class Suggestion(View):
    lead: int | None
    assist: list[int]
    rule_id: int | None = None


class Workflow(View):
    status: str
    version: int
    actions: list[str]
    timeline: list[TimelineEvent]
    lead_department_id: int | None = None
    assist_department_ids: list[int] = absent()
    escalation_level: int = absent()
    extension_requested_until: str | None = None
    sla: SlaClock | None = None
    suggestion: Suggestion | None = None


class Reporter(View):
    name: str | None
    phone: str | None
    masked: bool


class Incident(View):
    """An incident with its workflow, as the signed-in caller may see it."""

    id: int
    source: str
    category_code: str
    status: str
    priority: int
    lon: float
    lat: float
    breadcrumb: list[Crumb]
    source_label: str = absent()
    external_id: str | None = None
    category_name: str = absent()
    color: str | None = None
    occurred_at: str = absent()
    reported_at: str = absent()
    status_label: str = absent()
    priority_label: str = absent()
    description: str | None = None
    address: str | None = None
    reporter: Reporter | None = None
    can_reveal_reporter: bool = absent()
    workflow: Workflow = absent()


# --- an incident as its source system sees it ----------------------------------------------
class DepartmentRef(View):
    id: int
    zh: str
    en: str


class SourceEvent(View):
    at: str
    action: str
    to_status: str
    version: int
    from_status: str | None = None
    actor_role: str | None = None
    actor_name: str | None = None
    department: DepartmentRef | None = None
    note: str | None = None


class SourceIncident(View):
    """A source system's own incident: its state and timeline, no personal data."""

    id: int
    source: str
    external_id: str | None
    category: str
    status: str
    version: int
    priority: int
    occurred_at: str
    reported_at: str
    lon: float
    lat: float
    grid: GridRef | None
    location_flag: str | None
    timeline: list[SourceEvent]


class TransitionResult(View):
    id: int
    status: str
    version: int
    event_id: int


# --- categories ----------------------------------------------------------------------------
class Category(View):
    code: str
    parent: str | None
    name_zh: str
    name_en: str
    default_priority: int
    leaf: bool


class Categories(View):
    categories: list[Category]


# --- layers --------------------------------------------------------------------------------
class Feature(View):
    type: Literal["Feature"]
    geometry: dict[str, Any] | None
    properties: dict[str, Any] | None


class DensityStats(View):
    res: int
    max: int
    total: int
    breaks: list[int] = absent()
    cells: int = absent()


class FeatureCollection(View):
    type: Literal["FeatureCollection"]
    features: list[Feature]
    stats: DensityStats = absent()
    truncated: bool = absent()
    clustered: bool = absent()


# --- health --------------------------------------------------------------------------------
class DatabaseHealth(View):
    status: Literal["ok", "down"]
    postgis: str = absent()
    schema_: str | None = Field(default=None, alias="schema")
    row_security: Literal["enforced", "bypassed"] = absent()
    latency_ms: float = absent()


class Health(View):
    status: Literal["ok", "degraded"]
    database: DatabaseHealth


# --- intake --------------------------------------------------------------------------------
class PossibleDuplicate(View):
    id: int
    category: str
    status: str
    distance_m: float
    external_id: str | None = None
    occurred_at: str = absent()


class IncidentCreated(View):
    id: int
    created: bool
    replayed: bool
    lon: float
    lat: float
    grid: GridRef | None
    location_flag: Literal["swapped_lat_lon", "outside_jurisdiction"] | None
    status: str
    version: int
    differs: list[str] = absent(
        description="Replays only: fields whose content differs from the stored incident "
        "(which is kept as it is).",
    )
    possible_duplicates: list[PossibleDuplicate] = absent(
        max_length=10,
        description="This source's own open incidents of the same category within "
        "MINQING_DUPLICATE_METERS and MINQING_DUPLICATE_HOURS, nearest first (other "
        "channels' reports are never listed). Bulk responses do not carry them.",
    )


class BulkSummary(View):
    items: int
    created: int
    replayed: int


class BulkItem(View):
    index: int
    id: int
    created: bool
    replayed: bool = absent()
    duplicate_of: int = absent()


class BulkResult(View):
    summary: BulkSummary
    items: list[BulkItem]


# --- refusals ------------------------------------------------------------------------------
class Error(View):
    """Every refusal: a code, a translated message and the message's catalog key."""

    error: str = Field(description="A code, e.g. invalid_input.")
    message: str = Field(description="zh-CN or en (?lang=)")
    key: str = Field(description="The message's catalog key.")
    current_version: int = absent(description="409 only.")


class RowError(View):
    index: int = Field(ge=0)
    field: str
    key: str
    message: str


class IntakeError(Error):
    """Nothing was written. `errors` lists every problem (at most 200), `error_count` how
    many there are."""

    error_count: int = absent(ge=1)
    errors: list[RowError] = absent(max_length=200)


# The answers the document names (its components); nested models join them by name.
RESPONSES: Final[tuple[type[View], ...]] = (
    Error,
    IntakeError,
    Person,
    Incident,
    SourceIncident,
    TransitionResult,
    Categories,
    FeatureCollection,
    Health,
    IncidentCreated,
    BulkResult,
)


def response_schemas() -> dict[str, Any]:
    """The components of every answer in :data:`RESPONSES` and of the models inside them,
    their references pointing into the document's components."""
    return schemas_of(RESPONSES)


def schemas_of(models: tuple[type[View], ...]) -> dict[str, Any]:
    """The components of ``models`` and of the models inside them."""
    out: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(
            by_alias=True, ref_template=REF + "{model}", schema_generator=_Schema
        )
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out
