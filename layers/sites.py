"""Key sites (重点场所): a glyph badge per type, coloured by risk grade, ringed by patrol status.

Zoomed out (below ``ICON_ZOOM``) a site is a small risk-coloured dot, and below
``ALL_ZOOM`` only sites of risk grade ``MIN_RISK_ZOOMED_OUT`` and up are drawn; from
``ICON_ZOOM`` each site is a badge with its type glyph. Risk colours follow the Chinese four-colour risk
scale (重大 red, 较大 orange, 一般 yellow, 低 blue).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import dash_leaflet as dl

from i18n import t
from layers.common import Panes, coords_hook, js
from layers.urls import BBox, layer_url

SITE_TYPES: Final = (
    "school",
    "kindergarten",
    "market",
    "construction",
    "gas_station",
    "hazchem",
    "elderly_care",
    "rental_housing",
    "hospital",
    "entertainment",
)
RISK_GRADES: Final = (1, 2, 3, 4)
# a site's patrol status (geodata/queries/layers.sites_geojson), drawn as a ring
PATROL_STATES: Final = ("failed", "overdue", "due", "done")
# each at least 3:1 against the light map (WCAG 1.4.11), risk 2 with dark badge text
RISK_COLORS: Final[dict[int, str]] = {1: "#2f7ed8", 2: "#b58700", 3: "#c8590a", 4: "#d7263d"}
ICON_ZOOM: Final = 13
ALL_ZOOM: Final = 12
MIN_RISK_ZOOMED_OUT: Final = 3
# At city zoom the incidents lead: only the major-risk sites, drawn faintly (minqing.css
# .mq-site-dot), so that a day's few dozen cases are not lost among hundreds of squares.
CITY_ZOOM: Final = 10
MIN_RISK_CITY: Final = 4


def site_hideout(lang: str) -> dict[str, Any]:
    """Colours, glyphs and translated labels for the site markers and tooltips."""
    return {
        "riskColors": {str(g): c for g, c in RISK_COLORS.items()},
        "glyphs": {st: t(f"legend.glyph.{st}", lang) for st in SITE_TYPES},
        "types": {st: t(f"site.{st}", lang) for st in SITE_TYPES},
        "risks": {str(g): t(f"risk.{g}", lang) for g in RISK_GRADES},
        "patrol": {st: t(f"legend.patrol.{st}", lang) for st in PATROL_STATES},
        "iconZoom": ICON_ZOOM,
        "allZoom": ALL_ZOOM,
        "minRiskZoomedOut": MIN_RISK_ZOOMED_OUT,
        "cityZoom": CITY_ZOOM,
        "minRiskCity": MIN_RISK_CITY,
        "pane": Panes.SITES,
    }


def sites_url(bbox: BBox, zoom: int, types: Sequence[str] | None = None) -> str:
    params = {"types": ",".join(sorted(types))} if types else {}
    return layer_url("sites", bbox, zoom, params)


def sites_layer(component_id: str, lang: str, tile_crs: str | None = None) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=component_id,
        url=None,
        pointToLayer=js("sitePoint"),
        filter=js("siteFilter"),
        hideout=site_hideout(lang),
        **coords_hook(tile_crs),
    )
