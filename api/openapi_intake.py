"""OpenAPI pieces of incident intake (merged into ``api/openapi.py``), built from the
constants the validation uses."""

from __future__ import annotations

from typing import Any

from geodata import crs
from governance.intake_checks import LIMITS, MAX_BODY_BYTES, MAX_ITEMS, REQUIRED

_REF = "#/components/schemas/"


def intake_schemas() -> dict[str, Any]:
    """Request and response schemas of the intake routes."""
    return {
        "IncidentIn": {
            "type": "object",
            "required": list(REQUIRED),
            "additionalProperties": False,
            "description": (
                "One incident. The source is the token's, never the body's. Coordinates "
                "in `crs` are converted to WGS84; a pair outside China whose swap lies "
                "inside is swapped (`location_flag: swapped_lat_lon`); a point in no grid "
                "is kept with `location_flag: outside_jurisdiction` or refused, as "
                "configured (MINQING_INTAKE_OUTSIDE). A token with an area accepts only "
                "points inside it."
            ),
            "properties": {
                "external_id": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": LIMITS["external_id"],
                    "description": "The id in the source system: the idempotency key "
                    "together with the token's source.",
                },
                "category": {
                    "type": "string",
                    "description": "A leaf code of GET /api/v1/categories.",
                },
                "occurred_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "ISO 8601; without a zone, Asia/Shanghai. Not before "
                    "2000, not more than 10 minutes ahead.",
                },
                "lon": {"type": "number"},
                "lat": {"type": "number"},
                "crs": {"type": "string", "enum": list(crs.SUPPORTED), "default": "wgs84"},
                "priority": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 4,
                    "description": "1 urgent .. 4 low; default: the category's.",
                },
                "description": {"type": "string", "maxLength": LIMITS["description"]},
                "address": {"type": "string", "maxLength": LIMITS["address"]},
                "reporter": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "Stored encrypted; never echoed in clear.",
                    "properties": {
                        "name": {"type": "string", "maxLength": LIMITS["name"]},
                        "phone": {
                            "type": "string",
                            "maxLength": LIMITS["phone"],
                            "pattern": "^[0-9+\\- ]+$",
                        },
                    },
                },
            },
        },
        "IncidentCreated": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "created": {"type": "boolean"},
                "replayed": {"type": "boolean"},
                "differs": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Replays only: fields whose content differs from the "
                    "stored incident (which is kept as it is).",
                },
                "lon": {"type": "number", "description": "Stored WGS84, 7 decimals."},
                "lat": {"type": "number"},
                "grid": {
                    "type": "object",
                    "nullable": True,
                    "properties": {
                        "id": {"type": "integer"},
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                    },
                },
                "location_flag": {
                    "type": "string",
                    "nullable": True,
                    "enum": ["swapped_lat_lon", "outside_jurisdiction", None],
                },
                "status": {"type": "string"},
                "version": {"type": "integer"},
                "possible_duplicates": {
                    "type": "array",
                    "description": "This source's own open incidents of the same category "
                    "within MINQING_DUPLICATE_METERS and MINQING_DUPLICATE_HOURS, nearest "
                    "first (at most 10; other channels' reports are never listed). "
                    "Bulk responses do not carry them.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "external_id": {"type": "string"},
                            "category": {"type": "string"},
                            "status": {"type": "string"},
                            "occurred_at": {"type": "string", "format": "date-time"},
                            "distance_m": {"type": "number"},
                        },
                    },
                },
            },
        },
        "IntakeError": {
            "type": "object",
            "description": "Nothing was written. `errors` lists every problem (at most "
            "200), `error_count` how many there are.",
            "properties": {
                "error": {"type": "string"},
                "message": {"type": "string"},
                "key": {"type": "string"},
                "error_count": {"type": "integer"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "index": {"type": "integer"},
                            "field": {"type": "string"},
                            "key": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        },
    }


def intake_paths(error: dict[str, Any]) -> dict[str, Any]:
    """The intake routes: one, bulk, categories."""
    invalid = {
        "description": "Invalid body or items; nothing written.",
        "content": {"application/json": {"schema": {"$ref": _REF + "IntakeError"}}},
    }
    too_large = {
        "description": f"Body over {MAX_BODY_BYTES // 2**20} MB or more than {MAX_ITEMS:,} "
        "items; nothing written.",
        "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}},
    }
    token_errors = {"401": error, "403": error, "413": too_large}
    return {
        "/api/v1/incidents": {
            "post": {
                "summary": "Register one incident (source token, scope incidents:write)",
                "description": "Idempotent on (token source, external_id): a replay returns "
                "the stored incident with 200 and `replayed: true`, whatever its content, "
                "also under concurrency. One transaction: the incident, its `register` "
                "timeline event and its encrypted reporter.",
                "security": [{"bearerAuth": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": _REF + "IncidentIn"}}},
                },
                "responses": {
                    "201": {
                        "description": "Registered",
                        "content": {
                            "application/json": {"schema": {"$ref": _REF + "IncidentCreated"}}
                        },
                    },
                    "200": {"description": "A replay: the stored incident"},
                    "400": invalid,
                    **token_errors,
                },
            }
        },
        "/api/v1/incidents/bulk": {
            "post": {
                "summary": f"Register up to {MAX_ITEMS:,} incidents, all or none",
                "description": 'Body `{"items": [IncidentIn, ...]}` or a bare array. Every '
                "item is validated first: any invalid item refuses the whole batch with a "
                "row-level error list. Replays (stored ids, or repeats inside the body: "
                "the first occurrence wins) return the stored id with `created: false, "
                "replayed: true` (repeats also `duplicate_of`).",
                "security": [{"bearerAuth": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "maxItems": MAX_ITEMS,
                                        "items": {"$ref": _REF + "IncidentIn"},
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "`summary` {items, created, replayed} and per item "
                        "{index, id, created, replayed?, duplicate_of?}",
                    },
                    "400": invalid,
                    **token_errors,
                },
            }
        },
        "/api/v1/categories": {
            "get": {
                "summary": "Incident categories: code, parent, zh/en names, default "
                "priority, leaf (only leaves are accepted)",
                "security": [{"cookieAuth": []}, {"bearerAuth": []}],
                "responses": {"200": {"description": "{categories: [...]}"}, "401": error},
            }
        },
    }
