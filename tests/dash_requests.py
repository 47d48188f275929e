"""Callback request bodies as Dash's renderer sends them, for tests that call callbacks
over HTTP (the guard, web/dash_body.py, checks each argument against its declaration)."""

from __future__ import annotations

import json
from typing import Any


def item(dep: dict[str, Any], value: Any = None) -> dict[str, Any] | list[Any]:
    """The body's item for one declared input or state: ``{id, property, value}``, or for
    a pattern id what Dash sends when no component matches (ALL: an empty list)."""
    cid = dep["id"]
    if isinstance(cid, str) and cid.startswith("{"):
        cid = json.loads(cid)
    if isinstance(cid, dict):
        if ["MATCH"] not in cid.values():
            return []
        cid = {k: (1 if v == ["MATCH"] else v) for k, v in cid.items()}
    return {"id": cid, "property": dep["property"], "value": value}
