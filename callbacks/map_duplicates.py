"""The possible-duplicates block of the incident panel: an id button selects that
incident (the panel then shows it, and the map flies to it)."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, callback, ctx
from dash.exceptions import PreventUpdate

from callbacks.map_panel import _id
from pages.map_duplicates import ITEM_TYPE
from pages.map_ids import MapIds


@callback(
    Output(MapIds.SELECTION, "data", allow_duplicate=True),
    Input({"type": ITEM_TYPE, "incident": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def open_duplicate(_clicks: Any) -> dict[str, Any]:
    """Select the clicked candidate (the panel's own callbacks check scope again)."""
    trigger = ctx.triggered_id
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    incident = _id(trigger.get("incident")) if isinstance(trigger, dict) else None
    if not value or incident is None:
        raise PreventUpdate
    return {"kind": "incident", "id": incident, "fly": True}
