"""What every layer module shares: the JS namespace, map panes, the coordinate hook."""

from __future__ import annotations

from typing import Any, Final, Literal

from dash_extensions.javascript import Namespace

# Functions defined in assets/js/minqing.js under window.minqing.map.
MAP_JS: Final = Namespace("minqing", "map")

TileCrs = Literal["wgs84", "gcj02"]


class Panes:
    """Leaflet panes (z-order set in assets/css/minqing.css), bottom to top."""

    BASE: Final = "mq-base"  # area polygons: the land of the offline base map
    DENSITY: Final = "mq-density"  # H3 hexagons
    CONTEXT: Final = "mq-context"  # boundaries one level up (lines)
    LABELS: Final = "mq-labels"  # area names
    SITES: Final = "mq-sites"  # key-site dots (icons use the marker pane)
    INCIDENTS: Final = "mq-incidents"  # incident circles (clusters use the marker pane)
    PERSONS: Final = "mq-persons"  # key-person rings (counts and clusters: marker pane)

    ALL: Final = (BASE, DENSITY, CONTEXT, LABELS, SITES, INCIDENTS, PERSONS)


def js(name: str) -> dict[str, str]:
    """Reference to ``window.minqing.map.<name>`` for a dash-leaflet functional prop."""
    return MAP_JS(name)


def coords_hook(tile_crs: str | None) -> dict[str, Any]:
    """GeoJSON kwargs shifting WGS84 data onto GCJ-02 tiles (empty for WGS84 tiles)."""
    return {"coordsToLatLng": js("coordsGcj02")} if tile_crs == "gcj02" else {}
