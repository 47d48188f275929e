"""The language switch of a screen's header: set the cookie and reload, in the browser
(``minqing.switchLang`` in assets/js/minqing.js); the page is rebuilt in the new language."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback


def switch(button: str, sink: str) -> None:
    """Register the switch of the header whose button and sink have these ids."""
    clientside_callback(
        ClientsideFunction(namespace="minqing", function_name="switchLang"),
        Output(sink, "data"),
        Input(button, "n_clicks"),
        State(button, "value"),
        prevent_initial_call=True,
    )
