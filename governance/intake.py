"""Incident intake through the API: source systems (12345, 110, IoT) post with their
token, the front desk with a signed-in user's :class:`Actor`. One request is one
transaction:

1. **Validate everything first** (:func:`validate_items`): field by field, with a
   row-level error list; a single bad item refuses the whole request, nothing written.
   Locations are converted to WGS84 (``geodata/crs.py``); a pair outside China whose
   swap lies inside is swapped and flagged ``swapped_lat_lon``.
2. **Write** with the one writer of incidents (``governance/intake_write.py``:
   idempotency on ``(source, external_id)``, grid assignment, the timeline, the audit
   record and the notification to live maps). API batches are validated, prepared and
   written in chunks, Python and PostgreSQL working at the same time
   (``governance/intake_bulk.py``), with the same outcome.

A replay of a stored ``(source, external_id)`` returns the stored incident
(``created: false, replayed: true``), whatever content came with it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.queries import intake as q
from geodata.queries import timeline
from governance import duplicates, known_names, pii
from governance.errors import InvalidInput, NotFound
from governance.intake_bulk import write_bulk
from governance.intake_checks import (
    MAX_BODY_BYTES,
    MAX_ITEMS,
    IntakeInvalid,
    Item,
    PayloadTooLarge,
    bulk_items,
    decode_json,
    validate_items,
)
from governance.intake_write import (
    Actor,
    Written,
    leaf_categories,
    prepared_rows,
    record_write,
    refuse_outside,
    write_items,
)
from governance.tokens import TokenPrincipal

log = logging.getLogger(__name__)

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_ITEMS",
    "Actor",
    "IntakeInvalid",
    "PayloadTooLarge",
    "create_bulk",
    "create_one",
    "decode_json",
    "list_categories",
    "source_incident",
]


# ----------------------------------------------------------------------------- use cases
def _grid(row: Mapping[str, Any]) -> dict[str, object] | None:
    if row["grid_id"] is None:
        return None
    return {"id": row["grid_id"], "code": row["grid_code"], "name": row["grid_name"]}


def _differs(item: Item, row: Mapping[str, Any]) -> list[str]:
    """The fields in which a replayed item differs from the stored incident."""
    out = []
    if item.category != row["category_code"]:
        out.append("category")
    if item.occurred_at != row["occurred_at"]:
        out.append("occurred_at")
    if abs(item.lon - row["lon"]) > 1e-7 or abs(item.lat - row["lat"]) > 1e-7:
        out.append("location")
    if item.priority != row["priority"]:
        out.append("priority")
    if item.description != row["description"]:
        out.append("description")
    if item.address != row["address"]:
        out.append("address")
    return out


def create_one(
    s: Session, body: object, actor: Actor, *, via: str = "api", client_addr: str | None = None
) -> tuple[dict[str, Any], bool]:
    """Register one incident in the caller's unit of work ``s`` (read and written in every
    area: the grid is found from the point, and the actor's own area is checked by the
    validation); returns (its view, created?). A replay of a stored
    ``(source, external_id)`` returns the stored incident with ``replayed: true`` and the
    fields its content ``differs`` in. A source system's token also gets
    ``possible_duplicates``: its own open incidents of the category nearby
    (:func:`governance.duplicates.for_source`).

    Raises
    ------
    InvalidInput
        Not a JSON object; :class:`IntakeInvalid` for invalid fields, a point outside
        the actor's area or (when configured) outside every grid.
    """
    if not isinstance(body, dict):
        raise InvalidInput("intake.error.object")
    with scope_within(s, ALL_AREAS):
        items = validate_items([body], leaf_categories(s), actor.source, bulk=False)
        written = write_items(s, actor, items, via=via, client_addr=client_addr)
        row = q.incident_summary(s, actor.source, items[0].external_id)
        assert row is not None
        possible = duplicates.for_source(
            s,
            source=actor.source,
            area_id=actor.area_id,
            incident_id=row["id"],
            category=row["category_code"],
            lon=row["lon"],
            lat=row["lat"],
            occurred_at=row["occurred_at"],
        )
    created = 0 in written.created
    view: dict[str, Any] = {
        "id": row["id"],
        "created": created,
        "replayed": not created,
        "lon": round(row["lon"], 7),
        "lat": round(row["lat"], 7),
        "grid": _grid(row),
        "location_flag": row["location_flag"],
        "status": row["status"],
        "version": row["version"],
    }
    if not created:
        view["differs"] = _differs(items[0], row)
    if actor.kind == "token":
        view["possible_duplicates"] = possible
    return view, created


def create_bulk(
    s: Session, body: object, actor: Actor, *, client_addr: str | None = None
) -> dict[str, Any]:
    """Register up to :data:`MAX_ITEMS` incidents in the caller's unit of work ``s`` (in
    every area, as :func:`create_one`), all or none; per item its ``index``,
    ``id`` and ``created`` (replays: ``replayed``, repeats inside the body:
    ``duplicate_of`` the index of their first occurrence).

    Raises
    ------
    InvalidInput
        A malformed body; :class:`IntakeInvalid` listing every invalid item;
        :class:`PayloadTooLarge` for more than :data:`MAX_ITEMS` items.
    """
    raws = bulk_items(body)
    with scope_within(s, ALL_AREAS):
        done = write_bulk(
            s,
            raws,
            leaf_categories(s),
            source=actor.source,
            area_id=actor.area_id,
            area_code=actor.area_code,
            actor_columns=actor.event_columns(),
            prepare_rows=prepared_rows,
            detail={"via": "bulk"},
        )
        refuse_outside(done.created, done.idx_of_id, len(raws), True)
        if done.created:
            n_replayed = len(done.items) - len(done.created)
            record_write(s, actor, "bulk", sorted(done.created), n_replayed, client_addr)
    items = done.items
    written = Written(
        done.ids, frozenset(done.idx_of_id[i] for i in done.created), done.duplicate_of
    )
    out = []
    for it in items:
        entry: dict[str, Any] = {"index": it.index, "id": written.ids[it.index]}
        entry["created"] = it.index in written.created
        if not entry["created"]:
            entry["replayed"] = True
        if it.index in written.duplicate_of:
            entry["duplicate_of"] = written.duplicate_of[it.index]
        out.append(entry)
    n_created = len(written.created)
    return {
        "summary": {"items": len(items), "created": n_created, "replayed": len(items) - n_created},
        "items": out,
    }


def list_categories(s: Session) -> list[dict[str, Any]]:
    """The category tree a client may send codes from (leaves only are accepted), read in
    the caller's unit of work ``s``."""
    rows = q.categories(s)
    return [
        {
            "code": r["code"],
            "parent": r["parent_code"],
            "name_zh": r["name_zh"],
            "name_en": r["name_en"],
            "default_priority": r["default_priority"],
            "leaf": r["leaf"],
        }
        for r in rows
    ]


