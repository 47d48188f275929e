"""The front-desk form (/frontdesk): base-map URLs, the location by a map click, the
duplicate check, and the registration. Thin: the rules are in governance/frontdesk.py."""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, State, callback, html, no_update
from dash.exceptions import PreventUpdate
from flask import request

from callbacks.lang import switch as switch_lang
from geodata import crs
from governance import frontdesk
from governance.access import INCIDENT_REGISTER, require
from governance.errors import MinqingError
from governance.intake_checks import IntakeInvalid
from governance.uow import unit_of_work
from i18n import current_lang, t
from layers import areas
from layers.urls import bounds_to_bbox, int_zoom, padded_bbox
from pages import map_duplicates
from pages.frontdesk_ids import DeskIds as D
from settings import get_settings
from web.security import current_principal, refused

log = logging.getLogger(__name__)
switch_lang(D.LANG_BUTTON, D.LANG_SINK)  # the header's language switch

# The form's fields, by the names governance.frontdesk reads: (component, property).
FIELDS = {
    "category": (D.CATEGORY, "value"),
    "description": (D.DESCRIPTION, "value"),
    "address": (D.ADDRESS, "value"),
    "location": (D.LOCATION, "data"),
    "occurred_at": (D.OCCURRED, "value"),
    "priority": (D.PRIORITY, "value"),
    "reporter_name": (D.REPORTER_NAME, "value"),
    "reporter_phone": (D.REPORTER_PHONE, "value"),
    "form_id": (D.FORM_ID, "data"),
}
FORM = {name: State(cid, prop) for name, (cid, prop) in FIELDS.items()}


@callback(
    Output(D.LAYER_AREAS, "url"),
    Output(D.LAYER_LABELS, "url"),
    Input(D.MAP, "bounds"),
    Input(D.MAP, "zoom"),
)
def layer_urls(bounds: Any, zoom: Any) -> tuple[str, str]:
    """The base map's boundaries and names for the viewport (as on the main map)."""
    require(current_principal(), INCIDENT_REGISTER)
    try:
        z = int_zoom(float(zoom))
        bbox = padded_bbox(bounds_to_bbox(bounds), z)
    except (TypeError, ValueError):
        raise PreventUpdate from None
    return areas.areas_url(bbox, z), areas.labels_url(bbox, z)


def _click_point(click: Any) -> dict[str, float] | None:
    """WGS84 ``{"lon", "lat"}`` of a map click (GCJ-02 tiles: converted back)."""
    latlng = click.get("latlng") if isinstance(click, dict) else None
    try:
        lat, lon = float(latlng["lat"]), float(latlng["lng"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    s = get_settings()
    if s.tile_url and s.tile_crs == "gcj02":
        lon, lat = crs.to_wgs84(lon, lat, "gcj02")
    return {"lon": round(lon, 7), "lat": round(lat, 7)}


@callback(
    Output(D.LOCATION, "data"),
    Output(D.MARKER, "center"),
    Output(D.LOCATION_TEXT, "children"),
    Input(D.MAP, "clickData"),
    prevent_initial_call=True,
)
def pick_location(click: Any) -> tuple[Any, Any, str]:
    """A click on the map places the report there."""
    require(current_principal(), INCIDENT_REGISTER)
    point = _click_point(click)
    if point is None:
        raise PreventUpdate
    latlng = click["latlng"]
    return point, [latlng["lat"], latlng["lng"]], frontdesk.location_text(point, current_lang())


def _errors(err: MinqingError, lang: str) -> html.Div:
    """A refusal as a list of the fields to correct (translated)."""
    if not isinstance(err, IntakeInvalid):
        return html.Div(err.user_message(lang), className="mq-error")
    lines = []
    for e in err.errors:
        detail = (
            t("desk.error.out_of_area", lang, **e.params)
            if e.key == "intake.field.out_of_area"
            else e.message(lang)
        )
        lines.append(html.Li(f"{t(f'desk.field.{e.field}', lang)}：{detail}"))
    return html.Div([t("desk.error.title", lang), html.Ul(lines)], className="mq-error")


@callback(
    Output(D.DUPLICATES, "children"),
    inputs=dict(n_clicks=Input(D.CHECK, "n_clicks")),
    state=dict(form=FORM),
    prevent_initial_call=True,
)
def check(n_clicks: Any, form: dict[str, Any]) -> list[Any]:
    """Possible duplicates of the report before it is registered."""
    if not n_clicks:
        raise PreventUpdate
    lang = current_lang()
    try:
        who = current_principal()
        with unit_of_work(who) as s:
            found = frontdesk.check(s, form, principal=who)
    except MinqingError as err:
        return [_errors(err, lang)]
    body = map_duplicates.candidate_list(found, lang, buttons=False, show_none=True, min_same=1)
    title = html.H3(t("desk.dup.title", lang), className="mq-block-title")
    hint = [html.Div(t("desk.dup.form_hint", lang), className="mq-note")]
    return [title, *body, *(hint if found.get("candidates") else [])]


# What a registration resets: every field but the place (the marker stays where it is),
# and the duplicate list.
RESET = {
    **{name: Output(cid, prop) for name, (cid, prop) in FIELDS.items() if name != "location"},
    "duplicates": Output(D.DUPLICATES, "children", allow_duplicate=True),
}


def _empty_form() -> dict[str, Any]:
    """The reset's values: a fresh form id, the time now, every other field empty."""
    return {
        "form_id": frontdesk.new_form_id(),
        "category": None,
        "description": "",
        "address": "",
        "occurred_at": frontdesk.now_local(),
        "priority": None,
        "reporter_name": "",
        "reporter_phone": "",
        "duplicates": [],
    }


@callback(
    output=dict(message=Output(D.MESSAGE, "children"), reset=RESET),
    inputs=dict(n_clicks=Input(D.SUBMIT, "n_clicks")),
    state=dict(form=FORM),
    prevent_initial_call=True,
)
def submit(n_clicks: Any, form: dict[str, Any]) -> dict[str, Any]:
    """Register the report (once per form id); on success say its id and reset the
    form with a new form id; on a refusal keep the form and list what to correct."""
    if not n_clicks:
        raise PreventUpdate
    lang = current_lang()
    principal = current_principal()
    try:
        with unit_of_work(principal) as s:
            view = frontdesk.register(s, form, principal=principal, client_addr=request.remote_addr)
    except MinqingError as err:
        refused(err, "frontdesk register")
        return {"message": _errors(err, lang), "reset": dict.fromkeys(RESET, no_update)}
    grid = (view.get("grid") or {}).get("name") or t("desk.no_grid", lang)
    key = "desk.done" if view.get("created") else "desk.replayed"
    done = html.Div(t(key, lang, id=view["id"], grid=grid), className="mq-ok mq-desk-done")
    return {"message": done, "reset": _empty_form()}
