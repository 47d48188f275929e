"""The map screen (民情地图): the whole governance grid, key sites and incidents on one map.

The layout is built per request in the user's language. Every layer starts without a URL;
callbacks/map_layers.py gives each one a URL for the viewport once the map reports it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import dash
import dash_leaflet as dl
from dash import dcc, html

from governance import areas as area_service
from governance import catalog
from governance.access import INCIDENT_HANDLE
from governance.uow import unit_of_work
from i18n import current_lang, t
from layers import areas, coverage, density, emerging, incidents, persons, playback, sites
from layers.common import Panes
from pages.header import tab_title
from pages.live_indicator import initial_version, live_indicator
from pages.map_controls import (
    control_panel,
    coverage_allowed,
    emerging_allowed,
    header,
    persons_mode,
)
from pages.map_ids import MapIds
from pages.map_panel import hint_panel
from pages.map_playback import PlaybackIds, playback_badge
from settings import get_settings
from web import outage
from web.security import current_principal

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/", title=tab_title("nav.map"), name="map")

FALLBACK_BBOX = [115.0, 22.6, 116.2, 23.6]  # Shanwei, while the database is unreachable
# API endpoint -> the GeoJSON components fed by it
LAYERS_BY_ENDPOINT = {
    "areas": [MapIds.LAYER_AREAS, MapIds.LAYER_CONTEXT],
    "labels": [MapIds.LAYER_LABELS],
    "sites": [MapIds.LAYER_SITES],
    "incidents": [MapIds.LAYER_INCIDENTS],
    "density": [MapIds.LAYER_DENSITY],
    "persons": [MapIds.LAYER_PERSONS],
    "coverage": [MapIds.LAYER_COVERAGE],
    "emerging": [MapIds.LAYER_EMERGING],
}


def _reference_data(lang: str) -> tuple[list[float], list[dict[str, Any]], list[dict[str, str]]]:
    """Home extent, categories and sources; the page still renders if the database is down."""
    try:
        who = current_principal()
        with unit_of_work(who) as s:  # a layout function is a caller: it opens the unit
            home = area_service.home_bbox(s, who)
        return home, list(catalog.categories(lang)), list(catalog.sources(lang))
    except Exception as exc:
        outage.propagate(exc)  # rendering for a person: a 503 the client retries
        log.warning("map page: reference data unavailable", exc_info=True)
        return FALLBACK_BBOX, [], []


def _pane(name: str, *children: Any) -> dl.Pane:
    return dl.Pane(list(children), name=name, id=f"{MapIds.PREFIX}-pane-{name}")


def leaflet_map(lang: str, bbox: list[float], category_names: dict[str, str]) -> dl.Map:
    """The map: optional tile layer, then our panes bottom to top."""
    s = get_settings()
    crs = s.tile_crs if s.tile_url else None
    minlon, minlat, maxlon, maxlat = bbox
    base: list[Any] = []
    if s.tile_url:
        base.append(dl.TileLayer(url=s.tile_url, attribution=s.tile_attribution or None))
    return dl.Map(
        [
            *base,
            _pane(Panes.BASE, areas.areas_layer(MapIds.LAYER_AREAS, lang, crs)),
            _pane(
                Panes.DENSITY,
                density.density_layer(MapIds.LAYER_DENSITY, crs),
                coverage.coverage_layer(MapIds.LAYER_COVERAGE, lang, crs),
                emerging.emerging_layer(MapIds.LAYER_EMERGING, lang, crs),
            ),
            # time playback's frame, drawn by assets/js/playback.js (empty while off)
            _pane(
                playback.PANE, *playback.playback_layers(PlaybackIds.LAYER, PlaybackIds.POINTS, crs)
            ),
            _pane(Panes.CONTEXT, areas.context_layer(MapIds.LAYER_CONTEXT, lang, crs)),
            _pane(Panes.LABELS, areas.labels_layer(MapIds.LAYER_LABELS, crs)),
            _pane(Panes.SITES, sites.sites_layer(MapIds.LAYER_SITES, lang, crs)),
            _pane(
                Panes.INCIDENTS,
                incidents.incidents_layer(MapIds.LAYER_INCIDENTS, lang, category_names, crs),
            ),
            # always in the layout (its url callback needs it); fed only for permitted roles
            _pane(Panes.PERSONS, persons.persons_layer(MapIds.LAYER_PERSONS, lang, crs)),
            dl.ZoomControl(position="bottomright"),
            dl.ScaleControl(position="bottomright", imperial=False),
        ],
        id=MapIds.MAP,
        # center without zoom: the map fits `bounds`, then reports its zoom (trackViewport).
        # The padding must be symmetric: dash-leaflet re-centres on `center` after the fit.
        center=[(minlat + maxlat) / 2, (minlon + maxlon) / 2],
        bounds=[[minlat, minlon], [maxlat, maxlon]],
        boundsOptions={"padding": [24, 24]},
        trackViewport=True,
        zoomControl=False,
        attributionControl=bool(s.tile_url),
        minZoom=7,
        maxZoom=18,
        zoomSnap=1,
        className="mq-map " + ("mq-map-tiles" if s.tile_url else "mq-map-offline"),
    )


def initial_selection(incident: str | None) -> dict[str, object] | None:
    """What ``/?incident=ID`` opens: that incident's panel, the map flown to it (the panel
    callback checks the user's access as for a click; a malformed id opens nothing)."""
    if incident is None or not incident.isdigit() or len(incident) > 18:
        return None
    return {"kind": "incident", "id": int(incident), "fly": True}


