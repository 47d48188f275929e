"""Component ids of the area import page, defined once (prefix ``areaimport-``).

The request guard (``web.routes_table.CALLBACK_PERMISSIONS``) lets only ``AREAS_IMPORT``
holders (the system administrator) call a callback whose outputs carry this prefix;
``governance.area_uploads`` and ``governance.area_import`` check the capability again.
"""

from __future__ import annotations

from typing import Final


class AreaImportIds:
    """Ids of the area import page (区划与网格导入)."""

    PREFIX: Final = "areaimport"

    ACCOUNT: Final = "areaimport-account"
    LOGOUT: Final = "areaimport-logout"  # the header's sign-out button
    LANG_BUTTON: Final = "areaimport-lang-button"
    LANG_SINK: Final = "areaimport-lang-sink"

    UPLOAD: Final = "areaimport-upload"
    # The id of the upload kept server-side (governance/area_uploads.py): all that the
    # preview and the import send, never the file again.
    UPLOAD_ID: Final = "areaimport-upload-id"
    FILE: Final = "areaimport-file"  # name, format, features, columns, or why unreadable
    MAPPING_FROM: Final = "areaimport-mapping-from"  # remembered or guessed
    LEVEL: Final = "areaimport-level"
    SHIFT: Final = "areaimport-shift"
    MAP: Final = "areaimport-map"  # one dropdown per field: map_id(field)

    PREVIEW: Final = "areaimport-preview"
    IMPORT: Final = "areaimport-import"
    # Accepting the MakeValid repairs the preview listed (hidden when there are none)
    ACCEPT_BOX: Final = "areaimport-accept-box"
    ACCEPT: Final = "areaimport-accept"
    # The upload and settings of the last preview without errors, and its repairs
    CHECKED: Final = "areaimport-checked"
    PREVIEW_OUT: Final = "areaimport-preview-out"
    PREVIEW_MAP: Final = "areaimport-preview-map"  # the dl.Map inside the preview
    RESULT: Final = "areaimport-result"


DETECTED: Final = "detected"  # the offset dropdown's default: what the comparison found


def map_id(field: str) -> str:
    """The id of the dropdown choosing the column of ``field``."""
    return f"{AreaImportIds.MAP}-{field}"


# The preview map's layers, by the ``kind`` of governance.area_import.preview_geojson:
# the path class tests and styles find them by, and the colour (areas outlined; gaps and
# other warnings orange, errors red, repaired shapes purple).
LAYER_STYLES: Final[dict[str, dict[str, object]]] = {
    "area": {"color": "#2563eb", "weight": 1.5, "fillOpacity": 0.04},
    "warning": {"color": "#ea580c", "weight": 2, "fillColor": "#f97316", "fillOpacity": 0.6},
    "repair": {"color": "#7e22ce", "weight": 2, "fillColor": "#a855f7", "fillOpacity": 0.35},
    "error": {"color": "#dc2626", "weight": 2.5, "fillColor": "#ef4444", "fillOpacity": 0.5},
}


def layer_class(kind: str) -> str:
    """The SVG path class of the preview layer of ``kind``."""
    return f"mq-areaimport-{kind}"
