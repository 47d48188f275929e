"""Administrative areas and grids: the interactive polygons, the boundaries one level up
and the area names. Together they are the offline base map.

The level drawn follows the zoom (county <= 9, street 10, community 11-12, grid >= 13, the
API's own rule); each level has its own line weight, heavier for higher levels.
"""

from __future__ import annotations

from typing import Any, Final

import dash_leaflet as dl

from i18n import t
from layers.common import Panes, coords_hook, js
from layers.urls import BBox, layer_url

LEVELS: Final = ("county", "street", "community", "grid")
LAND: Final = "#fbfaf6"  # fill of every area: the land colour of the offline base map

# Line style per level. minZoom is where a level starts to be drawn (weights grow past it).
LEVEL_STYLES: Final[dict[str, dict[str, Any]]] = {
    "county": {"color": "#44546a", "weight": 2.4, "opacity": 0.95, "minZoom": 0},
    "street": {"color": "#5f718a", "weight": 1.5, "opacity": 0.9, "minZoom": 10},
    "community": {"color": "#71839a", "weight": 1.0, "opacity": 0.85, "minZoom": 11},
    "grid": {"color": "#7a8a9e", "weight": 0.6, "opacity": 0.9, "minZoom": 13},
}
FILL: Final[dict[str, Any]] = {"fillColor": LAND, "fillOpacity": 1.0}
SELECTED_STYLE: Final[dict[str, Any]] = {
    "color": "#1a5fd0",
    "weight": 3.2,
    "opacity": 1.0,
    "fillColor": "#dbe8fb",
    "fillOpacity": 1.0,
}
HOVER_STYLE: Final[dict[str, Any]] = {"weight": 2.6, "color": "#1a5fd0", "fillColor": "#eef4fd"}


def level_for_zoom(zoom: int) -> str:
    """The level whose polygons are drawn (and clickable) at ``zoom``."""
    if zoom <= 9:
        return "county"
    if zoom == 10:
        return "street"
    if zoom <= 12:
        return "community"
    return "grid"


def context_level_for_zoom(zoom: int) -> str | None:
    """The level one above :func:`level_for_zoom`, drawn as heavier lines (None at the top)."""
    i = LEVELS.index(level_for_zoom(zoom))
    return LEVELS[i - 1] if i > 0 else None


def level_styles() -> dict[str, dict[str, Any]]:
    """The full style spec per level (line + land fill) sent in the hideout."""
    return {level: {**FILL, **style} for level, style in LEVEL_STYLES.items()}


def area_hideout(lang: str, selected: int | None = None, pane: str = Panes.BASE) -> dict[str, Any]:
    """Hideout of the area layers: styles, selection, translated level names."""
    return {
        "styles": level_styles(),
        "selected": selected,
        "selectedStyle": SELECTED_STYLE,
        "growPerZoom": 0.12,
        "maxGrow": 1.6,
        "contextGrow": 1.4,
        "levels": {level: t(f"level.{level}", lang) for level in LEVELS},
        "pane": pane,
    }


def label_hideout() -> dict[str, Any]:
    return {"pane": Panes.LABELS}


def areas_url(bbox: BBox, zoom: int) -> str:
    return layer_url("areas", bbox, zoom, {"level": level_for_zoom(zoom), "format": "geobuf"})


def context_url(bbox: BBox, zoom: int) -> str | None:
    level = context_level_for_zoom(zoom)
    if level is None:
        return None
    return layer_url("areas", bbox, zoom, {"level": level, "format": "geobuf"})


def labels_url(bbox: BBox, zoom: int) -> str:
    return layer_url("labels", bbox, zoom)


def areas_layer(component_id: str, lang: str, tile_crs: str | None = None) -> dl.GeoJSON:
    """Clickable polygons of the zoom's level (the land of the base map)."""
    return dl.GeoJSON(
        id=component_id,
        url=None,
        format="geobuf",
        style=js("areaStyle"),
        onEachFeature=js("areaEach"),
        hoverStyle=HOVER_STYLE,
        hideout=area_hideout(lang),
        **coords_hook(tile_crs),
    )


def context_layer(component_id: str, lang: str, tile_crs: str | None = None) -> dl.GeoJSON:
    """Boundaries one level up, drawn over the polygons as heavier lines (not clickable)."""
    return dl.GeoJSON(
        id=component_id,
        url=None,
        format="geobuf",
        style=js("areaContextStyle"),
        onEachFeature=js("areaContextEach"),
        hideout=area_hideout(lang, pane=Panes.CONTEXT),
        **coords_hook(tile_crs),
    )


def labels_layer(component_id: str, tile_crs: str | None = None) -> dl.GeoJSON:
    """Area names as permanent text (county bold and large, towns medium, communities small)."""
    return dl.GeoJSON(
        id=component_id,
        url=None,
        pointToLayer=js("labelPoint"),
        hideout=label_hideout(),
        **coords_hook(tile_crs),
    )
