"""Incidents: a coloured circle per incident, bubbles for clusters.

Two kinds of clusters meet here. When a viewport holds more incidents than the API cap,
the server answers with H3-cell clusters (``{"cluster": true, "count": n}``); the browser
then merges nearby points and server clusters with supercluster (``cluster=True``) and
labels each bubble with the summed incident count. Clicking a bubble zooms in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import dash_leaflet as dl

from i18n import t
from layers.common import Panes, coords_hook, js
from layers.urls import BBox, LayerFilters, layer_url

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
