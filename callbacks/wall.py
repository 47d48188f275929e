"""The wall screen: a 10-second tick -> KPI tiles, lists, density URL; clock; rotation.

A kiosk whose token was revoked or expired still reaches these callbacks (the guard
marks the request, see web/kiosk.py): they answer with the locked state and no figures.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    no_update,
)
from dash.exceptions import PreventUpdate

from governance import wall as wall_service
from governance.access import WALL_VIEW, require
from governance.filters import LOCAL_TZ
from governance.layer_cache import cached_wall_snapshot
from governance.uow import unit_of_work
from i18n import current_lang
from layers.urls import valid_bounds, valid_zoom
from pages import wall_lists as lists
from pages import wall_parts as parts
from pages.redraw import only_changed
from pages.wall_ids import WallIds
from web.kiosk import wall_locked
from web.security import current_principal

log = logging.getLogger(__name__)

LAYER_IDS = (
    WallIds.LAYER_AREAS,
    WallIds.LAYER_CONTEXT,
    WallIds.LAYER_LABELS,
    WallIds.LAYER_DENSITY,
)


REFRESHED = (
    WallIds.KPIS,
    WallIds.CATEGORIES,
    WallIds.GRIDS,
    WallIds.FEED,
    WallIds.SLA,
    WallIds.HANDOFF_STATUSES,
    WallIds.HANDOFF_DEPARTMENTS,
    WallIds.HOTSPOTS,
)


@callback(
    *(Output(i, "children") for i in REFRESHED),
    Output(WallIds.LOCKED, "className"),
    Output(WallIds.STATUS, "data"),
    Output(WallIds.SHOWN, "data"),
    Input(WallIds.INTERVAL, "n_intervals"),
    State(WallIds.SHOWN, "data"),
)
def refresh(_tick: int | None, shown: Any) -> tuple[Any, ...]:
    """The figures and lists of the wall's area now, or the locked state (none). Only the
    parts that changed since the wall drew them are sent (pages/redraw.py): a wall gets a
    tick for every change in its area."""
    lang = current_lang()
    at = datetime.now(LOCAL_TZ).strftime("%H:%M:%S")
    if wall_locked():
        empty = parts.kpi_tiles(None, lang, parts.kpi_labels(lang))
        blank: tuple[list[Any], ...] = ([],) * (len(REFRESHED) - 1)
        return empty, *blank, parts.LOCKED_SHOWN, {"at": at, "locked": True}, None
    principal = require(current_principal(), WALL_VIEW)

    def read() -> wall_service.WallSnapshot:
        with unit_of_work(principal) as s:
            return wall_service.snapshot(s, principal, lang)

    snap = cached_wall_snapshot(principal, lang, read)  # shared by the walls of one scope
    drawn = dict(
        zip(
            REFRESHED,
            (
                parts.kpi_tiles(snap.kpis, lang),
                parts.ranked_list(snap.categories, lang),
                parts.ranked_list(snap.grids, lang),
                lists.feed_rows(snap.feed, lang),
                lists.countdown_rows(snap.countdowns, lang),
                lists.handoff_statuses(snap.handoff, lang),
                lists.handoff_departments(snap.handoff, lang),
                lists.hotspot_rows(snap.hotspots, lang),
            ),
            strict=True,
        )
    )
    send, marks = only_changed(drawn, shown if ctx.triggered_id is not None else None)
    return (
        *send.values(),
        parts.LOCKED_HIDDEN,
        {"at": snap.as_of.strftime("%H:%M:%S"), "locked": False},
        marks,
    )


@callback(
    *(Output(i, "url") for i in LAYER_IDS),
    Input(WallIds.MAP, "bounds"),
    Input(WallIds.MAP, "zoom"),
    Input(WallIds.INTERVAL, "n_intervals"),
    *(State(i, "url") for i in LAYER_IDS),
)
def layer_urls(bounds: Any, zoom: float | None, _tick: int | None, *current: str | None) -> Any:
    """Base map and last-24-h density URLs for the map's view (changed ones only)."""
    if wall_locked():
        return (None,) * len(LAYER_IDS)
    require(current_principal(), WALL_VIEW)
    if not valid_bounds(bounds) or not valid_zoom(zoom):
        raise PreventUpdate  # the map has not reported its view yet
    urls = parts.layer_urls(bounds, zoom, datetime.now(LOCAL_TZ))
    if tuple(urls) == tuple(current):
        raise PreventUpdate
    return tuple(u if u != c else no_update for u, c in zip(urls, current, strict=True))


# "Data as of hh:mm:ss", red once no refresh has succeeded for 1.5 refresh intervals
# (assets/js/wall.js). Both run in the browser, so the clock keeps working when the server
# or the network is gone; the check has a tick of its own and takes nothing from the
# refresh, so a refresh that hangs cannot hold it back.
clientside_callback(
    ClientsideFunction(namespace="minqingWall", function_name="seen"),
    Output(WallIds.CLOCK_TIME, "children"),
    Input(WallIds.STATUS, "data"),
)
# The same tick moves the SLA countdowns on (in the browser, from the last snapshot).
clientside_callback(
    ClientsideFunction(namespace="minqingWall", function_name="stale"),
    Output(WallIds.CLOCK, "className"),
    Input(WallIds.CLOCK_TICK, "n_intervals"),
    State(WallIds.INTERVAL, "interval"),
)
# The views rotate on a tick of their own: density -> handoff status -> hotspots.
clientside_callback(
    ClientsideFunction(namespace="minqingWall", function_name="rotate"),
    Output(WallIds.VIEWS, "className"),
    Input(WallIds.ROTATE, "n_intervals"),
    State(WallIds.VIEWS, "className"),
)
