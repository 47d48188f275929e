"""The "live" indicator of a screen's header, which also configures the live client.

``assets/js/minqing-live.js`` finds the element by its ``data-mq-live`` attribute, opens
an EventSource to ``/api/v1/stream`` (on the stream server's port of the page's host when
``app.py serve`` runs one: ``web/streams.py``) and reads from the attribute what to refresh on a
pushed change: the map bumps the versions in its live store (the incidents and density
layer URLs carry them), the wall bumps its refresh tick. The indicator shows
connecting / live / reconnecting, in the page's language.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from dash import html

from i18n import t
from settings import get_settings

STREAM_URL = "/api/v1/stream"
THROTTLE_MS = 1_000  # refresh the incidents layer (or the wall's figures) at most this often
DENSITY_MS = 5_000  # and the density layer at most this often (one point barely moves it)
PULSE_MS = 10_000  # how long a newly registered incident pulses


def stream_target() -> dict[str, Any]:
    """Where a page opens its live stream (assets/js/minqing-live.js and alerts.js):
    ``port`` is the stream server's (web/streams.py) on the page's own host, 0 to open
    ``url`` instead (no stream server, or a proxy routing the path to it)."""
    s = get_settings()
    return {
        "url": s.stream_url or STREAM_URL,
        "port": s.stream_port if s.stream_server and not s.stream_url else 0,
    }


def initial_version() -> str:
    """A fresh layer version per page load (base 36 of the server's clock in ms), so a
    reload never reuses a cached layer from before the last change."""
    n = int(time.time() * 1000)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def live_indicator(
    component_id: str,
    lang: str,
    *,
    kind: Literal["map", "wall"],
    map_id: str,
    target: str,
    version: str | None = None,
    queue: str | None = None,
) -> html.Span:
    """The indicator for a ``kind`` screen whose Leaflet map is ``map_id``; ``target`` is
    the live store (map) or the refresh interval (wall) that a change bumps; ``queue``:
    an interval (a department's inbox) bumped by every change in scope, seen or not."""
    s = get_settings()
    config: dict[str, Any] = {
        **stream_target(),
        "kind": kind,
        "map": map_id,
        "target": target,
        "version": version,
        "queue": queue,
        "crs": s.tile_crs if s.tile_url else "wgs84",
        "throttleMs": THROTTLE_MS,
        "densityMs": DENSITY_MS,
        "pulseMs": PULSE_MS,
        "labels": {
            "connecting": t("live.connecting", lang),
            "live": t("live.on", lang),
            "reconnecting": t("live.reconnecting", lang),
        },
        "titles": {"live": t("live.title_on", lang), "off": t("live.title_off", lang)},
    }
    return html.Span(
        [
            html.Span(className="mq-live-dot"),
            html.Span(t("live.connecting", lang), className="mq-live-label"),
        ],
        id=component_id,
        className=f"mq-live mq-live-{kind} mq-live-connecting",
        title=t("live.connecting", lang),
        **{"data-mq-live": json.dumps(config, ensure_ascii=False)},  # type: ignore[arg-type]
    )
