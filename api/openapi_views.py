"""Response schemas of the OpenAPI document: what the read routes answer.

Written out here (the views are built by the use cases in governance/); schemathesis
checks every answer of the test suite against them (tests/integration/test_schemathesis.py),
so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any, Final

STR: Final = {"type": "string"}
INT: Final = {"type": "integer"}
NUM: Final = {"type": "number"}
BOOL: Final = {"type": "boolean"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object with these properties (more may be added later: not closed)."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


def _crumb() -> dict[str, Any]:
    return obj(
        {"id": INT, "name": STR, "level": STR, "level_label": STR, "in_scope": BOOL},
    )


def _files() -> dict[str, Any]:
    return {
        "type": "array",
        "items": obj({"id": INT, "filename": STR, "content_type": STR, "size": INT}),
    }


def _event() -> dict[str, Any]:
    """A timeline step as staff see it (notes with personal data masked)."""
    return obj(
        {"id": INT, "at": STR, "action": STR, "to_status": STR, "version": INT},
        {
            "from_status": nullable(STR),
            "actor_name": nullable(STR),
            "actor_role": nullable(STR),
            "actor_department_id": nullable(INT),
            "department_zh": nullable(STR),
            "department_en": nullable(STR),
            "actor_token_id": nullable(INT),
            "note": nullable(STR),
            "detail": nullable({"type": "object"}),
            "attachments": _files(),
        },
    )


def _workflow() -> dict[str, Any]:
    sla = obj({"stage": STR, "due_at": nullable(STR), "seconds_left": INT, "state": STR})
    suggestion = obj(
        {"lead": nullable(INT), "assist": {"type": "array", "items": INT}},
        {"rule_id": nullable(INT)},
    )
    return obj(
        {
            "status": STR,
            "version": INT,
            "actions": {"type": "array", "items": STR},
            "timeline": {"type": "array", "items": _event()},
        },
        {
            "lead_department_id": nullable(INT),
            "assist_department_ids": {"type": "array", "items": INT},
            "escalation_level": INT,
            "extension_requested_until": nullable(STR),
            "sla": nullable(sla),
            "suggestion": nullable(suggestion),
        },
    )


def view_schemas() -> dict[str, Any]:
    """Components: the read routes' answers."""
    grid = nullable(obj({"id": INT, "code": STR, "name": STR}))
    reporter = nullable(obj({"name": nullable(STR), "phone": nullable(STR), "masked": BOOL}))
    source_event = obj(
        {"at": STR, "action": STR, "to_status": STR, "version": INT},
        {
            "from_status": nullable(STR),
            "actor_role": nullable(STR),
            "actor_name": nullable(STR),
            "department": nullable(obj({"id": INT, "zh": STR, "en": STR})),
            "note": nullable(STR),
        },
    )
    return {
        "Person": obj(
            {
                "id": INT,
                "category": STR,
                "category_label": STR,
                "masked": BOOL,
                "can_reveal": BOOL,
                "breadcrumb": {"type": "array", "items": _crumb()},
            },
            {
                "care_level": nullable(INT),
                **{f: nullable(STR) for f in ("full_name", "id_number", "phone", "address")},
            },
        ),
        "Incident": obj(
            {
                "id": INT,
                "source": STR,
                "category_code": STR,
                "status": STR,
                "priority": INT,
                "lon": NUM,
                "lat": NUM,
                "breadcrumb": {"type": "array", "items": _crumb()},
            },
            {
                "source_label": STR,
                "external_id": nullable(STR),
                "category_name": STR,
                "color": nullable(STR),
                "occurred_at": STR,
                "reported_at": STR,
                "status_label": STR,
                "priority_label": STR,
                "description": nullable(STR),
                "address": nullable(STR),
                "reporter": reporter,
                "can_reveal_reporter": BOOL,
                "workflow": _workflow(),
            },
        ),
        "SourceIncident": obj(
            {
                "id": INT,
                "source": STR,
                "external_id": nullable(STR),
                "category": STR,
                "status": STR,
                "version": INT,
                "priority": INT,
                "occurred_at": STR,
                "reported_at": STR,
                "lon": NUM,
                "lat": NUM,
                "grid": grid,
                "location_flag": nullable(STR),
                "timeline": {"type": "array", "items": source_event},
            }
        ),
        "TransitionResult": obj({"id": INT, "status": STR, "version": INT, "event_id": INT}),
        "Categories": obj(
            {
                "categories": {
                    "type": "array",
                    "items": obj(
                        {
                            "code": STR,
                            "parent": nullable(STR),
                            "name_zh": STR,
                            "name_en": STR,
                            "default_priority": INT,
                            "leaf": BOOL,
                        }
                    ),
                }
            }
        ),
        "FeatureCollection": obj(
            {
                "type": {"const": "FeatureCollection"},
                "features": {
                    "type": "array",
                    "items": obj(
                        {
                            "type": {"const": "Feature"},
                            "geometry": nullable({"type": "object"}),
                            "properties": nullable({"type": "object"}),
                        }
                    ),
                },
            },
            {
                "stats": obj(
                    {"res": INT, "max": INT, "total": INT},
                    {"breaks": {"type": "array", "items": INT}, "cells": INT},
                ),
                "truncated": BOOL,
                "clustered": BOOL,
            },
        ),
        "Health": obj(
            {
                "status": {"enum": ["ok", "degraded"]},
                "database": obj(
                    {"status": {"enum": ["ok", "down"]}},
                    {
                        "postgis": STR,
                        "schema": nullable(STR),
                        "row_security": {"enum": ["enforced", "bypassed"]},
                        "latency_ms": NUM,
                    },
                ),
            }
        ),
    }
