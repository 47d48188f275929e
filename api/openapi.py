"""The OpenAPI 3 description of /api/v1, built from the same constants the code uses."""

from __future__ import annotations

from typing import Any

from api.openapi_intake import intake_paths, intake_schemas
from api.openapi_live import live_paths
from geodata.models import H3_RESOLUTIONS, AreaLevel, IncidentSource, SiteType
from governance import tokens
from governance.filters import WINDOWS
from governance.layers import LAYERS

TOKEN_SCOPES = {  # the vocabulary of source tokens (governance.tokens.SOURCE_SCOPES)
    tokens.INCIDENTS_WRITE: "report incidents of the token's source",
    tokens.INCIDENTS_READ: "read incidents",
    tokens.LAYERS_READ: "the map layers without personal data (areas, labels, sites, "
    "incidents, density; never persons)",
}


def _param(name: str, desc: str, schema: dict[str, Any], required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": desc,
        "schema": schema,
    }


def _security_schemes() -> dict[str, Any]:
    """Browser sessions (cookie + CSRF header) and machine tokens (bearer, no CSRF)."""
    return {
        "cookieAuth": {
            "type": "apiKey",
            "in": "cookie",
            "name": "minqing_session",
            "description": "A signed-in browser session. State-changing requests also send "
            "the session's CSRF token in the X-CSRFToken header.",
        },
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "mq_<43 characters>",
            "description": (
                "`Authorization: Bearer mq_...`: a token of one intake source's system, "
                "issued by `python app.py tokens add --source ... --scope ...` and shown "
                "once. No cookie, no CSRF token. A revoked, expired or unknown token is a "
                "401. Scopes: "
                + "; ".join(f"`{name}`: {what}" for name, what in TOKEN_SCOPES.items())
                + ". A token with an area (`--area`) reads only that area."
            ),
        },
    }


def spec() -> dict[str, Any]:
    """OpenAPI 3.0 document for the public API."""
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    reason_body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {"reason": {"type": "string", "minLength": 4}},
                }
            }
        },
    }
    time_params = [
        _param(
            "window",
            "Named time window (ignored when start/end are given).",
            {"type": "string", "enum": list(WINDOWS), "default": "30d"},
        ),
        _param(
            "start", "First local day (Asia/Shanghai), YYYY-MM-DD or ISO 8601.", {"type": "string"}
        ),
        _param("end", "Last local day, inclusive, YYYY-MM-DD or ISO 8601.", {"type": "string"}),
        _param(
            "categories",
            "Comma-separated category codes (groups expand to leaves).",
            {"type": "string"},
        ),
        _param(
            "sources",
            "Comma-separated intake channels.",
            {"type": "string", "example": ",".join(s.value for s in IncidentSource)},
        ),
    ]
    error = {
        "description": "Invalid parameters: JSON {error, message, key}.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "MinQing Map API",
            "version": "1.0.0",
            "description": "Layer data for the governance map, by viewport and zoom.",
        },
        "paths": {
            "/api/v1/layers/{layer}": {
                "get": {
                    "summary": "Features of one layer in a viewport",
                    "description": (
                        "At most 5,000 features per response. `areas`: polygons of the level "
                        "for the zoom (county <=9, street 10, community 11-12, grid >=13). "
                        "`incidents`: points, or H3 clusters {cluster, count} when more than the "
                        "cap match. `density`: H3 hexagons {cell, count, cls} with top-level "
                        "`stats` {res, max, total, breaks}. `persons`: key persons' residence "
                        "points (no identity) for roles that visit them, otherwise counts per "
                        "grid at the grid's label point (or `mode=counts`). Every layer is "
                        "confined to the caller's area scope; 401 without a session, 403 for a "
                        "role without the layer. A bearer token needs the `layers:read` scope "
                        "(every layer but `persons`, which no token may read)."
                    ),
                    "security": [{"cookieAuth": []}, {"bearerAuth": []}],
                    "parameters": [
                        {
                            "name": "layer",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": list(LAYERS)},
                        },
                        _param(
                            "bbox",
                            "minlon,minlat,maxlon,maxlat (WGS84).",
                            {"type": "string", "example": "115.0,22.6,116.2,23.6"},
                            True,
                        ),
                        _param(
                            "z",
                            "Web-map zoom level.",
                            {"type": "number", "minimum": 0, "maximum": 22},
                            True,
                        ),
                        _param(
                            "format",
                            "geobuf is available for `areas`.",
                            {"type": "string", "enum": ["geojson", "geobuf"]},
                        ),
                        _param(
                            "level",
                            "Area level (areas only).",
                            {"type": "string", "enum": [lv.value for lv in AreaLevel]},
                        ),
                        _param(
                            "types",
                            "Comma-separated site types (sites only).",
                            {
                                "type": "string",
                                "example": ",".join(s.value for s in list(SiteType)[:3]),
                            },
                        ),
                        _param(
                            "res",
                            "H3 resolution (density only; default from zoom).",
                            {"type": "integer", "enum": list(H3_RESOLUTIONS)},
                        ),
                        *time_params,
                    ],
                    "responses": {
                        "200": {
                            "description": "A GeoJSON FeatureCollection (or geobuf).",
                            "content": {
                                "application/geo+json": {"schema": {"type": "object"}},
                                "application/x-protobuf": {},
                            },
                        },
                        "400": error,
                        "401": error,
                        "403": error,
                    },
                }
            },
            "/api/v1/persons/{id}": {
                "get": {
                    "summary": "A key person, identity masked (roles that visit key persons)",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "Masked identity"},
                        "403": error,
                        "404": error,
                    },
                }
            },
            "/api/v1/persons/{id}/reveal": {
                "post": {
                    "summary": "The identity in clear for one view; needs a reason; audited",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["reason"],
                                    "properties": {"reason": {"type": "string", "minLength": 4}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "Identity in clear"},
                        "400": error,
                        "403": error,
                        "404": error,
                    },
                }
            },
            **intake_paths(error),
            **live_paths(error),
            "/api/v1/incidents/{id}": {
                "get": {
                    "summary": "One incident in the caller's area scope; reporter masked",
                    "description": "A bearer token needs `incidents:read` and reads only "
                    "its own source's incidents in its area (others are 404): the intake "
                    "response plus status, priority, times and the timeline (no staff "
                    "names, no reporter).",
                    "security": [{"cookieAuth": []}, {"bearerAuth": []}],
                    "parameters": [id_param],
                    "responses": {
                        "200": {"description": "The incident"},
                        "403": error,
                        "404": error,
                    },
                }
            },
            "/api/v1/incidents/{id}/reporter/reveal": {
                "post": {
                    "summary": "The incident with its reporter in clear for one view "
                    "(command centre, supervisors); needs a reason; audited",
                    "parameters": [id_param],
                    "requestBody": reason_body,
                    "responses": {
                        "200": {"description": "Reporter in clear"},
                        "400": error,
                        "403": error,
                        "404": error,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness and database status",
                    "responses": {
                        "200": {"description": "Up, database answering"},
                        "503": {"description": "Database unavailable"},
                    },
                }
            },
        },
        "components": {
            "securitySchemes": _security_schemes(),
            "schemas": {
                **intake_schemas(),
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string", "description": "zh-CN or en"},
                        "key": {"type": "string"},
                    },
                },
            },
        },
    }
