"""The map's export menu: filters + viewport -> download links (pages/export_menu.py)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback
from dash.exceptions import PreventUpdate

from callbacks.map_layers import FILTERS
from governance.access import MAP_VIEW, require
from i18n import current_lang
from layers.urls import LayerFilters, bounds_to_bbox, format_bbox, valid_bounds
from pages.export_menu import MENU, menu_links
from pages.map_ids import MapIds
from web.security import current_principal


@callback(
    Output(MENU, "children"),
    inputs=dict(bounds=Input(MapIds.MAP, "bounds"), filters=FILTERS),
)
def export_links(bounds: Any, filters: dict[str, Any]) -> list[Any]:
    """Links to the map's layers as files, under its filters and within its view."""
    principal = require(current_principal(), MAP_VIEW)
    if not valid_bounds(bounds):
        raise PreventUpdate  # the map has not reported its view yet
    params = LayerFilters.from_inputs(**filters).params()
    params["bbox"] = format_bbox(bounds_to_bbox(bounds))
    return menu_links(principal, current_lang(), params)
