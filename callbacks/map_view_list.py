"""The list of what is in the map's view: opened by its button, refilled as the view,
the layers or the filters change (only while open: a closed list costs nothing)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback
from dash.exceptions import PreventUpdate

from callbacks.map_layers import FILTERS
from governance import catalog
from governance import view_list as service
from governance.access import MAP_VIEW, require
from governance.uow import unit_of_work
from i18n import current_lang
from layers.urls import (
    LayerFilters,
    bounds_to_bbox,
    format_bbox,
    int_zoom,
    valid_bounds,
    valid_zoom,
)
from pages import map_view_list
from pages.map_ids import MapIds
from web.security import current_principal


@callback(
    Output(MapIds.VIEW_LIST_BODY, "children"),
    Output(MapIds.VIEW_LIST_BODY, "hidden"),
    Output(MapIds.VIEW_LIST, "aria-expanded"),
    inputs=dict(
        clicks=Input(MapIds.VIEW_LIST, "n_clicks"),
        bounds=Input(MapIds.MAP, "bounds"),
        zoom=Input(MapIds.MAP, "zoom"),
        visible=Input(MapIds.LAYERS, "value"),
        filters=FILTERS,
    ),
)
def fill_view_list(
    clicks: Any, bounds: Any, zoom: Any, visible: Any, filters: dict[str, Any]
) -> tuple[Any, bool, str]:
    """Open (an odd number of clicks) and filled for the view, or closed and empty."""
    who = require(current_principal(), MAP_VIEW)
    is_open = isinstance(clicks, int) and not isinstance(clicks, bool) and clicks % 2 == 1
    if not is_open:
        return [], True, "false"
    if not valid_bounds(bounds) or not valid_zoom(zoom):
        raise PreventUpdate  # the map has not reported its view yet
    lang = current_lang()
    params = LayerFilters.from_inputs(**filters).params()
    params |= {"bbox": format_bbox(bounds_to_bbox(bounds)), "z": str(int_zoom(zoom))}
    layers = [v for v in visible if isinstance(v, str)] if isinstance(visible, list) else []
    with unit_of_work(who) as s:
        found = service.in_view(s, who, params, layers)
    names = {str(c["code"]): str(c["name"]) for c in catalog.categories(lang)}
    return map_view_list.view_list(found, names, lang), False, "true"
