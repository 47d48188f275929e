"""The wall screen (指挥大屏): seven KPI tiles, rotating views (density map, handoff
status, hotspots), the latest incidents and the most urgent SLA countdowns.

Dark, made for a screen nobody touches and read from five metres, 1920x1080 up to
3840x2160: every size scales with the viewport and no text is under 24 px at 1080p (48 px
at 2160p; assets/css/minqing.css), nothing scrolls: a list shows the rows that fit. The map does not pan or zoom;
everything refreshes by itself every 10 s (callbacks/wall.py), and at once when a change
is pushed by the live stream (the live indicator, assets/js/minqing-live.js), which also
makes newly registered incidents pulse on the map. The views rotate in the browser every
``wall_rotate_seconds`` (settings; ``?rotate=N`` on the URL overrides it). The layout
carries no figures; the first refresh fills them in. Never a person: counts, category
labels, grid and department names, H3 hexagons and masked, truncated incident texts.
Opened by a kiosk URL (``/wall/k/<token>``) or by any role with WALL_VIEW.
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
from governance.uow import unit_of_work
from i18n import current_lang, t
from layers import areas, density
from layers.common import Panes
from pages import spike_parts
from pages import wall_lists as lists
from pages import wall_parts as parts
from pages.header import tab_title
from pages.live_indicator import live_indicator
from pages.wall_ids import WallIds
from settings import get_settings
from web import outage
from web.security import current_principal

log = logging.getLogger(__name__)

dash.register_page(__name__, path="/wall", title=tab_title("nav.wall"), name="wall")

REFRESH_MS = 10_000
ROTATE_RANGE = (5, 3600)  # seconds a ?rotate= URL parameter may ask for
VIEWS = ("density", "handoff", "hotspots")
CLOCK_MS = 1_000  # the clock checks for failed refreshes on its own tick, in the browser
FALLBACK_BBOX = [115.0, 22.6, 116.2, 23.6]  # Shanwei, while the database is unreachable
LAYERS_BY_ENDPOINT = {
    "areas": [WallIds.LAYER_AREAS, WallIds.LAYER_CONTEXT],
    "labels": [WallIds.LAYER_LABELS],
    "density": [WallIds.LAYER_DENSITY],
}


def _home(principal: Principal | None) -> list[float]:
    try:
        with unit_of_work(principal) as s:  # a layout function is a caller: it opens the unit
            return area_service.home_bbox(s, principal)
    except Exception as exc:
        outage.propagate(exc)  # rendering for a person: a 503 the client retries
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
    heat = density.density_layer(WallIds.LAYER_DENSITY, crs)
    heat.hideout = parts.dark_density_hideout()
    return dl.Map(
        [
            *base,
            _pane(Panes.BASE, land),
            _pane(Panes.DENSITY, heat),
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
                html.Span(
                    className="mq-wall-swatch",
                    style={"background": c},
                    **{"aria-hidden": "true"},  # type: ignore[arg-type]
                )
                for c in parts.DENSITY_COLORS
            ],
            html.Span(t("wall.legend_high", lang)),
        ],
        className="mq-wall-legend",
    )


def _card(title: str, body_id: str, lang: str, extra: str = "") -> html.Section:
    return html.Section(
        [
            html.H2(title, className="mq-wall-card-title"),
            html.Div(parts.ranked_list(None, lang), id=body_id, className="mq-wall-ranks"),
        ],
        className="mq-wall-card " + extra,
    )


def rotate_seconds(raw: str | None) -> int:
    """The rotation period: ``?rotate=N`` when it is a whole number in range, else the
    setting."""
    if raw and raw.strip().isdigit():
        n = int(raw.strip())
        if ROTATE_RANGE[0] <= n <= ROTATE_RANGE[1]:
            return n
    return get_settings().wall_rotate_seconds


def _view(n: int, *children: Any) -> html.Div:
    return html.Div(list(children), className=f"mq-wall-view mq-wall-view-{n}")


def _views(lang: str, principal: Principal | None) -> html.Section:
    """The three rotating views in one card (all rendered; CSS shows the current one, so
    the map keeps its size and its live pulses while hidden)."""
    density_view = _view(
        0,
        html.Div(
            [
                wall_map(lang, _home(principal)),
                html.H2(t("wall.density", lang), className="mq-wall-map-title"),
                _legend(lang),
            ],
            className="mq-wall-map-box",
        ),
        html.Div(
            [
                _card(t("wall.top_categories", lang), WallIds.CATEGORIES, lang, "mq-wall-sub"),
                _card(t("wall.top_grids", lang), WallIds.GRIDS, lang, "mq-wall-sub"),
            ],
            className="mq-wall-view-side",
        ),
    )
    handoff_view = _view(
        1,
        _card(t("wall.handoff.statuses", lang), WallIds.HANDOFF_STATUSES, lang, "mq-wall-sub"),
        _card(
            t("wall.handoff.departments", lang), WallIds.HANDOFF_DEPARTMENTS, lang, "mq-wall-sub"
        ),
    )
    hotspots_view = _view(
        2, _card(t("wall.hot.title", lang), WallIds.HOTSPOTS, lang, "mq-wall-sub mq-wall-hot")
    )
    tabs = html.Div(
        [
            html.Span(t(f"wall.view.{v}", lang), className=f"mq-wall-tab mq-wall-tab-{n}")
            for n, v in enumerate(VIEWS)
        ],
        className="mq-wall-tabs",
    )
    return html.Section(
        [tabs, density_view, handoff_view, hotspots_view],
        id=WallIds.VIEWS,
        className="mq-wall-card mq-wall-views mq-wall-show-0",
        **{"data-views": str(len(VIEWS))},  # type: ignore[arg-type]
    )


def _side(lang: str) -> html.Aside:
    return html.Aside(
        [
            # spike warnings: shown only while there are some (callbacks/spikes.py)
            html.Section(
                [
                    html.H2(t("spikes.title", lang), className="mq-wall-card-title"),
                    html.Div(id=WallIds.SPIKES, className="mq-wall-spikes"),
                ],
                id=WallIds.SPIKES_CARD,
                className=spike_parts.card_class(spike_parts.WALL_CARD_CLASS, None),
                **{"aria-live": "polite"},  # type: ignore[arg-type]
            ),
            html.Section(
                [
                    html.H2(t("wall.feed", lang), className="mq-wall-card-title"),
                    html.Div(
                        lists.feed_rows(None, lang), id=WallIds.FEED, className="mq-wall-feed"
                    ),
                ],
                className="mq-wall-card mq-wall-feed-card",
            ),
            html.Section(
                [
                    html.H2(t("wall.sla", lang), className="mq-wall-card-title"),
                    html.Div(
                        lists.countdown_rows(None, lang),
                        id=WallIds.SLA,
                        className="mq-wall-sla",
                        **lists.countdown_labels(lang),  # type: ignore[arg-type]
                    ),
                ],
                className="mq-wall-card mq-wall-sla-card",
            ),
        ],
        className="mq-wall-side",
    )


def layout(rotate: str | None = None, **_query: str) -> html.Div:
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
                            html.H1(t("wall.brand", lang), className="mq-wall-title"),
                            html.Span(t("wall.subtitle", lang), className="mq-wall-subtitle"),
                        ],
                        className="mq-wall-brand",
                    ),
                    html.Div(area, id=WallIds.AREA, className="mq-wall-area", title=area),
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
                **{"aria-label": t("wall.kpis", lang)},  # type: ignore[arg-type]  # a landmark
            ),
            html.Main(
                [_views(lang, principal), _side(lang)],
                className="mq-wall-body-grid",
                # read by assets/js/minqing.js to re-sync layers after an empty response
                **{"data-mq-layers": json.dumps(LAYERS_BY_ENDPOINT)},  # type: ignore[arg-type]
            ),
            parts.locked_overlay(lang),
            dcc.Interval(id=WallIds.INTERVAL, interval=REFRESH_MS, n_intervals=0),
            dcc.Interval(id=WallIds.CLOCK_TICK, interval=CLOCK_MS, n_intervals=0),
            dcc.Interval(id=WallIds.ROTATE, interval=rotate_seconds(rotate) * 1000, n_intervals=0),
            dcc.Store(id=WallIds.STATUS),
            dcc.Store(id=WallIds.SHOWN),
        ],
        id=WallIds.ROOT,
        className=f"mq-wall mq-lang-{lang}",
        lang=lang,
    )
