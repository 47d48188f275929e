"""The OpenAPI description of time playback's frames (governance/playback.py)."""

from __future__ import annotations

from typing import Any

from api.openapi_common import JSON, errors, query_parameters, session_or_token
from governance import tokens
from governance.playback import MAX_DAYS, MAX_POINTS, POINTS_MIN_ZOOM, PlaybackQuery


def playback_paths() -> dict[str, Any]:
    """``/api/v1/playback/frame``: one hour or day of incident density."""
    return {
        "/api/v1/playback/frame": {
            "get": {
                "operationId": "getPlaybackFrame",
                "summary": "One frame of time playback: incident density of one hour or day",
                "description": (
                    "Frame `frame` of the local days `start`..`end` (Asia/Shanghai, end "
                    f"inclusive, at most {MAX_DAYS} days) stepped by `step`: the density "
                    "layer's H3 hexagons {cell, count, cls} (resolution from the zoom, "
                    "`stats` inside) for the frame's hour or day in the viewport, confined "
                    "to the caller's area scope (and `area`, inside it), and from zoom "
                    f"{POINTS_MIN_ZOOM} up to {MAX_POINTS} of its incidents as points "
                    "(id, category, colour, status, local time; `null` otherwise or for "
                    "aggregate-only viewers). Who may see the density layer may ask. A past "
                    "frame of hexagons only is cacheable for a day (private, with an ETag); one "
                    "with points is never stored. 400 also for a "
                    "period that ends before it starts or is too long, and for a frame "
                    "outside the period; 403 for an `area` outside the caller's scope."
                ),
                **session_or_token(tokens.LAYERS_READ),
                "parameters": query_parameters(PlaybackQuery),
                "responses": {
                    "200": {
                        "description": "The frame",
                        "headers": {
                            "ETag": {"schema": {"type": "string"}},
                            "X-Feature-Count": {"schema": {"type": "integer", "minimum": 0}},
                            "X-Point-Count": {"schema": {"type": "integer", "minimum": 0}},
                        },
                        "content": {JSON: {"schema": _frame_schema()}},
                    },
                    **errors(),
                },
            }
        }
    }


def _frame_schema() -> dict[str, Any]:
    collection = {"type": "object", "required": ["type", "features"]}
    return {
        "type": "object",
        "required": ["frame", "frames", "step", "start", "end", "label", "density", "points"],
        "properties": {
            "frame": {"type": "integer", "minimum": 0},
            "frames": {"type": "integer", "minimum": 1},
            "step": {"type": "string", "enum": ["hour", "day"]},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "label": {"type": "string"},
            "res": {"type": "integer"},
            "total": {"type": "integer", "minimum": 0},
            "truncated": {"type": "boolean"},
            "density": collection,
            "points": {"anyOf": [collection, {"type": "null"}]},
        },
    }
