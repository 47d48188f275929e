"""Component ids of the map screen, defined once (prefix ``map-``).

Pages build components with these ids and callbacks wire them; nothing else spells an
id. Pattern-matching ids are dicts whose ``type`` is one of the ``*_TYPE`` constants.
"""

from __future__ import annotations

from typing import Final


class MapIds:
    """Ids of the map screen. Layer ids end in the layer name used by the API."""

    PREFIX: Final = "map"

    # --- the map and its layers ---
    MAP: Final = "map-leaflet"
    LAYER_AREAS: Final = "map-layer-areas"  # interactive polygons of the zoom's level
    LAYER_CONTEXT: Final = "map-layer-context"  # boundaries one level up (lines only)
    LAYER_LABELS: Final = "map-layer-labels"
    LAYER_SITES: Final = "map-layer-sites"
    LAYER_INCIDENTS: Final = "map-layer-incidents"
    LAYER_DENSITY: Final = "map-layer-density"
    LAYER_PERSONS: Final = "map-layer-persons"  # key persons: points or counts per grid
    LAYER_COVERAGE: Final = "map-layer-coverage"  # patrol coverage per area
    LAYER_EMERGING: Final = "map-layer-emerging"  # emerging hot spots (stored analysis)

    # --- left control panel ---
    CONTROLS: Final = "map-controls"
    CONTROLS_TOGGLE: Final = "map-controls-toggle"
    LAYERS: Final = "map-layers-checklist"
    WINDOW: Final = "map-filter-window"
    DATES: Final = "map-filter-dates"
    DATES_BOX: Final = "map-filter-dates-box"
    CATEGORIES: Final = "map-filter-categories"
    SOURCES: Final = "map-filter-sources"
    NOW: Final = "map-now"  # the "what needs me now" switch (presets the two below)
    URGENCY: Final = "map-filter-urgency"  # overdue / due soon / waiting / handling / closed
    DUE: Final = "map-filter-due"  # hours of "due soon"
    COLOUR: Final = "map-colour-by"  # incidents coloured by category or by urgency
    VIEW_LIST: Final = "map-view-list"  # button: open the list of what is in the view
    VIEW_LIST_BODY: Final = "map-view-list-body"
    VIEW_ITEM_TYPE: Final = "map-view-item"  # {"type": .., "kind": .., "id": ..}
    LEGEND: Final = "map-legend"
    LEGEND_EMERGING: Final = "map-legend-emerging"  # callbacks/map_emerging.py fills it
    DENSITY_STATS: Final = "map-density-stats"
    STATUS: Final = "map-status"

    # --- right side panel ---
    PANEL: Final = "map-panel"
    PANEL_BODY: Final = "map-panel-body"
    PANEL_CLOSE: Final = "map-panel-close"
    SELECTION: Final = "map-selection"
    FLY: Final = (
        "map-fly"  # where to move the map; assets/js/minqing.js keeps it clear of the cards
    )
    HOME: Final = "map-home"  # the user's home extent, fitted once the page is drawn
    CRUMB_TYPE: Final = "map-crumb"  # {"type": CRUMB_TYPE, "area": <id>}
    INBOX: Final = "map-inbox"  # a department's open cases (list; hidden for other roles)
    INBOX_TICK: Final = "map-inbox-tick"
    INBOX_SHOWN: Final = "map-inbox-shown"  # fingerprint of the inbox drawn (pages/redraw.py)
    INBOX_ITEM_TYPE: Final = "map-inbox-item"
    FLOW_TYPE: Final = "map-flow"  # an incident's handling block (state, actions, timeline)
    FLOW_ACTION_TYPE: Final = "map-flow-action"
    FLOW_DEPT_TYPE: Final = "map-flow-dept"
    FLOW_UNTIL_TYPE: Final = "map-flow-until"
    FLOW_INTO_TYPE: Final = "map-flow-into"
    FLOW_NOTE_TYPE: Final = "map-flow-note"
    FLOW_FILE_TYPE: Final = "map-flow-file"  # an optional attachment of the step (dcc.Upload)
    FLOW_SUBMIT_TYPE: Final = "map-flow-submit"
    FLOW_HINT_TYPE: Final = "map-flow-hint"  # why submit is disabled, or the confirm question
    FLOW_CONFIRM_BOX_TYPE: Final = "map-flow-confirm-box"  # confirm / cancel of a weighty step
    FLOW_CONFIRM_TYPE: Final = "map-flow-confirm"
    FLOW_CANCEL_TYPE: Final = "map-flow-cancel"
    FLOW_RULES_TYPE: Final = "map-flow-rules"  # the form's rules for assets/js/flow.js
    FLOW_STATUS_TYPE: Final = "map-flow-status"  # the panel's status badge
    FLOW_MESSAGE_TYPE: Final = "map-flow-message"
    FLOW_VERSION_TYPE: Final = "map-flow-version"
    # a key person's panel and an incident's reporter block hold the reveal dialog, whose
    # ids are its own: pages/reveal_dialog.py RevealDialog.ids

    # --- live updates (assets/js/minqing-live.js) ---
    LIVE: Final = "map-live"  # the header's live indicator (carries the client's config)
    LIVE_VERSION: Final = "map-live-version"  # {"i": .., "d": ..}: bumped on pushed changes

    # --- header ---
    LANG_BUTTON: Final = "map-lang-button"
    LANG_SINK: Final = "map-lang-sink"
    ACCOUNT: Final = "map-account"
    LOGOUT: Final = "map-logout"

    @classmethod
    def crumb(cls, area_id: int) -> dict[str, object]:
        """Pattern-matching id of one breadcrumb button."""
        return {"type": cls.CRUMB_TYPE, "area": int(area_id)}

    @classmethod
    def view_item(cls, kind: str, item_id: int) -> dict[str, object]:
        """Pattern-matching id of one entry of the list of what is in the view."""
        return {"type": cls.VIEW_ITEM_TYPE, "kind": kind, "id": int(item_id)}

    @classmethod
    def flow(cls, kind: str, incident_id: int) -> dict[str, object]:
        """Pattern-matching id of one part of an incident's handling block (``kind``: a
        ``FLOW_*`` type)."""
        return {"type": kind, "incident": int(incident_id)}


def incident_link(incident_id: int) -> str:
    """The map URL that opens ``incident_id``'s panel (pages/map.py ``?incident=``)."""
    return f"/?incident={int(incident_id)}"
