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


def router_body(path: str) -> dict[str, Any]:
    """What Dash's renderer posts to render the page at ``path`` (the pages router)."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
