"""The emerging hot-spot layer on the map: its URL for the viewport and its legend
(categories, and the stored run's period and method). Kept apart from map_layers.py so
the layer is one switch and two small callbacks."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback
from dash.exceptions import PreventUpdate

from governance import emerging
from governance.access import MAP_VIEW, require
from governance.uow import unit_of_work
from i18n import current_lang
from layers.emerging import emerging_url, legend_section
from layers.urls import bounds_to_bbox, int_zoom, padded_bbox, valid_bounds, valid_zoom
from pages.map_controls import emerging_allowed
from pages.map_ids import MapIds
from web.security import current_principal


def _on(visible: Any) -> bool:
    return isinstance(visible, list) and "emerging" in visible


@callback(
    Output(MapIds.LAYER_EMERGING, "url"),
    Input(MapIds.MAP, "bounds"),
    Input(MapIds.MAP, "zoom"),
    Input(MapIds.LAYERS, "value"),
)
def emerging_layer_url(bounds: Any, zoom: Any, visible: Any) -> str | None:
    """The layer's URL while it is switched on and the user may see it; else None."""
    principal = require(current_principal(), MAP_VIEW)
    if not _on(visible) or not emerging_allowed(principal):
        return None
    if not valid_bounds(bounds) or not valid_zoom(zoom):
        raise PreventUpdate
    z = int_zoom(zoom)
    return emerging_url(padded_bbox(bounds_to_bbox(bounds), z), z)


@callback(Output(MapIds.LEGEND_EMERGING, "children"), Input(MapIds.LAYERS, "value"))
def emerging_legend(visible: Any) -> list[Any]:
    """The layer's legend section while it is on: the categories, period and method."""
    principal = require(current_principal(), MAP_VIEW)
    if not _on(visible) or not emerging_allowed(principal):
        return []
    lang = current_lang()
    with unit_of_work(principal) as s:
        meta = emerging.stored_meta(s, principal, lang)
    return [legend_section(lang, meta)]
