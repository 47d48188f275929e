"""OpenAPI pieces of incident intake (merged into ``api/openapi.py``): the item is the
model the checker validates with (:mod:`governance.intake_model`)."""

from __future__ import annotations

from typing import Any

from api.openapi_common import REF, error, errors, json_body, ok, session_or_token, token_only
from governance import catalog
from governance.intake_model import MAX_BODY_BYTES, MAX_ITEMS, item_schema


def _leaf_codes() -> list[str]:
    cats = catalog.all_categories()
    parents = {c.parent_code for c in cats if c.parent_code}
    return [c.code for c in cats if c.code not in parents]


def intake_schemas() -> dict[str, Any]:
    """Request schemas of the intake routes (their answers: :mod:`api.responses`)."""
    item = item_schema()
    item["properties"]["category"]["enum"] = _leaf_codes()
    items = {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_ITEMS,
        "items": {"$ref": REF + "IncidentIn"},
    }
    bulk = {
        "oneOf": [
            {
                "type": "object",
                "required": ["items"],
                "additionalProperties": False,
                "properties": {"items": items},
            },
            items,
        ]
    }
    return {
        "IncidentIn": item,
        "BulkIn": bulk,
    }


def intake_paths() -> dict[str, Any]:
    """The intake routes: one, bulk, categories."""
    invalid = error(
        "400",
        "IntakeError",
        "Invalid body or items (row-level list); nothing "
        "written. Also a time in the future, an unknown category, a point "
        "outside the token's area or (as configured) outside every grid.",
    )
    too_large = error(
        "413",
        description=f"Body over {MAX_BODY_BYTES // 2**20} MB or more "
        f"than {MAX_ITEMS:,} items; nothing written.",
    )
    return {
        "/api/v1/incidents": {
            "post": {
                "operationId": "createIncident",
                "summary": "Register one incident (source token, scope incidents:write)",
                "description": "Idempotent on (token source, external_id): a replay returns "
                "the stored incident with 200 and `replayed: true`, whatever its content, "
                "also under concurrency. One transaction: the incident, its `register` "
                "timeline event and its encrypted reporter.",
                **token_only("incidents:write"),
                "requestBody": json_body("IncidentIn"),
                "responses": {
                    "201": ok("IncidentCreated", "Registered"),
                    "200": ok("IncidentCreated", "A replay: the stored incident"),
                    **errors("413", s400=invalid, s413=too_large),
                },
            }
        },
        "/api/v1/incidents/bulk": {
            "post": {
                "operationId": "createIncidents",
                "summary": f"Register up to {MAX_ITEMS:,} incidents, all or none",
                "description": 'Body `{"items": [IncidentIn, ...]}` or a bare array. Every '
                "item is validated first: any invalid item refuses the whole batch with a "
                "row-level error list. Replays (stored ids, or repeats inside the body: "
                "the first occurrence wins) return the stored id with `created: false, "
                "replayed: true` (repeats also `duplicate_of`).",
                **token_only("incidents:write"),
                "requestBody": json_body("BulkIn"),
                "responses": {
                    "200": ok("BulkResult", "Per item its id; `summary` counts them."),
                    **errors("413", s400=invalid, s413=too_large),
                },
            }
        },
        "/api/v1/categories": {
            "get": {
                "operationId": "listCategories",
                "summary": "Incident categories: code, parent, zh/en names, default "
                "priority, leaf (only leaves are accepted)",
                **session_or_token(),
                "responses": {"200": ok("Categories", "The category tree"), **errors()},
            }
        },
    }
