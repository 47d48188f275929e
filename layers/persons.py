"""Key persons (重点人员): residence points by category, or counts per grid, by role.

What a user gets is decided by the server (``governance.layers``): people who visit key
persons (supervisors, grid workers) get points in their area; the command centre gets a
count per grid at the grid's label point, never a location. The browser only draws what
arrives. No feature carries a name or any other identity: a point has ``id``,
``category``, ``care_level`` and ``grid_id``; a count has ``grid_id``, ``name`` (the
grid's) and ``count``. Identity is shown in the side panel, masked (see
``governance.persons``).

Nearby features are merged in the browser (supercluster): a bubble shows the number of
persons under it, counts summed. Clicking a bubble zooms in.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import dash_leaflet as dl

from i18n import t
from layers.common import Panes, coords_hook, js
from layers.urls import BBox, layer_url

PersonsMode = Literal["points", "counts"]
POINTS: Final = "points"
COUNTS: Final = "counts"

# The values of geodata.models.PersonCategory (a unit test keeps them in step).
CATEGORIES: Final = (
    "elderly_alone",
    "disabled",
    "left_behind_child",
    "mental_disorder",
    "community_correction",
    "drug_rehab",
    "petitioner",
    "low_income",
)
CATEGORY_COLORS: Final[dict[str, str]] = {
    "elderly_alone": "#f08c00",
    "disabled": "#1971c2",
    "left_behind_child": "#2f9e44",
    "mental_disorder": "#e03131",
    "community_correction": "#7048e8",
    "drug_rehab": "#a61e4d",
    "petitioner": "#0c8599",
    "low_income": "#8d6e3f",
}
CARE_LEVELS: Final = (1, 2, 3)  # 3: the most attention
COUNT_COLOR: Final = "#9c36b5"  # count badges and cluster bubbles
# Merge markers within 40 screen px up to zoom 16 (extent 256: supercluster pixels are
# screen pixels); from zoom 17 every point stands alone.
SUPERCLUSTER: Final[dict[str, Any]] = {"radius": 40, "extent": 256, "maxZoom": 16, "minPoints": 2}


def mode_for(can_points: bool, can_counts: bool) -> PersonsMode | None:
    """What the layer shows for a user's capabilities: points, counts, or nothing (None)."""
    if can_points:
        return POINTS
    if can_counts:
        return COUNTS
    return None


def person_hideout(lang: str) -> dict[str, Any]:
    """Colours and translated labels for the markers and tooltips (no personal data)."""
    return {
        "colors": dict(CATEGORY_COLORS),
        "categories": {c: t(f"person.{c}", lang) for c in CATEGORIES},
        "care": {str(level): t(f"layer.persons.care.{level}", lang) for level in CARE_LEVELS},
        "countTip": t("layer.persons.count_tip", lang),
        "clusterHint": t("layer.incidents.cluster_hint", lang),
        "countColor": COUNT_COLOR,
        "lang": lang,
        "pane": Panes.PERSONS,
    }


def persons_url(bbox: BBox, zoom: int, mode: str | None) -> str | None:
    """The layer URL for ``mode`` (None: the user may not see the layer, nothing fetched).

    Counts are asked for explicitly, so a role holding both capabilities could be given
    counts; the server never answers points to a role without them.
    """
    if mode not in (POINTS, COUNTS):
        return None
    return layer_url("persons", bbox, zoom, {"mode": COUNTS} if mode == COUNTS else {})


def persons_layer(component_id: str, lang: str, tile_crs: str | None = None) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=component_id,
        url=None,
        cluster=True,
        superClusterOptions=SUPERCLUSTER,
        zoomToBoundsOnClick=True,
        pointToLayer=js("personPoint"),
        clusterToLayer=js("personCluster"),
        hideout=person_hideout(lang),
        **coords_hook(tile_crs),
    )
