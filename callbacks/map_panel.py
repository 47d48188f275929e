"""The side panel: what was clicked -> selection -> panel contents, highlight, drill-up."""

from __future__ import annotations

import logging
from typing import Any

from dash import ALL, Input, Output, Patch, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from governance import areas as area_service
from governance import incidents as incident_service
from governance import sites as site_service
from governance.errors import MinqingError
from i18n import current_lang
from layers.urls import LayerFilters
from pages import map_panel as panel
from pages.map_ids import MapIds
from web.security import audit_denied, current_principal

log = logging.getLogger(__name__)

PANEL_OPEN = "mq-card mq-panel mq-panel-open"
PANEL_EMPTY = "mq-card mq-panel"
CRUMBS = {"type": MapIds.CRUMB_TYPE, "area": ALL}


def selection_from_click(trigger: Any, value: Any) -> dict[str, Any] | None:
    """The selection a click means, or None when the click selects nothing (a cluster)."""
    if isinstance(trigger, dict) and trigger.get("type") == MapIds.CRUMB_TYPE:
        return {"kind": "area", "id": int(trigger["area"]), "fit": True} if value else None
    props = (value or {}).get("properties") or {}
    if props.get("cluster") or props.get("id") is None:
        return None
    kind = {
        MapIds.LAYER_AREAS: "area",
        MapIds.LAYER_SITES: "site",
        MapIds.LAYER_INCIDENTS: "incident",
    }.get(trigger)
    if kind is None:
        return None
    out: dict[str, Any] = {"kind": kind, "id": int(props["id"])}
    if kind == "site":
        out["props"] = {k: props.get(k) for k in ("id", "name", "site_type", "risk_grade")}
    return out


@callback(
    Output(MapIds.SELECTION, "data"),
    Input(MapIds.LAYER_AREAS, "clickData"),
    Input(MapIds.LAYER_SITES, "clickData"),
    Input(MapIds.LAYER_INCIDENTS, "clickData"),
    Input(CRUMBS, "n_clicks"),
    Input(MapIds.PANEL_CLOSE, "n_clicks"),
    prevent_initial_call=True,
)
def select(*_clicks: Any) -> dict[str, Any] | None:
    """Record what the user picked: an area, site or incident; the close button clears."""
    trigger = ctx.triggered_id
    if trigger == MapIds.PANEL_CLOSE:
        return None
    value = ctx.triggered[0]["value"] if ctx.triggered else None
    selection = selection_from_click(trigger, value)
    if selection is None:
        raise PreventUpdate
    return selection


def _panel_for(
    selection: dict[str, Any], filters: LayerFilters, lang: str
) -> tuple[list[Any], Any]:
    """Panel children and the map viewport (fit the area when drilling via the breadcrumb)."""
    kind, item_id = selection["kind"], int(selection["id"])
    if kind == "area":
        window, start, end = filters.time_args()
        summary = area_service.area_summary(
            item_id,
            principal=current_principal(),
            window=window,
            start=start,
            end=end,
            categories=list(filters.categories) or None,
            lang=lang,
        )
        minlon, minlat, maxlon, maxlat = summary["area"]["bbox"]
        viewport = (
            {
                "bounds": [[minlat, minlon], [maxlat, maxlon]],
                "transition": "flyToBounds",
                "options": {
                    "duration": 0.6,
                    "paddingTopLeft": [300, 20],
                    "paddingBottomRight": [380, 20],
                },
            }
            if selection.get("fit")
            else no_update
        )
        return panel.area_panel(summary, filters, lang), viewport
    if kind == "incident":
        return panel.incident_panel(
            incident_service.incident_detail(item_id, lang, principal=current_principal()), lang
        ), no_update
    return panel.site_panel(
        site_service.site_detail(item_id, lang, principal=current_principal()), lang
    ), no_update


@callback(
    Output(MapIds.PANEL_BODY, "children"),
    Output(MapIds.PANEL, "className"),
    Output(MapIds.MAP, "viewport"),
    Input(MapIds.SELECTION, "data"),
    Input(MapIds.WINDOW, "value"),
    Input(MapIds.DATES, "start_date"),
    Input(MapIds.DATES, "end_date"),
    Input(MapIds.CATEGORIES, "value"),
)
def render_panel(
    selection: dict[str, Any] | None,
    window: str | None,
    start: str | None,
    end: str | None,
    categories: list[str] | None,
) -> tuple[Any, str, Any]:
    """Show the selection (re-counted when the filters change)."""
    lang = current_lang()
    if not selection:
        return panel.hint_panel(lang), PANEL_EMPTY, no_update
    filters = LayerFilters.from_inputs(window, start, end, categories, None)
    if ctx.triggered_id != MapIds.SELECTION:
        selection = {**selection, "fit": False}  # a filter change never moves the map
    try:
        body, viewport = _panel_for(selection, filters, lang)
    except MinqingError as err:
        log.info("panel for %s: %s", selection, err.key, exc_info=True)
        if err.status == 403:
            audit_denied(f"panel {selection.get('kind')} {selection.get('id')}", err.key)
        return panel.error_panel(err.user_message(lang)), PANEL_OPEN, no_update
    return body, PANEL_OPEN, viewport


@callback(
    Output(MapIds.LAYER_AREAS, "hideout"),
    Output(MapIds.LAYER_CONTEXT, "hideout"),
    Input(MapIds.SELECTION, "data"),
    prevent_initial_call=True,
)
def highlight(selection: dict[str, Any] | None) -> tuple[Patch, Patch]:
    """Outline the selected area (in whichever of the two area layers draws its level)."""
    area_id = selection["id"] if selection and selection.get("kind") == "area" else None
    patches = Patch(), Patch()
    for p in patches:
        p["selected"] = area_id
    return patches
