"""Pieces every operation of the OpenAPI document uses: error answers, security, and
parameters and bodies generated from the request models (:mod:`governance.shapes`)."""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel

from governance import tokens
from governance.request_model import shape_of

REF: Final = "#/components/schemas/"
JSON: Final = "application/json"
TOKEN_SCOPES: Final = {  # the vocabulary of source tokens (governance.tokens.SOURCE_SCOPES)
    tokens.INCIDENTS_WRITE: "report incidents of the token's source",
    tokens.INCIDENTS_READ: "read incidents",
    tokens.LAYERS_READ: "the map layers without personal data (areas, labels, sites, "
    "incidents, density; never persons)",
}
# What each error status means on every route that can answer it.
STATUS_TEXT: Final = {
    "400": "Invalid request: a parameter or the body breaks the rule stated for it, a "
    "control character in the path or query string, or (where noted) a rule this "
    "document cannot state (a time in the future, an action the incident's state does "
    "not allow). Nothing was changed.",
    "401": "Not signed in, the session expired, or the bearer token is unknown, revoked "
    "or expired.",
    "403": "Signed in, but the role, the token's scopes or the area scope do not allow "
    "this; also a state-changing request without the session's CSRF token, from another "
    "site, or by an account that must first change its password or has no role yet.",
    "404": "No such record, or not one this caller may know of.",
    "409": "The incident changed since the caller read it: `current_version` is its "
    "version now. Nothing was changed.",
    "413": "The body is larger than this route accepts. Nothing was changed.",
    "503": "The database cannot be reached; try again after `Retry-After` seconds.",
}


def error(status: str, schema: str = "Error", description: str | None = None) -> dict:
    """An error answer: JSON ``{error, message, key}`` (``schema``)."""
    out: dict[str, Any] = {
        "description": description or STATUS_TEXT[status],
        "content": {JSON: {"schema": {"$ref": REF + schema}}},
    }
    if status == "503":
        out["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return out


def errors(*statuses: str, **special: dict[str, Any]) -> dict[str, Any]:
    """Error answers of an operation: 400, 401, 403 and 503 (every signed-in route can
    answer them) plus ``statuses``; ``special`` overrides one (``s413=...``)."""
    out = {s: error(s) for s in ("400", "401", "403", *statuses, "503")}
    for name, value in special.items():
        out[name.removeprefix("s")] = value
    return out


def security_schemes() -> dict[str, Any]:
    """Browser sessions (cookie + CSRF header) and machine tokens (bearer, no CSRF)."""
    return {
        "cookieAuth": {
            "type": "apiKey",
            "in": "cookie",
            "name": "minqing_session",
            "description": "A signed-in browser session. State-changing requests also send "
            "the session's CSRF token (cookie `_csrf_token`) in the `X-CSRFToken` header "
            "(else 403).",
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


def session_only() -> dict[str, Any]:
    """An operation's security: a signed-in session only (a bearer token gets 403)."""
    return {"security": [{"cookieAuth": []}]}


def session_or_token(*scopes: str) -> dict[str, Any]:
    """An operation's security: a session, or a bearer token with ``scopes`` (listed in
    ``x-token-scopes``: an http scheme's requirement carries no scopes)."""
    out: dict[str, Any] = {"security": [{"cookieAuth": []}, {"bearerAuth": []}]}
    if scopes:
        out["x-token-scopes"] = list(scopes)
    return out


def token_only(*scopes: str) -> dict[str, Any]:
    """An operation's security: a source system's bearer token with ``scopes``."""
    return {"security": [{"bearerAuth": []}], "x-token-scopes": list(scopes)}


def id_parameter(what: str) -> dict[str, Any]:
    """A record id in the path (``<id:...>`` in api/routes.py: no sign, no leading zero,
    at most 18 digits)."""
    return {
        "name": "id",
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 999_999_999_999_999_999},
    }


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters of ``model``, as its shapes state them (a number's text form
    is the number: every query value is text)."""
    out = []
    for name in model.model_fields:
        shape = shape_of(model, name)
        schema = shape.schema()
        if "anyOf" in schema:
            schema = schema["anyOf"][0]
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": shape.required,
            "schema": schema,
        }
        if shape.description:
            param["description"] = shape.description
        if schema.get("type") == "array":
            param |= {"style": "form", "explode": False}
        out.append(param)
    return out


def json_body(name: str, description: str | None = None) -> dict[str, Any]:
    """A required JSON request body of schema ``name``."""
    out: dict[str, Any] = {
        "required": True,
        "content": {JSON: {"schema": {"$ref": REF + name}}},
    }
    if description:
        out["description"] = description
    return out


def ok(name: str, description: str, media: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"$ref": REF + name}}}}


def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A request model's JSON Schema, refs pointing into the document's components."""
    out = model.model_json_schema(ref_template=REF + "{model}")
    out.pop("$defs", None)
    return out
