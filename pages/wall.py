"""The wall screen (指挥大屏): KPI tiles, incident density of the last 24 h, top lists.

Dark, large type, made for a 1920x1080 screen that nobody touches: the map does not
pan or zoom, and everything refreshes by itself every 10 s (callbacks/wall.py), and at
once when a change is pushed (the live indicator, assets/js/minqing-live.js). The
layout carries no figures; the first refresh fills them in. Only aggregates are shown:
counts, category labels, grid names and H3 hexagons, never a person or an incident's
text. Opened by a kiosk URL (``/wall/k/<token>``) or by any role with WALL_VIEW.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import dash
import dash_leaflet as dl
from dash import dcc, html

from governance import areas as area_service
from governance.access import Principal
from i18n import current_lang, t
from layers import areas, density
from layers.common import Panes
from pages import wall_parts as parts
from pages.live_indicator import live_indicator
from pages.wall_ids import WallIds
from settings import get_settings
from web.security import current_principal

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/wall", title="民情地图 · 指挥大屏", name="wall")

REFRESH_MS = 10_000
CLOCK_MS = 1_000  # the clock checks for failed refreshes on its own tick, in the browser
FALLBACK_BBOX = [115.0, 22.6, 116.2, 23.6]  # Shanwei, while the database is unreachable
LAYERS_BY_ENDPOINT = {
    "areas": [WallIds.LAYER_AREAS, WallIds.LAYER_CONTEXT],
    "labels": [WallIds.LAYER_LABELS],
    "density": [WallIds.LAYER_DENSITY],
}


def _home(principal: Principal | None) -> list[float]:
    try:
        return area_service.home_bbox(principal)
    except Exception:
        log.warning("wall page: area extent unavailable", exc_info=True)
        return FALLBACK_BBOX


def _pane(name: str, *children: Any) -> dl.Pane:
    return dl.Pane(list(children), name=name, id=f"{WallIds.PREFIX}-pane-{name}")


def wall_map(lang: str, bbox: list[float]) -> dl.Map:
    """The density map of the wall's area: fixed view, no controls."""
    s = get_settings()
    crs = s.tile_crs if s.tile_url else None
    minlon, minlat, maxlon, maxlat = bbox
    base: list[Any] = []
    if s.tile_url:
        base.append(dl.TileLayer(url=s.tile_url, attribution=s.tile_attribution or None))
    land = areas.areas_layer(WallIds.LAYER_AREAS, lang, crs)
    land.hideout = parts.dark_area_hideout(lang)
    context = areas.context_layer(WallIds.LAYER_CONTEXT, lang, crs)
    context.hideout = {**parts.dark_area_hideout(lang), "pane": Panes.CONTEXT}
    return dl.Map(
        [
            *base,
            _pane(Panes.BASE, land),
            _pane(Panes.DENSITY, density.density_layer(WallIds.LAYER_DENSITY, crs)),
            _pane(Panes.CONTEXT, context),
            _pane(Panes.LABELS, areas.labels_layer(WallIds.LAYER_LABELS, crs)),
        ],
        id=WallIds.MAP,
        center=[(minlat + maxlat) / 2, (minlon + maxlon) / 2],
        bounds=[[minlat, minlon], [maxlat, maxlon]],
        boundsOptions={"padding": [16, 16]},
        trackViewport=True,
        zoomControl=False,
        dragging=False,
        scrollWheelZoom=False,
        doubleClickZoom=False,
        boxZoom=False,
        keyboard=False,
        touchZoom=False,
        attributionControl=bool(s.tile_url),
        minZoom=7,
        maxZoom=16,
        zoomSnap=0.5,
        className="mq-map mq-wall-map " + ("mq-map-tiles" if s.tile_url else "mq-map-offline"),
    )


def _legend(lang: str) -> html.Div:
    return html.Div(
        [
            html.Span(t("wall.legend_low", lang)),
            *[
                html.Span(className="mq-wall-swatch", style={"background": c})
                for c in density.COLORS
            ],
            html.Span(t("wall.legend_high", lang)),
        ],
        className="mq-wall-legend",
    )


def _card(title: str, body_id: str, lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(title, className="mq-wall-card-title"),
            html.Div(parts.ranked_list(None, lang), id=body_id, className="mq-wall-ranks"),
        ],
        className="mq-wall-card",
    )


def layout(**_query: str) -> html.Div:
    """The wall screen in the request's language, scoped to the viewer's area."""
    lang = current_lang()
    principal = current_principal()
    area = (principal.area_name if principal else None) or t("wall.city", lang)
    return html.Div(
        [
            html.Header(
                [
                    html.Div(
                        [
                            html.Span("民", className="mq-wall-logo"),
                            html.Span(t("wall.brand", lang), className="mq-wall-title"),
                            html.Span(t("wall.subtitle", lang), className="mq-wall-subtitle"),
                        ],
                        className="mq-wall-brand",
                    ),
                    html.Div(area, id=WallIds.AREA, className="mq-wall-area"),
                    # a pushed change bumps the refresh tick: figures update at once
                    live_indicator(
                        WallIds.LIVE, lang, kind="wall", map_id=WallIds.MAP, target=WallIds.INTERVAL
                    ),
                    html.Div(
                        [
                            html.Span(t("wall.as_of", lang), className="mq-wall-clock-label"),
                            html.Span("--:--:--", id=WallIds.CLOCK_TIME),
                            html.Span(t("wall.stale", lang), className="mq-wall-stale-note"),
                        ],
                        id=WallIds.CLOCK,
                        className="mq-wall-clock",
                    ),
                ],
                className="mq-wall-header",
            ),
            html.Section(
                parts.kpi_tiles(None, lang, parts.kpi_labels(lang)),
                id=WallIds.KPIS,
                className="mq-wall-kpis",
            ),
            html.Main(
                [
                    html.Section(
                        [
                            wall_map(lang, _home(principal)),
                            html.H2(t("wall.density", lang), className="mq-wall-map-title"),
                            _legend(lang),
                        ],
                        className="mq-wall-card mq-wall-map-card",
                    ),
                    html.Aside(
                        [
                            _card(t("wall.top_categories", lang), WallIds.CATEGORIES, lang),
                            _card(t("wall.top_grids", lang), WallIds.GRIDS, lang),
                        ],
                        className="mq-wall-side",
                    ),
                ],
                className="mq-wall-body-grid",
                # read by assets/js/minqing.js to re-sync layers after an empty response
                **{"data-mq-layers": json.dumps(LAYERS_BY_ENDPOINT)},  # type: ignore[arg-type]
            ),
            parts.locked_overlay(lang),
            dcc.Interval(id=WallIds.INTERVAL, interval=REFRESH_MS, n_intervals=0),
            dcc.Interval(id=WallIds.CLOCK_TICK, interval=CLOCK_MS, n_intervals=0),
            dcc.Store(id=WallIds.STATUS),
        ],
        id=WallIds.ROOT,
        className=f"mq-wall mq-lang-{lang}",
        lang=lang,
    )
