"""Time playback on the map: the period and viewport -> the frame URL for the browser.

The only server callback checks access and the period (governance.playback.plan) and
hands assets/js/playback.js a URL and a frame count; the frames themselves go from the
API to the browser, never through Dash (clientside callbacks below).
"""

from __future__ import annotations

from typing import Any

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    no_update,
)
from dash.exceptions import PreventUpdate

from governance import playback
from governance.access import MAP_VIEW, require
from governance.errors import InvalidInput
from i18n import current_lang, t
from layers.playback import frame_url
from layers.urls import bounds_to_bbox, int_zoom, padded_bbox, valid_bounds, valid_zoom
from pages.map_ids import MapIds
from pages.map_playback import PlaybackIds as P
from web.security import current_principal

OFF = {"on": False}


def is_on(value: Any) -> bool:
    """The mode switch's value as the checklist sends it."""
    return isinstance(value, list) and "on" in value


@callback(
    Output(P.CONFIG, "data"),
    Output(P.SLIDER, "max"),
    Output(P.SLIDER, "value"),
    Output(P.SLIDER, "disabled"),
    Output(P.PLAY, "disabled"),
    Output(P.MESSAGE, "children"),
    inputs=dict(
        on=Input(P.ON, "value"),
        start=Input(P.DATES, "start_date"),
        end=Input(P.DATES, "end_date"),
        step=Input(P.STEP, "value"),
        bounds=Input(MapIds.MAP, "bounds"),
        zoom=Input(MapIds.MAP, "zoom"),
    ),
)
def playback_config(on: Any, start: Any, end: Any, step: Any, bounds: Any, zoom: Any) -> tuple:
    """The frame URL of the viewport and period, its frame count for the slider (back to
    the first frame when the period or step changes), or why the period is refused."""
    principal = require(current_principal(), MAP_VIEW)
    if not is_on(on):
        return OFF, no_update, no_update, True, True, ""
    lang = current_lang()
    try:
        per = playback.plan(start, end, step, principal)
    except InvalidInput as err:
        return OFF, no_update, no_update, True, True, err.user_message(lang)
    if not valid_bounds(bounds) or not valid_zoom(zoom):
        raise PreventUpdate  # the map has not reported its viewport yet
    z = int_zoom(zoom)
    config = {
        "on": True,
        "url": frame_url(padded_bbox(bounds_to_bbox(bounds), z), z, per.first, per.last, per.step),
        "frames": per.frames,
        "total": t("playback.total", lang, n="{n}"),
        "failed": t("playback.failed", lang),
        "playText": "▶ " + t("playback.play", lang),
        "pauseText": "⏸ " + t("playback.pause", lang),
    }
    moved = ctx.triggered_id in (MapIds.MAP, None)
    return config, per.frames - 1, no_update if moved else 0, False, False, ""


clientside_callback(  # draw the slider's frame (fetched or prefetched in the browser)
    ClientsideFunction(namespace="minqingPlayback", function_name="show"),
    Output(P.DATE, "children"),
    Input(P.SLIDER, "value"),
    Input(P.CONFIG, "data"),
)

clientside_callback(  # play: the next frame once the one under the slider is drawn
    ClientsideFunction(namespace="minqingPlayback", function_name="tick"),
    Output(P.SLIDER, "value", allow_duplicate=True),
    Input(P.TICK, "n_intervals"),
    State(P.SLIDER, "value"),
    State(P.SLIDER, "max"),
    prevent_initial_call=True,
)

clientside_callback(  # play / pause (and stop when the mode is switched off)
    ClientsideFunction(namespace="minqingPlayback", function_name="toggle"),
    Output(P.PLAY, "title"),
    Input(P.PLAY, "n_clicks"),
    Input(P.CONFIG, "data"),
    State(P.TICK, "disabled"),
    State(P.SLIDER, "value"),
    State(P.SLIDER, "max"),
)

clientside_callback(
    ClientsideFunction(namespace="minqingPlayback", function_name="speed"),
    Output(P.TICK, "interval"),
    Input(P.SPEED, "value"),
)
