"""The OpenAPI 3.1 description of /api/v1 and /healthz.

Request shapes are not written here: parameters and bodies are generated from the models
the server validates with (:mod:`governance.shapes`: the layer query, the intake item, a
transition, a reveal), so the document states exactly the server's rules, and the
vocabularies (layers, categories, sources, CRS, actions, H3 resolutions) come from the
same constants and tables. Every route of the ``/api/v1`` blueprint is here
(tests/integration/test_openapi.py checks the URL map against it) and schemathesis runs
against it in the test suite (tests/integration/test_schemathesis.py).
"""

from __future__ import annotations

from typing import Any

from api.openapi_alerts import alerts_paths, alerts_schemas
from api.openapi_common import (
    JSON,
    REF,
    error,
    errors,
    id_parameter,
    json_body,
    model_schema,
    ok,
    query_parameters,
    security_schemes,
    session_only,
    session_or_token,
)
from api.openapi_intake import intake_paths, intake_schemas
from api.openapi_live import live_paths
from api.openapi_patrol import patrol_paths, patrol_schemas
from api.openapi_playback import playback_paths
from api.responses import response_schemas
from governance import catalog, tokens
from governance.layer_query import LayerQuery
from governance.layers import LAYERS
from governance.reveal_reason import RevealIn
from governance.workflow_params import TransitionIn

TITLE = "MinQing Map API"
VERSION = "1.1.0"


def _layer_parameters() -> list[dict[str, Any]]:
    params = [
        {
            "name": "layer",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "enum": list(LAYERS)},
        },
        *query_parameters(LayerQuery),
    ]
    codes = [c.code for c in catalog.all_categories()]
    for p in params:
        if p["name"] == "categories":
            p["schema"]["items"]["enum"] = codes
    return params


def _layers() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "getLayer",
            "summary": "Features of one layer in a viewport",
            "description": (
                "At most 5,000 features per response. `areas`: polygons of the level "
                "for the zoom (county <=9, street 10, community 11-12, grid >=13). "
                "`incidents`: points, or H3 clusters {cluster, count} when more than the "
                "cap match. `density`: H3 hexagons {cell, count, cls} with top-level "
                "`stats` {res, max, total, breaks}. `persons`: key persons' residence "
                "points (no identity) for roles that visit them, otherwise counts per "
                "grid at the grid's label point (or `mode=counts`). `emerging`: the stored "
                "emerging hot-spot analysis, H3 res-8 hexagons {cell, cat, trend, hot, cold, "
                "total, grid} with top-level `stats` {start, end, weeks, permutations, "
                "computed_at}, for roles with analytics (no token). Every layer is "
                "confined to the caller's area scope; 403 for a role without the layer. "
                "A bearer token needs the `layers:read` scope (every layer but `persons`, "
                "which no token may read). Every parameter is checked whichever layer "
                "uses it. 400 also for what one parameter cannot say: min not below max "
                "in `bbox`, `start` not before `end`, `format=geobuf` but for `areas`."
            ),
            **session_or_token(tokens.LAYERS_READ),
            "parameters": _layer_parameters(),
            "responses": {
                "200": {
                    "description": "A GeoJSON FeatureCollection (or geobuf for areas).",
                    "headers": {
                        "X-Feature-Count": {"schema": {"type": "integer", "minimum": 0}},
                        "X-Truncated": {"schema": {"type": "string", "enum": ["0", "1"]}},
                    },
                    "content": {
                        "application/geo+json": {"schema": {"$ref": REF + "FeatureCollection"}},
                        "application/x-protobuf": {"schema": {}},
                    },
                },
                **errors(),
            },
        }
    }


def _reveal(summary: str, operation: str, what: str, answer: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation,
            "summary": summary,
            "description": "Needs the role's permission and the record in the caller's "
            "area scope; the reason is kept in the audit record, written in the same "
            "transaction.",
            **session_only(),
            "parameters": [id_parameter(what)],
            "requestBody": json_body("RevealIn"),
            "responses": {"200": ok(answer, "Shown in clear"), **errors("404", "413")},
        }
    }


