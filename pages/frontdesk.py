"""The front-desk form (来电来访登记, ``/frontdesk``): a report taken by phone or in
person, located by a click on a small offline map (default: the centre of the user's
area), checked for possible duplicates, then registered through the intake service.

Wired by callbacks/frontdesk.py. Only roles holding ``INCIDENT_REGISTER`` open it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import dash
import dash_leaflet as dl
from dash import dcc, html

from governance import areas as area_service
from governance import catalog, frontdesk
from governance import duplicates as duplicate_service
from governance.access import Principal
from governance.uow import unit_of_work
from i18n import current_lang, t
from layers import areas
from layers.common import Panes
from pages.frontdesk_ids import DeskIds
from pages.header import HeaderIds, page_header, tab_title
from settings import get_settings
from web import outage
from web.security import current_principal

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/frontdesk", title=tab_title("nav.frontdesk"), name="frontdesk")

FALLBACK_BBOX = [115.0, 22.6, 116.2, 23.6]


def _start(principal: Principal | None) -> tuple[list[float], dict[str, float] | None]:
    """Home extent and starting point; the page still renders if the database is down."""
    try:
        with unit_of_work(principal) as s:  # a layout function is a caller: it opens the unit
            bbox = area_service.home_bbox(s, principal)
            point = duplicate_service.start_point(s, principal) if principal else None
    except Exception as exc:
        outage.propagate(exc)  # rendering for a person: a 503 the client retries
        log.warning("front desk: reference data unavailable", exc_info=True)
        return FALLBACK_BBOX, None
    return bbox, ({"lon": point[0], "lat": point[1]} if point else None)


def leaf_options(lang: str) -> list[dict[str, str]]:
    """Leaf categories (the ones intake accepts), labelled "group / leaf"; none while the
    database is down (the form still renders, and registering then says why it failed)."""
    try:
        cats = catalog.all_categories()
    except Exception as exc:
        outage.propagate(exc)
        log.warning("front desk: categories unavailable", exc_info=True)
        return []
    parents = {c.parent_code for c in cats if c.parent_code}
    names = {c.code: c.name(lang) for c in cats}
    return [
        {"label": f"{names.get(c.parent_code or '', '')} / {c.name(lang)}", "value": c.code}
        for c in cats
        if c.code not in parents and c.parent_code
    ]


def _field(label: str, control: Any, key: str) -> html.Label:
    return html.Label(
        [html.Span(label, className="mq-desk-label"), control],
        className=f"mq-desk-field mq-desk-field-{key}",
    )


def desk_map(bbox: Sequence[float], point: Mapping[str, float] | None, lang: str) -> dl.Map:
    """The offline base map (boundaries and names) and the report's marker."""
    minlon, minlat, maxlon, maxlat = bbox
    centre = (
        [point["lat"], point["lon"]] if point else [(minlat + maxlat) / 2, (minlon + maxlon) / 2]
    )
    s = get_settings()
    crs = s.tile_crs if s.tile_url else None
    base: list[Any] = []
    if s.tile_url:
        base.append(dl.TileLayer(url=s.tile_url, attribution=s.tile_attribution or None))
    return dl.Map(
        [
            *base,
            # the panes the layers' style functions draw into (see pages/map.py)
            dl.Pane(
                [areas.areas_layer(DeskIds.LAYER_AREAS, lang, crs)],
                name=Panes.BASE,
                id=f"{DeskIds.PREFIX}-pane-base",
            ),
            dl.Pane(
                [areas.labels_layer(DeskIds.LAYER_LABELS, crs)],
                name=Panes.LABELS,
                id=f"{DeskIds.PREFIX}-pane-labels",
            ),
            dl.CircleMarker(
                id=DeskIds.MARKER,
                center=centre,
                radius=9,
                color="#c0392b",
                fillColor="#e74c3c",
                fillOpacity=0.9,
                interactive=False,
            ),
        ],
        id=DeskIds.MAP,
        center=centre,
        bounds=[[minlat, minlon], [maxlat, maxlon]],
        trackViewport=True,
        minZoom=7,
        maxZoom=18,
        zoomSnap=1,
        attributionControl=bool(s.tile_url),
        className="mq-desk-map " + ("mq-map-tiles" if s.tile_url else "mq-map-offline"),
    )