def _event_view(e: Mapping[str, Any], names: pii.KnownNames) -> dict[str, Any]:
    """A timeline step for a source system: no staff names, personal data in notes masked
    (with the names known for the incident)."""
    dept = None
    if e["actor_department_id"] is not None:
        dept = {"id": e["actor_department_id"], "zh": e["department_zh"], "en": e["department_en"]}
    return {
        "at": e["at"].isoformat(),
        "action": e["action"],
        "from_status": e["from_status"],
        "to_status": e["to_status"],
        "version": e["version"],
        "actor_role": e["actor_role"],
        "actor_name": e["actor_name"] if e["actor_role"] == "token" else None,
        "department": dept,
        "note": pii.redact(e["note"], names),
    }


def source_incident(s: Session, incident_id: int, token: TokenPrincipal) -> dict[str, Any]:
    """An incident as its source system sees it: the intake response plus status and
    timeline, read in the caller's unit of work ``s`` (opened with ``token``). A token
    reads only its own source's incidents, in its area (others are 404: a token cannot
    probe what exists)."""
    row = q.source_incident(s, int(incident_id))
    if row is None or row["source"] != token.source or not token.covers(row["grid_code"] or ""):
        raise NotFound("error.not_found", what=f"incident {incident_id}")
    steps = timeline.events(s, row["id"])
    names = known_names.load(s, [row["id"]]).matcher(row["id"])
    return {
        "id": row["id"],
        "source": row["source"],
        "external_id": row["external_id"],
        "category": row["category_code"],
        "status": row["status"],
        "version": row["version"],
        "priority": row["priority"],
        "occurred_at": row["occurred_at"].isoformat(),
        "reported_at": row["reported_at"].isoformat(),
        "lon": round(row["lon"], 7),
        "lat": round(row["lat"], 7),
        "grid": _grid(row),
        "location_flag": row["location_flag"],
        "timeline": [_event_view(e, names) for e in steps],
    }