def _incident_paths() -> dict[str, Any]:
    return {
        "/api/v1/incidents/{id}": {
            "get": {
                "operationId": "getIncident",
                "summary": "One incident in the caller's area scope; reporter masked",
                "description": "With a session: the incident, its workflow state and "
                "timeline. A bearer token needs `incidents:read` and reads only its own "
                "source's incidents in its area (others are 404): the intake response "
                "plus status, priority, times and the timeline (no staff names, no "
                "reporter).",
                **session_or_token(tokens.INCIDENTS_READ),
                "parameters": [id_parameter("incident")],
                "responses": {
                    "200": {
                        "description": "The incident",
                        "content": {
                            JSON: {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": REF + "Incident"},
                                        {"$ref": REF + "SourceIncident"},
                                    ]
                                }
                            }
                        },
                    },
                    **errors("404"),
                },
            }
        },
        "/api/v1/incidents/{id}/transitions": {
            "post": {
                "operationId": "transitionIncident",
                "summary": "Move an incident along the closed loop (verify, dispatch, "
                "accept, resolve, close ...)",
                "description": "One transaction: the incident, its timeline step (with "
                "its file), the audit record and a live notification. 400 also when the "
                "action is not allowed from the incident's state or lacks what it needs "
                "(a note, a department, a later date, another incident to merge into).",
                **session_only(),
                "parameters": [id_parameter("incident")],
                "requestBody": json_body("TransitionIn"),
                "responses": {
                    "200": ok("TransitionResult", "The new status and version"),
                    **errors("404", "409", "413"),
                },
            }
        },
        "/api/v1/incidents/{id}/reporter/reveal": _reveal(
            "The incident with its reporter in clear for one view (command centre, "
            "supervisors); needs a reason; audited",
            "revealReporter",
            "incident",
            "Incident",
        ),
        "/api/v1/attachments/{id}": {
            "get": {
                "operationId": "getAttachment",
                "summary": "A file of a timeline step (staff who may see its incident; audited)",
                **session_only(),
                "parameters": [id_parameter("attachment")],
                "responses": {
                    "200": {
                        "description": "The file (images inline, PDFs as a download)",
                        "content": {
                            media: {"schema": {}}
                            for media in (
                                "image/jpeg",
                                "image/png",
                                "image/webp",
                                "application/pdf",
                            )
                        },
                    },
                    **errors("404"),
                },
            }
        },
    }


def _other_paths() -> dict[str, Any]:
    return {
        "/api/v1/persons/{id}": {
            "get": {
                "operationId": "getPerson",
                "summary": "A key person, identity masked (roles that visit key persons)",
                **session_only(),
                "parameters": [id_parameter("key person")],
                "responses": {"200": ok("Person", "Masked identity"), **errors("404")},
            }
        },
        "/api/v1/persons/{id}/reveal": _reveal(
            "The identity in clear for one view; needs a reason; audited",
            "revealPerson",
            "key person",
            "Person",
        ),
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                **session_or_token(),
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    },
                    **errors(),
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Liveness and database status (no sign-in)",
                "security": [],
                "responses": {
                    "200": ok("Health", "Up, database answering"),
                    "400": {
                        "description": "A control character in the query string.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    "503": {
                        **error("503"),
                        "content": {JSON: {"schema": {"$ref": REF + "Health"}}},
                    },
                },
            }
        },
    }


def spec() -> dict[str, Any]:
    """OpenAPI 3.1 document for the public API."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "Layer data for the governance map, incident intake from source "
            "systems, the closed loop of handling, and personal data in clear with a "
            "reason. Messages are in zh-CN or en (`?lang=en`, or the `minqing_lang` cookie; "
            "default: the server's locale). A method a path does not declare is a 405 with `Allow`; an unknown "
            "path a 404.",
        },
        "paths": {
            "/api/v1/layers/{layer}": _layers(),
            **intake_paths(),
            **_incident_paths(),
            **_other_paths(),
            **live_paths(),
            **patrol_paths(),
            **playback_paths(),
            **alerts_paths(),
        },
        "components": {
            "securitySchemes": security_schemes(),
            "schemas": {
                **intake_schemas(),
                **response_schemas(),
                **patrol_schemas(),
                **alerts_schemas(),
                "TransitionIn": model_schema(TransitionIn),
                "RevealIn": model_schema(RevealIn),
            },
        },
    }