def form(lang: str, point: Mapping[str, float] | None) -> list[Any]:
    """The form's fields and buttons (also what a reset restores)."""
    priorities = [{"label": t(f"priority.{p}", lang), "value": p} for p in (1, 2, 3, 4)]
    optional = t("desk.placeholder.optional", lang)
    return [
        _field(
            t("desk.field.category", lang),
            dcc.Dropdown(id=DeskIds.CATEGORY, options=leaf_options(lang), clearable=True),
            "category",
        ),
        _field(
            t("desk.field.description", lang),
            dcc.Textarea(
                id=DeskIds.DESCRIPTION,
                value="",
                maxLength=2000,
                placeholder=t("desk.placeholder.description", lang),
            ),
            "description",
        ),
        _field(
            t("desk.field.address", lang),
            dcc.Input(
                id=DeskIds.ADDRESS,
                type="text",
                value="",
                maxLength=200,
                placeholder=t("desk.placeholder.address", lang),
            ),
            "address",
        ),
        html.Div(
            [
                html.Span(t("desk.field.location", lang), className="mq-desk-label"),
                html.Span(frontdesk.location_text(point, lang), id=DeskIds.LOCATION_TEXT),
                html.Div(t("desk.location.hint", lang), className="mq-note"),
            ],
            className="mq-desk-field mq-desk-field-location",
        ),
        html.Div(
            [
                _field(
                    t("desk.field.occurred_at", lang),
                    dcc.Input(
                        id=DeskIds.OCCURRED,
                        type="text",
                        value=frontdesk.now_local(),
                        maxLength=32,
                        placeholder="YYYY-MM-DD HH:MM",
                    ),
                    "occurred",
                ),
                _field(
                    t("desk.field.priority", lang),
                    dcc.Dropdown(
                        id=DeskIds.PRIORITY,
                        options=priorities,
                        placeholder=t("desk.priority.default", lang),
                        clearable=True,
                        searchable=False,
                    ),
                    "priority",
                ),
            ],
            className="mq-desk-row",
        ),
        html.Div(
            [
                _field(
                    t("desk.field.reporter.name", lang),
                    dcc.Input(
                        id=DeskIds.REPORTER_NAME,
                        type="text",
                        value="",
                        maxLength=40,
                        placeholder=optional,
                    ),
                    "reporter-name",
                ),
                _field(
                    t("desk.field.reporter.phone", lang),
                    dcc.Input(
                        id=DeskIds.REPORTER_PHONE,
                        type="tel",
                        value="",
                        maxLength=20,
                        placeholder=optional,
                    ),
                    "reporter-phone",
                ),
            ],
            className="mq-desk-row",
        ),
        html.Div(
            [
                html.Button(
                    t("desk.check", lang), id=DeskIds.CHECK, n_clicks=0, className="mq-desk-check"
                ),
                html.Button(
                    t("desk.submit", lang),
                    id=DeskIds.SUBMIT,
                    n_clicks=0,
                    className="mq-desk-submit",
                ),
            ],
            className="mq-desk-buttons",
        ),
        html.Div(id=DeskIds.DUPLICATES, className="mq-desk-duplicates"),
        html.Div(id=DeskIds.MESSAGE, className="mq-desk-message", role="status"),
    ]


def header(lang: str, principal: Principal | None) -> html.Header:
    return page_header(
        lang,
        principal,
        HeaderIds(
            logout=DeskIds.LOGOUT, lang_button=DeskIds.LANG_BUTTON, lang_sink=DeskIds.LANG_SINK
        ),
        screen=t("desk.page.title", lang),
        subtitle=t("desk.page.subtitle", lang),
        before_account=[
            html.A(t("desk.back_to_map", lang), href="/", className="mq-lang-button mq-desk-back")
        ],
    )


def layout(**_query: str) -> html.Div:
    """The form in the request's language, with a fresh form id."""
    lang = current_lang()
    principal = current_principal()
    bbox, point = _start(principal)
    return html.Div(
        [
            header(lang, principal),
            html.Main(
                [
                    html.Section(form(lang, point), className="mq-card mq-desk-form"),
                    html.Section(desk_map(bbox, point, lang), className="mq-card mq-desk-mapbox"),
                    dcc.Store(id=DeskIds.LOCATION, data=point),
                    dcc.Store(id=DeskIds.FORM_ID, data=frontdesk.new_form_id()),
                ],
                className="mq-desk-main",
            ),
        ],
        className=f"mq-app mq-desk mq-lang-{lang}",
        lang=lang,
    )
