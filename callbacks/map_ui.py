"""Clientside behaviour of the map screen: language switch, panels, date range visibility."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from callbacks import lang
from pages.map_ids import MapIds

lang.switch(MapIds.LANG_BUTTON, MapIds.LANG_SINK)

clientside_callback(
    ClientsideFunction(namespace="minqing", function_name="toggleCollapsed"),
    Output(MapIds.CONTROLS, "className"),
    Input(MapIds.CONTROLS_TOGGLE, "n_clicks"),
    State(MapIds.CONTROLS, "className"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="minqing", function_name="datesStyle"),
    Output(MapIds.DATES_BOX, "style"),
    Input(MapIds.WINDOW, "value"),
)

# The density legend needs the response's "stats": read them with fetch() (the browser
# cache answers, the layer has just loaded the same URL).
clientside_callback(
    ClientsideFunction(namespace="minqing", function_name="densityStats"),
    Output(MapIds.DENSITY_STATS, "data"),
    Input(MapIds.LAYER_DENSITY, "url"),
)

# The home extent on load and every fly-to of the panel, fitted inside the part of the
# map that the cards leave visible (measured in the browser).
clientside_callback(
    f"""function (fly, home) {{
        return window.dash_clientside.minqing.fitVisible(fly, home, "{MapIds.MAP}");
    }}""",
    Output(MapIds.MAP, "viewport"),
    Input(MapIds.FLY, "data"),
    Input(MapIds.HOME, "data"),
)
