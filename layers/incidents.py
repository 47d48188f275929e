"""Incidents: a coloured circle per incident, bubbles for clusters.

Two kinds of clusters meet here. When a viewport holds more incidents than the API cap,
the server answers with H3-cell clusters (``{"cluster": true, "count": n}``); the browser
then merges nearby points and server clusters with supercluster (``cluster=True``) and
labels each bubble with the summed incident count. Clicking a bubble zooms in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import dash_leaflet as dl

from i18n import t
from layers.common import Panes, coords_hook, js
from layers.urls import DEFAULT_DUE_HOURS, NEEDS_NOW, BBox, LayerFilters, layer_url

SOURCES: Final = ("grid", "hotline_12345", "police_110", "iot", "public")
STATUSES: Final = (
    "registered",
    "verified",
    "rejected",
    "dispatched",
    "accepted",
    "in_progress",
    "resolved",
    "closed",
    "evaluated",
    "suspended",
    "merged",
)
# Client-side clustering: merge within 60 screen px (extent 256 = Leaflet's tile size, so
# supercluster's pixels are screen pixels), show single incidents from zoom 15.
SUPERCLUSTER: Final[dict[str, Any]] = {"radius": 60, "extent": 256, "maxZoom": 14, "minPoints": 2}


# An incident's urgency now (the API's ``urgency`` property, geodata/queries/case_state.py)
# and its fill colour in the urgency view: each at least 3:1 against the light map and
# the white ring; red and amber are the two that need someone now.
URGENCY_STATES: Final = ("overdue", "due_soon", "running", "waiting", "paused", "closed")
URGENCY_COLORS: Final[dict[str, str]] = {
    "overdue": "#c92a2a",
    "due_soon": "#c8590a",
    "running": "#1864ab",
    "waiting": "#6741d9",
    "paused": "#5c6670",
    "closed": "#2b8a3e",
}
COLOUR_MODES: Final = ("category", "urgency")


def colour_by(raw: object) -> str:
    """What an incident's colour means (anything else than the control sends: category)."""
    return raw if isinstance(raw, str) and raw in COLOUR_MODES else "category"


@dataclass(frozen=True)
class UrgencyView:
    """The "what needs me now" switch, the urgency filter and the colour, kept in step."""

    switch: list[str]
    urgency: tuple[str, ...]
    colour: str


def urgency_view(switched: bool, now: object, urgency: object, colour: object) -> UrgencyView:
    """``switched``: the user flipped the switch (on: overdue + due soon coloured by
    urgency; off: everything, by category). Otherwise the filter or colour changed by
    hand: the switch stays on only while both still match its preset."""
    raw = urgency if isinstance(urgency, list) else None
    chosen = LayerFilters.from_inputs(None, None, None, None, None, raw).urgency
    mode = colour_by(colour)
    if switched:
        on = isinstance(now, list) and "now" in now
        return UrgencyView(
            ["now"] if on else [], NEEDS_NOW if on else (), "urgency" if on else "category"
        )
    matches = set(chosen) == set(NEEDS_NOW) and mode == "urgency"
    return UrgencyView(["now"] if matches else [], chosen, mode)


def incident_hideout(lang: str, category_names: Mapping[str, str]) -> dict[str, Any]:
    """Translated names for tooltips and the cluster bubble texts."""
    return {
        "categories": dict(category_names),
        "statuses": {s: t(f"status.{s}", lang) for s in STATUSES},
        "sources": {s: t(f"source.{s}", lang) for s in SOURCES},
        "clusterTip": t("layer.incidents.cluster_tip", lang),
        "clusterHint": t("layer.incidents.cluster_hint", lang),
        "lang": lang,
        "pane": Panes.INCIDENTS,
        "colourBy": "category",
        "urgencyColors": dict(URGENCY_COLORS),
        "urgencyNames": {
            u: t("urgency.filter.due_soon" if u == "due_soon" else f"legend.urgency.{u}", lang)
            for u in URGENCY_STATES
        },
        "dueHours": DEFAULT_DUE_HOURS,
        "dueText": t("viewlist.due", lang, at="{at}"),
    }


def incidents_url(bbox: BBox, zoom: int, filters: LayerFilters, version: str | None = None) -> str:
    """The layer's URL; ``version`` (live updates) changes it after a change was pushed,
    so the browser refetches instead of answering from its cache."""
    return layer_url("incidents", bbox, zoom, {**filters.params(), "v": version or ""})


def incidents_layer(
    component_id: str, lang: str, category_names: Mapping[str, str], tile_crs: str | None = None
) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=component_id,
        url=None,
        cluster=True,
        superClusterOptions=SUPERCLUSTER,
        zoomToBoundsOnClick=True,
        spiderfyOnMaxZoom=False,  # spiderfy calls getLeaves, which server clusters confuse
        pointToLayer=js("incidentPoint"),
        clusterToLayer=js("incidentCluster"),
        hideout=incident_hideout(lang, category_names),
        **coords_hook(tile_crs),
    )
