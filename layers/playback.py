"""Time playback's layers: one frame of density hexagons (coloured as the density layer)
and, zoomed in, the frame's incidents as dots.

Both start empty and are filled in the browser by assets/js/playback.js, which fetches
``/api/v1/playback/frame`` one frame at a time (prefetching the next ones) and sets their
``data``: frames never pass through the Dash server. Pure functions, no SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

import dash_leaflet as dl

from layers import density
from layers.common import coords_hook, js
from layers.urls import BBox, format_bbox

FRAME_URL: Final = "/api/v1/playback/frame"
PANE: Final = "mq-playback"  # above the density pane, below the area boundaries' context
STEPS: Final = ("day", "hour")
DEFAULT_DAYS: Final = 30
SPEEDS: Final = (1, 2, 4, 8)  # frames per second
DEFAULT_SPEED: Final = 2


def frame_url(bbox: BBox, zoom: int, first: date, last: date, step: str) -> str:
    """The frame endpoint for a viewport and period, without ``frame`` (the browser adds
    ``&frame=N``); parameters in a stable order so the browser's cache answers."""
    query = {
        "bbox": format_bbox(bbox),
        "z": str(int(zoom)),
        "start": first.isoformat(),
        "end": last.isoformat(),
        "step": step,
    }
    return f"{FRAME_URL}?" + urlencode(query, safe=",")


def playback_layers(hex_id: str, points_id: str, tile_crs: str | None = None) -> list[Any]:
    """The two layers of a frame, in their own pane (hidden with playback off)."""
    hideout: dict[str, Any] = {**density.density_hideout(), "pane": PANE}
    return [
        dl.GeoJSON(
            id=hex_id, data=None, style=js("densityStyle"), hideout=hideout, **coords_hook(tile_crs)
        ),
        dl.GeoJSON(
            id=points_id,
            data=None,
            pointToLayer=js("playbackPoint"),
            hideout={"pane": PANE},
            **coords_hook(tile_crs),
        ),
    ]
