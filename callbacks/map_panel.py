"""The side panel: what was clicked -> selection -> panel contents, highlight, drill-up.
(A person's or a reporter's identity in clear: callbacks/reveal_dialog.py.)"""

from __future__ import annotations

import logging
from typing import Any

from dash import ALL, Input, Output, Patch, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from callbacks.map_layers import FILTERS
from governance import areas as area_service
from governance import duplicates as duplicate_service
from governance import incidents as incident_service
from governance import persons as person_service
from governance import sites as site_service
from governance import workflow as workflow_service
from governance.access import Principal
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang
from layers.urls import LayerFilters
from pages import map_duplicates, map_person, map_reporter, map_workflow
from pages import map_panel as panel
from pages.map_ids import MapIds
from web.security import audit_denied, current_principal

log = logging.getLogger(__name__)

PANEL_OPEN = "mq-card mq-panel mq-panel-open"
PANEL_EMPTY = "mq-card mq-panel"
CRUMBS = {"type": MapIds.CRUMB_TYPE, "area": ALL}
INBOX_ITEMS = {"type": MapIds.INBOX_ITEM_TYPE, "incident": ALL}
VIEW_ITEMS = {"type": MapIds.VIEW_ITEM_TYPE, "kind": ALL, "id": ALL}
# the panel counts by time and category: the layer's own filters re-count nothing
PANEL_FILTERS = {k: v for k, v in FILTERS.items() if k not in ("sources", "urgency", "due")}


def _id(raw: Any) -> int | None:
    """A feature id from a click (any JSON a hand-made request may send), or None."""
    if isinstance(raw, bool):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if 0 < value < 2**63 else None


KINDS = frozenset({"area", "site", "incident", "person"})
INCIDENT_ZOOM = 16  # a case opened from a list or a link: the map flies to it at this zoom


def valid_selection(raw: Any) -> dict[str, Any] | None:
    """The selection store's value as :func:`selection_from_click` writes it, or None
    (a hand-made request may put anything there)."""
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS or _id(raw.get("id")) is None:
        return None
    return {**raw, "id": _id(raw.get("id"))}


def _person_click(props: dict[str, Any]) -> dict[str, Any] | None:
    """A key person's point selects the person; a grid's count badge selects the grid."""
    if props.get("cluster"):
        return None
    if props.get("category") and (pid := _id(props.get("id"))) is not None:
        return {"kind": "person", "id": pid}
    if (gid := _id(props.get("grid_id"))) is not None:
        return {"kind": "area", "id": gid}
    return None


def selection_from_click(trigger: Any, value: Any) -> dict[str, Any] | None:
    """The selection a click means, or None when the click selects nothing (a cluster)."""
    if isinstance(trigger, dict) and trigger.get("type") == MapIds.CRUMB_TYPE:
        aid = _id(trigger.get("area"))
        return {"kind": "area", "id": aid, "fit": True} if value and aid else None
    if isinstance(trigger, dict) and trigger.get("type") == MapIds.VIEW_ITEM_TYPE:
        kind, vid = trigger.get("kind"), _id(trigger.get("id"))
        if not value or vid is None or kind not in ("area", "site", "incident", "person"):
            return None
        if kind == "person":  # its panel moves nothing: the residence is not shown
            return {"kind": kind, "id": vid}
        return {"kind": kind, "id": vid, "fit" if kind == "area" else "fly": True}
    if isinstance(trigger, dict) and trigger.get("type") == MapIds.INBOX_ITEM_TYPE:
        iid = _id(trigger.get("incident"))
        return {"kind": "incident", "id": iid, "fly": True} if value and iid else None
    props = value.get("properties") if isinstance(value, dict) else None
    if not isinstance(props, dict):
        return None
    if trigger == MapIds.LAYER_PERSONS:
        return _person_click(props)
    fid = _id(props.get("id"))
    if props.get("cluster") or fid is None:
        return None
    kind = {
        MapIds.LAYER_AREAS: "area",
        MapIds.LAYER_SITES: "site",
        MapIds.LAYER_INCIDENTS: "incident",
    }.get(trigger)
    if kind is None:
        return None
    out: dict[str, Any] = {"kind": kind, "id": fid}
    if kind == "area":
        out["fit"] = True  # drilling into an area zooms to it
    if kind == "site":
        out["props"] = {k: props.get(k) for k in ("id", "name", "site_type", "risk_grade")}
    return out


CLICKABLE = (
    MapIds.LAYER_AREAS,
    MapIds.LAYER_SITES,
    MapIds.LAYER_INCIDENTS,
    MapIds.LAYER_PERSONS,
)


