"""Component ids of the front-desk form (prefix ``desk-``), defined once."""

from __future__ import annotations

from typing import Final


class DeskIds:
    PREFIX: Final = "desk"

    MAP: Final = "desk-map"
    LAYER_AREAS: Final = "desk-layer-areas"
    LAYER_LABELS: Final = "desk-layer-labels"
    MARKER: Final = "desk-marker"
    LOCATION: Final = "desk-location"  # store: {"lon", "lat"} in WGS84
    LOCATION_TEXT: Final = "desk-location-text"
    FORM_ID: Final = "desk-form-id"  # store: "desk-<uuid>", the report's external id

    CATEGORY: Final = "desk-category"
    DESCRIPTION: Final = "desk-description"
    ADDRESS: Final = "desk-address"
    OCCURRED: Final = "desk-occurred"
    PRIORITY: Final = "desk-priority"
    REPORTER_NAME: Final = "desk-reporter-name"
    REPORTER_PHONE: Final = "desk-reporter-phone"

    CHECK: Final = "desk-check"
    DUPLICATES: Final = "desk-duplicates"
    SUBMIT: Final = "desk-submit"
    MESSAGE: Final = "desk-message"
    LOGOUT: Final = "desk-logout"  # the header's sign-out button
    LANG_BUTTON: Final = "desk-lang-button"  # the header's language switch
    LANG_SINK: Final = "desk-lang-sink"
