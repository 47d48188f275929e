"""What is in the map's view, as lists (the keyboard's way to the map's objects).

The same filters as the layers, validated as the layer API validates them
(:class:`governance.layer_query.LayerQuery`), the same access rules (a list of
incidents needs the incidents layer, of sites the sites layer) and the caller's area
scope in SQL. The caller opens the unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from geodata.queries import view_list as q
from governance import layer_query
from governance.access import (
    LAYER_INCIDENTS,
    LAYER_SITES,
    MAP_VIEW,
    PERSONS_POINTS,
    Principal,
    require,
)
from governance.layers import incident_where, level_for_zoom

LIMITS = {"incidents": 20, "sites": 10, "persons": 10, "areas": 20}


@dataclass(frozen=True)
class ViewList:
    """Each list with the number of its objects in the view (more than listed: zoom in)."""

    incidents: list[dict[str, Any]] = field(default_factory=list)
    incidents_total: int = 0
    sites: list[dict[str, Any]] = field(default_factory=list)
    sites_total: int = 0
    areas: list[dict[str, Any]] = field(default_factory=list)
    areas_total: int = 0
    persons: list[dict[str, Any]] = field(default_factory=list)  # no identity
    persons_total: int = 0


def in_view(
    s: Session,
    principal: Principal | None,
    params: Mapping[str, str],
    visible: Iterable[str],
) -> ViewList:
    """The lists for the view and filters of ``params`` (the layer API's parameters:
    bbox, z, window, categories, sources, urgency, due) and the ``visible`` layers. Key
    persons are listed (category, care level, grid: no identity) only for the roles that
    see their points; the others' count badges select a grid, which the areas list has."""
    who = require(principal, MAP_VIEW)
    query = layer_query.parse(params)
    bbox, zoom = query.bbox.as_tuple(), query.z
    on = set(visible)
    out: dict[str, Any] = {}
    if "incidents" in on and who.can(LAYER_INCIDENTS):
        where = incident_where(query, who.scope)
        out["incidents"], out["incidents_total"] = q.incidents(s, bbox, where, LIMITS["incidents"])
    if "sites" in on and who.can(LAYER_SITES):
        out["sites"], out["sites_total"] = q.sites(s, bbox, LIMITS["sites"], who.scope)
    if "persons" in on and who.can(PERSONS_POINTS):  # as the layer: points only for them
        out["persons"], out["persons_total"] = q.persons(s, bbox, LIMITS["persons"], who.scope)
    if "areas" in on:
        level = level_for_zoom(zoom)
        out["areas"], out["areas_total"] = q.areas(s, bbox, level, LIMITS["areas"], who.scope)
    return ViewList(**out)
