"""Map layers: viewport + filters + layer switches -> each layer's URL; the legend."""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, Patch, callback, ctx
from dash.exceptions import PreventUpdate

from governance.access import MAP_VIEW, require
from governance.catalog import category_groups
from i18n import current_lang
from layers.incidents import colour_by, urgency_view
from layers.legend import IncidentKey, legend
from layers.urls import LayerFilters, valid_bounds, valid_zoom
from layers.view import live_versions, view_urls
from pages.map_controls import coverage_allowed, persons_mode
from pages.map_ids import MapIds
from pages.map_playback import PlaybackIds
from web.security import current_principal

log = logging.getLogger(__name__)

# The map's filter controls, by the names LayerFilters.from_inputs takes (the layers, the
# export menu and the side panel read them).
FILTERS = {
    "window": Input(MapIds.WINDOW, "value"),
    "start": Input(MapIds.DATES, "start_date"),
    "end": Input(MapIds.DATES, "end_date"),
    "categories": Input(MapIds.CATEGORIES, "value"),
    "sources": Input(MapIds.SOURCES, "value"),
    "urgency": Input(MapIds.URGENCY, "value"),
    "due": Input(MapIds.DUE, "value"),
}


@callback(
    Output(MapIds.LAYER_AREAS, "url"),
    Output(MapIds.LAYER_CONTEXT, "url"),
    Output(MapIds.LAYER_LABELS, "url"),
    Output(MapIds.LAYER_SITES, "url"),
    Output(MapIds.LAYER_INCIDENTS, "url"),
    Output(MapIds.LAYER_DENSITY, "url"),
    Output(MapIds.LAYER_PERSONS, "url"),
    Output(MapIds.LAYER_COVERAGE, "url"),
    inputs=dict(
        bounds=Input(MapIds.MAP, "bounds"),
        zoom=Input(MapIds.MAP, "zoom"),
        visible=Input(MapIds.LAYERS, "value"),
        filters=FILTERS,
        live=Input(MapIds.LIVE_VERSION, "data"),
        playback=Input(PlaybackIds.ON, "value"),
    ),
)
def layer_urls(
    bounds: Any,
    zoom: float | None,
    visible: list[str] | None,
    filters: dict[str, Any],
    live: dict[str, str] | None,
    playback: Any = None,
) -> tuple[str | None, ...]:
    """Layer URLs for the viewport; hidden layers get None (no request at all). The
    key-persons layer is drawn as the user's capabilities allow (points, counts, none).
    A pushed change bumps ``live`` (assets/js/minqing-live.js): only the incidents and
    density URLs change, so only those layers are fetched again. While time playback is
    on, the live incidents and density layers pause (no URL): the map shows the frame."""
    principal = require(current_principal(), MAP_VIEW)
    if not valid_bounds(bounds) or not valid_zoom(zoom):
        raise PreventUpdate  # the map has not reported its viewport yet
    mode = persons_mode(principal)
    if isinstance(playback, list) and "on" in playback:
        visible = [v for v in visible or [] if v not in ("incidents", "density")]
    return view_urls(
        bounds,
        zoom,
        LayerFilters.from_inputs(**filters),
        visible or [],
        persons_mode=mode,
        live=live_versions(live),
        coverage_allowed=coverage_allowed(principal),
    ).as_tuple()


@callback(
    Output(MapIds.NOW, "value"),
    Output(MapIds.URGENCY, "value"),
    Output(MapIds.COLOUR, "value"),
    Input(MapIds.NOW, "value"),
    Input(MapIds.URGENCY, "value"),
    Input(MapIds.COLOUR, "value"),
    prevent_initial_call=True,
)
def needs_now(now: Any, urgency: Any, colour: Any) -> tuple[list[str], list[str], str]:
    """ "What needs me now" presets the urgency filter (overdue, due soon) and the colour
    (by urgency); switched off, it clears both. Changing either by hand keeps the switch
    on only while both still say what it says."""
    require(current_principal(), MAP_VIEW)
    view = urgency_view(ctx.triggered_id == MapIds.NOW, now, urgency, colour)
    return view.switch, list(view.urgency), view.colour


@callback(
    Output(MapIds.LAYER_INCIDENTS, "hideout"),
    Output(MapIds.LAYER_INCIDENTS, "cluster"),
    Input(MapIds.COLOUR, "value"),
    Input(MapIds.DUE, "value"),
    Input(MapIds.NOW, "value"),
    prevent_initial_call=True,
)
def incident_colours(colour: Any, due: Any, now: Any) -> tuple[Patch, bool]:
    """What an incident's colour means (category or urgency), for its marker function.
    In the "what needs me now" view every case is its own dot (a few dozen, each in its
    urgency's colour), not merged into bubbles; the server still clusters past its cap."""
    require(current_principal(), MAP_VIEW)
    patch = Patch()
    patch["colourBy"] = colour_by(colour)
    patch["dueHours"] = LayerFilters.from_inputs(None, None, None, None, None, None, due).due
    return patch, not (isinstance(now, list) and "now" in now)


@callback(
    Output(MapIds.LEGEND, "children"),
    Input(MapIds.LAYERS, "value"),
    Input(MapIds.DENSITY_STATS, "data"),
    Input(MapIds.COLOUR, "value"),
    Input(MapIds.DUE, "value"),
)
def update_legend(
    visible: list[str] | None, stats: dict[str, Any] | None, colour: Any, due: Any
) -> list[Any]:
    """Legend sections of the visible layers (density numbers from the last response;
    the incidents' colour key as they are coloured now)."""
    principal = require(current_principal(), MAP_VIEW)
    lang = current_lang()
    hours = LayerFilters.from_inputs(None, None, None, None, None, None, due).due
    return legend(
        lang,
        visible or [],
        stats,
        persons_mode(principal),
        coverage_allowed(principal),
        incident_key=IncidentKey(colour_by(colour), hours, category_groups(lang)),
    )
