"""Component ids of the wall screen, defined once (prefix ``wall-``).

The request guard lets a callback through only if every output id starts with a feature
prefix the principal may use (``wall-``: WALL_VIEW).
"""

from __future__ import annotations

from typing import Final


class WallIds:
    """Ids of the wall screen."""

    PREFIX: Final = "wall"

    ROOT: Final = "wall-root"
    AREA: Final = "wall-area"  # the wall's area name in the header
    CLOCK: Final = "wall-clock"  # "data as of" box (turns red when refreshes fail)
    CLOCK_TIME: Final = "wall-clock-time"
    KPIS: Final = "wall-kpis"
    CATEGORIES: Final = "wall-categories"
    GRIDS: Final = "wall-grids"
    MAP: Final = "wall-map"
    LAYER_AREAS: Final = "wall-layer-areas"
    LAYER_CONTEXT: Final = "wall-layer-context"
    LAYER_LABELS: Final = "wall-layer-labels"
    LAYER_DENSITY: Final = "wall-layer-density"
    LOCKED: Final = "wall-locked"  # the locked overlay (kiosk token revoked or expired)
    INTERVAL: Final = "wall-interval"  # refresh tick (server callbacks)
    CLOCK_TICK: Final = "wall-clock-tick"  # the clock's own tick (browser only)
    LIVE: Final = "wall-live"  # live-updates indicator (assets/js/minqing-live.js)
    STATUS: Final = "wall-status"  # {"at": "hh:mm:ss", "locked": bool} of the last answer
    SHOWN: Final = "wall-shown"  # fingerprints of the parts drawn (pages/redraw.py)
    FEED: Final = "wall-feed"  # the latest incidents (masked, truncated text)
    SLA: Final = "wall-sla"  # SLA countdowns of the most urgent open cases
    HANDOFF_STATUSES: Final = "wall-handoff-statuses"  # open cases by workflow status
    HANDOFF_DEPARTMENTS: Final = "wall-handoff-departments"  # ... by lead department
    HOTSPOTS: Final = "wall-hotspots"  # governance.hotspots of the last 7 days
    VIEWS: Final = "wall-views"  # the rotating views (density, handoff, hotspots)
    ROTATE: Final = "wall-rotate"  # the rotation tick (browser only)
    SPIKES: Final = "wall-spikes"  # spike warnings of the wall's area (governance/spikes.py)
    SPIKES_CARD: Final = "wall-spikes-card"  # their card: hidden while there is none