@callback(
    Output(MapIds.SELECTION, "data"),
    inputs=dict(
        layer_clicks=tuple(Input(layer, "n_clicks") for layer in CLICKABLE),
        crumb_clicks=Input(CRUMBS, "n_clicks"),
        close_clicks=Input(MapIds.PANEL_CLOSE, "n_clicks"),
        inbox_clicks=Input(INBOX_ITEMS, "n_clicks"),
        view_clicks=Input(VIEW_ITEMS, "n_clicks"),
    ),
    state=dict(click_data={layer: State(layer, "clickData") for layer in CLICKABLE}),
    prevent_initial_call=True,
)
def select(click_data: dict[str, Any], **_clicks: Any) -> dict[str, Any] | None:
    """Record what the user picked: an area, site, incident or key person; the close
    button clears. Layers count clicks, so clicking the same feature again (after
    closing its panel, or to mask a person again after a clear view) re-renders it;
    a layer's click gives its ``clickData``, a breadcrumb or inbox item its own value."""
    trigger = ctx.triggered_id
    if trigger == MapIds.PANEL_CLOSE:
        return None
    if trigger in CLICKABLE:
        value = click_data.get(trigger)
    else:
        value = ctx.triggered[0]["value"] if ctx.triggered else None
    selection = selection_from_click(trigger, value)
    if selection is None:
        raise PreventUpdate
    return selection


def _duplicates(s: Session, incident_id: int, who: Principal | None) -> dict[str, Any] | None:
    """The incident's possible duplicates, or None where the viewer may not see them."""
    try:
        return duplicate_service.for_incident(s, incident_id, principal=who)
    except MinqingError:
        return None


def _panel_for(
    selection: dict[str, Any], filters: LayerFilters, lang: str
) -> tuple[list[Any], Any]:
    """Panel children and the map viewport (fit the area when drilling via the breadcrumb)."""
    kind, item_id = selection["kind"], int(selection["id"])
    who = current_principal()
    if kind == "area":
        window, start, end = filters.time_args()
        with unit_of_work(who) as s:
            summary = area_service.area_summary(
                s,
                item_id,
                principal=who,
                window=window,
                start=start,
                end=end,
                categories=list(filters.categories) or None,
                lang=lang,
            )
        minlon, minlat, maxlon, maxlat = summary["area"]["bbox"]
        viewport = (
            {"bounds": [[minlat, minlon], [maxlat, maxlon]]} if selection.get("fit") else no_update
        )
        return panel.area_panel(summary, filters, lang), viewport
    if kind == "incident":
        with unit_of_work(who) as s:
            detail = incident_service.incident_detail(s, item_id, lang, principal=who)
            found = _duplicates(s, detail["id"], who)
            departments = workflow_service.departments(s, lang)
        body = (
            panel.incident_panel(detail, lang)
            + map_workflow.flow_panel(detail, departments, lang)
            + map_reporter.reporter_panel(detail, lang)
            + map_duplicates.duplicates_panel(found, lang)
        )
        point = [detail["lat"], detail["lon"]]
        fly: dict[str, Any] = {"bounds": [point, point], "maxZoom": INCIDENT_ZOOM}
        return body, fly if selection.get("fly") else no_update
    if kind == "person":  # identity masked by the service
        with unit_of_work(who) as s:
            person = person_service.person_detail(s, item_id, lang, principal=who)
        return map_person.person_panel(person, lang), no_update
    with unit_of_work(who) as s:
        site = site_service.site_detail(s, item_id, lang, principal=who)
    spot = [site["lat"], site["lon"]]
    return panel.site_panel(site, lang), (
        {"bounds": [spot, spot], "maxZoom": INCIDENT_ZOOM} if selection.get("fly") else no_update
    )


@callback(
    Output(MapIds.PANEL_BODY, "children"),
    Output(MapIds.PANEL, "className"),
    Output(MapIds.FLY, "data"),
    inputs=dict(selection=Input(MapIds.SELECTION, "data"), controls=PANEL_FILTERS),
)
def render_panel(selection: Any, controls: dict[str, Any]) -> tuple[Any, str, Any]:
    """Show the selection (re-counted when the filters change; the sources filter
    is the layer's own and counts nothing here)."""
    lang = current_lang()
    selection = valid_selection(selection)
    if not selection:
        return panel.hint_panel(lang), PANEL_EMPTY, no_update
    filters = LayerFilters.from_inputs(**controls, sources=None)
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
    selection = valid_selection(selection)
    area_id = selection["id"] if selection and selection["kind"] == "area" else None
    patches = Patch(), Patch()
    for p in patches:
        p["selected"] = area_id
    return patches
