"""Incident density in H3 hexagons, coloured by the class the server assigns (0..5).

The server picks the H3 resolution from the zoom and sends quantile class breaks in the
top-level ``stats`` of the response; the legend reads them from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import dash_leaflet as dl

from layers.common import Panes, coords_hook, js
from layers.urls import BBox, LayerFilters, layer_url

N_CLASSES: Final = 6
# Sequential yellow -> deep red (ColorBrewer YlOrRd, 6 classes).
COLORS: Final = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
OPACITY: Final = 0.62


def density_hideout() -> dict[str, Any]:
    return {"colors": list(COLORS), "opacity": OPACITY, "stroke": "#ffffff", "pane": Panes.DENSITY}


def density_url(bbox: BBox, zoom: int, filters: LayerFilters, version: str | None = None) -> str:
    """The layer's URL; ``version``: see :func:`layers.incidents.incidents_url`."""
    return layer_url("density", bbox, zoom, {**filters.params(), "v": version or ""})


def class_ranges(breaks: Sequence[int], maximum: int | None = None) -> list[tuple[int, int | None]]:
    """``(low, high)`` count range of each class; ``high`` None means open-ended.

    Class ``k`` holds counts ``>= breaks[k-1]`` and ``< breaks[k]`` (class 0 starts at 1).
    """
    lows = [1, *[int(b) for b in breaks]][:N_CLASSES]
    out: list[tuple[int, int | None]] = []
    for k, low in enumerate(lows):
        high = lows[k + 1] - 1 if k + 1 < len(lows) else maximum
        out.append((low, high if high is None or high >= low else low))
    return out


def density_layer(component_id: str, tile_crs: str | None = None) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=component_id,
        url=None,
        style=js("densityStyle"),
        hideout=density_hideout(),
        **coords_hook(tile_crs),
    )
