"""What ``/api/v1/patrol`` answers, declared as pydantic models like ``api/responses.py``
(its rules: open objects, strict types; a field with a default may be absent)."""

from __future__ import annotations

from typing import Any, Literal

from api.responses import View, schemas_of


class PatrolTask(View):
    id: int
    order: int
    subject: Literal["site", "person"]
    title: str
    kind: str
    site_id: int | None
    person_id: int | None
    address: str | None
    grid: str
    lon: float
    lat: float
    status: Literal["open", "missed"]
    overdue: bool
    high_risk: bool
    due_on: str
    last_day: str
    deadline: str
    template_version_id: int
    radius_m: int
    distance_m: int | None


class ChecklistRef(View):
    id: int
    name: str
    version: int
    items: list[dict[str, Any]]


class PatrolDay(View):
    day: str
    tasks: list[PatrolTask]
    checklists: dict[str, ChecklistRef]
    route_m: int | None


class Checklist(View):
    id: int
    code: str
    version: int
    current: int
    name_zh: str
    name_en: str
    items: list[dict[str, Any]]


class PatrolCase(View):
    item: str
    incident_id: int


class SubmissionResult(View):
    id: int
    task_id: int
    client_id: str
    replayed: bool
    filled_at: str
    on_site: bool
    distance_m: float | None
    flags: list[str]
    late: bool
    failed_items: int
    cases: list[PatrolCase]


class FlagLabel(View):
    code: str
    label: str


class FilledItem(View):
    key: str
    kind: str
    label: str
    value: str | int | float | None
    unit: str | None
    failed: bool
    note: str | None
    photos: list[int]


class SubmissionView(View):
    id: int
    task_id: int
    checklist: str
    version: int
    current_version: int
    worker: str | None
    filled_at: str
    submitted_at: str
    on_site: bool
    distance_m: float | None
    flags: list[FlagLabel]
    off_site_reason: str | None
    late: bool
    items: list[FilledItem]
    cases: list[PatrolCase]


class Reassigned(View):
    id: int
    assignee: str


RESPONSES: tuple[type[View], ...] = (
    PatrolDay,
    Checklist,
    SubmissionResult,
    SubmissionView,
    Reassigned,
)


def patrol_response_schemas() -> dict[str, Any]:
    return schemas_of(RESPONSES)