def layout(incident: str | None = None, **_query: str) -> html.Div:
    """The map screen in the request's language (``?incident=ID``: open that case)."""
    lang = current_lang()
    principal = current_principal()
    bbox, categories, sources = _reference_data(lang)
    category_names = {str(c["code"]): str(c["name"]) for c in categories}
    version = initial_version()
    inbox = principal is not None and principal.can(INCIDENT_HANDLE)
    live = live_indicator(
        MapIds.LIVE,
        lang,
        kind="map",
        map_id=MapIds.MAP,
        target=MapIds.LIVE_VERSION,
        version=version,
        queue=MapIds.INBOX_TICK if inbox else None,  # a dispatched case shows at once
    )
    minlon, minlat, maxlon, maxlat = bbox
    return html.Div(
        [
            html.A(t("skip.filters", lang), href=f"#{MapIds.CONTROLS}", className="mq-skip-link"),
            header(lang, principal, live),
            html.Main(
                [
                    leaflet_map(lang, bbox, category_names),
                    control_panel(
                        lang,
                        categories,
                        sources,
                        persons_mode(principal),
                        inbox=inbox,
                        coverage=coverage_allowed(principal),
                        emerging=emerging_allowed(principal),
                    ),
                    html.Aside(
                        [
                            html.Button(
                                "×",
                                id=MapIds.PANEL_CLOSE,
                                n_clicks=0,
                                title=t("panel.close", lang),
                                className="mq-icon-button mq-panel-close",
                            ),
                            html.Div(
                                hint_panel(lang), id=MapIds.PANEL_BODY, className="mq-panel-body"
                            ),
                        ],
                        id=MapIds.PANEL,
                        className="mq-card mq-panel",
                        tabIndex="-1",  # focused when opened from the list of what is in view
                        **{"aria-label": t("panel.details", lang)},  # type: ignore[arg-type]
                    ),
                    playback_badge(),
                    dcc.Store(id=MapIds.SELECTION, data=initial_selection(incident)),
                    # the home extent, fitted inside the visible map once it is drawn,
                    # and the panel's moves (assets/js/minqing.js fitVisible)
                    dcc.Store(
                        id=MapIds.HOME, data={"bounds": [[minlat, minlon], [maxlat, maxlon]]}
                    ),
                    dcc.Store(id=MapIds.FLY),
                    dcc.Store(id=MapIds.DENSITY_STATS),
                    # versions of the incidents / density layers, bumped by live updates
                    dcc.Store(id=MapIds.LIVE_VERSION, data={"i": version, "d": version}),
                ],
                className="mq-main",
                # read by assets/js/minqing.js to re-sync layers after an empty response
                **{"data-mq-layers": json.dumps(LAYERS_BY_ENDPOINT)},  # type: ignore[arg-type]
            ),
        ],
        className=f"mq-app mq-lang-{lang}",
        lang=lang,
    )
