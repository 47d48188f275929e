"""Incident use cases (read side for now: the detail panel)."""

from __future__ import annotations

from geodata.db import session_scope
from geodata.queries import areas as area_q
from geodata.queries import incidents as q
from governance.access import MAP_VIEW, Principal, require, require_area
from governance.areas import crumb
from governance.errors import NotFound
from governance.filters import LOCAL_TZ
from i18n import t


def incident_detail(incident_id: int, lang: str = "zh-CN", *, principal: Principal | None) -> dict:
    """An incident in the user's scope, with labels in ``lang`` and its breadcrumb."""
    require(principal, MAP_VIEW)
    assert principal is not None
    with session_scope() as s:
        row = q.incident_row(s, int(incident_id))
        if row is None:
            raise NotFound("error.not_found", what=f"incident {incident_id}")
        chain = area_q.ancestry(s, row["grid_id"]) if row["grid_id"] else []
        require_area(principal, chain[-1]["code"] if chain else "")
    fmt = "%Y-%m-%d %H:%M"
    return {
        "id": row["id"],
        "source": row["source"],
        "source_label": t(f"source.{row['source']}", lang),
        "external_id": row["external_id"],
        "category_code": row["category_code"],
        "category_name": row["name_en"] if lang == "en" else row["name_zh"],
        "color": row["color"],
        "occurred_at": row["occurred_at"].astimezone(LOCAL_TZ).strftime(fmt),
        "reported_at": row["reported_at"].astimezone(LOCAL_TZ).strftime(fmt),
        "status": row["status"],
        "status_label": t(f"status.{row['status']}", lang),
        "priority": row["priority"],
        "priority_label": t(f"priority.{row['priority']}", lang),
        "description": row["description"],
        "address": row["address"],
        "lon": row["lon"],
        "lat": row["lat"],
        "breadcrumb": [crumb(c, lang, principal) for c in chain],
    }
