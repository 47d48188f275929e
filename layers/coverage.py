"""Patrol coverage (巡查覆盖): each area of the zoom's level coloured by the share of its
visits due in the time window that were done on time.

The server sends ``due`` and ``on_time`` per area (``geodata/queries/patrol_coverage.py``);
the classes below are fixed (a share is good or not whatever the neighbours do). An area
with fewer than ``MIN_DUE`` visits due is drawn hatched grey: too few to judge.
"""

from __future__ import annotations

from typing import Any, Final

import dash_leaflet as dl

from i18n import t
from layers.common import Panes, coords_hook, js
from layers.urls import BBox, LayerFilters, layer_url

# lower bounds of the classes (share done on time), worst first
BREAKS: Final = (0.0, 0.6, 0.8, 0.95)
# red -> green, readable on the light base map (ColorBrewer RdYlGn, 4 classes)
COLORS: Final = ("#d7191c", "#fdae61", "#a6d96a", "#1a9641")
NO_DATA: Final = "#bcc5cf"
MIN_DUE: Final = 5
OPACITY: Final = 0.55


def coverage_hideout(lang: str) -> dict[str, Any]:
    return {
        "breaks": list(BREAKS),
        "colors": list(COLORS),
        "noData": NO_DATA,
        "minDue": MIN_DUE,
        "opacity": OPACITY,
        "pane": Panes.DENSITY,
        "tip": t("legend.coverage.tip", lang),
        "tipNone": t("legend.coverage.none", lang),
    }


def coverage_url(bbox: BBox, zoom: int, filters: LayerFilters) -> str:
    """The layer's URL: the map's time window decides which visits count."""
    params = {k: v for k, v in filters.params().items() if k in ("window", "start", "end")}
    return layer_url("coverage", bbox, zoom, params)


def class_labels(lang: str) -> list[tuple[str, str]]:
    """``(colour, label)`` of each class, best first, then "too few"."""
    bounds = [*BREAKS[1:], 1.0]
    out = [
        (COLORS[k], t("legend.coverage.range", lang, lo=round(100 * lo), hi=round(100 * hi)))
        for k, (lo, hi) in enumerate(zip(BREAKS, bounds, strict=True))
    ]
    return [*reversed(out), (NO_DATA, t("legend.coverage.few", lang, n=MIN_DUE))]


def coverage_layer(component_id: str, lang: str, tile_crs: str | None = None) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=component_id,
        url=None,
        style=js("coverageStyle"),
        onEachFeature=js("coverageTip"),
        hideout=coverage_hideout(lang),
        **coords_hook(tile_crs),
    )
