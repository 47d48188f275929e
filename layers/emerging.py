"""Emerging hot spots (新兴热点): each H3 cell with a pattern, coloured by its category.

The server sends the stored analysis (``governance/emerging.py``) with the category
(``cat``), the trend of its clustering (``trend``: up / down / flat) and its counts per
cell; the names and words come from the hideout, so the payload is the same in every
language. The palette follows ESRI's emerging hot-spot renderer: reds for hot spots
(darkest for intensifying and persistent, pale for historical), blues mirroring them for
cold spots.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import dash_leaflet as dl
from dash import html

from i18n import t
from layers.common import Panes, coords_hook
from layers.urls import BBox, layer_url

# governance.emerging_stats.KINDS in the same order (layers/ may not import governance/;
# tests/unit/test_layers_emerging.py checks they agree)
KINDS: Final = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
HOT_COLORS: Final = (
    "#ff2a00",  # new
    "#c96a5a",  # consecutive
    "#b30000",  # intensifying
    "#7f0000",  # persistent
    "#f4845f",  # diminishing
    "#ffb3a1",  # sporadic
    "#d98b8b",  # oscillating
    "#ead6d3",  # historical
)
COLD_COLORS: Final = (
    "#0066ff",
    "#5a7bc9",
    "#0033b3",
    "#001f7f",
    "#5f9ef4",
    "#a1c4ff",
    "#8ba3d9",
    "#d3dcea",
)
COLORS: Final = {
    **{f"{k}_hot": c for k, c in zip(KINDS, HOT_COLORS, strict=True)},
    **{f"{k}_cold": c for k, c in zip(KINDS, COLD_COLORS, strict=True)},
}
OPACITY: Final = 0.7
TRENDS: Final = ("up", "down", "flat")
NAMESPACE: Final = "minqing_emerging"  # assets/js/emerging.js


def _js(name: str) -> dict[str, str]:
    return {"variable": f"{NAMESPACE}.{name}"}


def emerging_hideout(lang: str) -> dict[str, Any]:
    return {
        "colors": dict(COLORS),
        "names": {k: t(f"emerging.cat.{k}", lang) for k in COLORS},
        "trends": {k: t(f"emerging.trend_short.{k}", lang) for k in TRENDS},
        "tip": t("emerging.tip", lang),
        "opacity": OPACITY,
        "pane": Panes.DENSITY,
    }


def emerging_url(bbox: BBox, zoom: int) -> str:
    """The layer's URL: the stored result, whatever the map's time window (its own
    period is stated in the legend)."""
    return layer_url("emerging", bbox, zoom)


def emerging_layer(component_id: str, lang: str, tile_crs: str | None = None) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=component_id,
        url=None,
        style=_js("style"),
        onEachFeature=_js("tip"),
        hideout=emerging_hideout(lang),
        **coords_hook(tile_crs),
    )


def legend_section(lang: str, meta: Mapping[str, str] | None) -> html.Div:
    """Each category with its colour, then the stored run's period and method (or that
    there is none yet)."""
    rows: list[Any] = [
        html.Div(
            [
                html.Span(
                    className="mq-swatch-hex", style={"background": colour, "opacity": OPACITY}
                ),
                html.Span(t(f"emerging.cat.{cat}", lang), className="mq-legend-text"),
            ],
            className=f"mq-legend-row mq-legend-emerging-{cat}",
        )
        for cat, colour in COLORS.items()
    ]
    notes = [meta["period"], meta["method"]] if meta else [t("emerging.legend.none", lang)]
    if meta and meta.get("computed"):
        notes.append(meta["computed"])
    rows += [html.Div(n, className="mq-legend-note") for n in notes]
    return html.Div(
        [html.Div(t("layer.emerging", lang), className="mq-legend-title"), *rows],
        className="mq-legend-section mq-legend-emerging",
    )
