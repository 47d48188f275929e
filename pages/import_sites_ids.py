"""Component ids of the key-site import page (/import/sites), defined once (prefix
``sitesimport-``).

The request guard (``web.routes_table.CALLBACK_PERMISSIONS``) lets only ``SITES_IMPORT``
holders call a callback whose outputs carry this prefix; ``governance.registry_import``
checks the capability again.
"""

from __future__ import annotations

from typing import Final


class SitesImportIds:
    """Ids of the key-site import page (场所导入)."""

    PREFIX: Final = "sitesimport"

    ACCOUNT: Final = "sitesimport-account"
    LOGOUT: Final = "sitesimport-logout"
    LANG_BUTTON: Final = "sitesimport-lang-button"
    LANG_SINK: Final = "sitesimport-lang-sink"

    UPLOAD: Final = "sitesimport-upload"
    UPLOAD_ID: Final = "sitesimport-upload-id"  # the id of the table kept server-side
    FILE: Final = "sitesimport-file"
    CRS: Final = "sitesimport-crs"
    MAP: Final = "sitesimport-map"  # one dropdown per field: map_id(field)

    PREVIEW: Final = "sitesimport-preview"
    IMPORT: Final = "sitesimport-import"
    ACCEPT_BOX: Final = "sitesimport-accept-box"
    ACCEPT: Final = "sitesimport-accept"
    CHECKED: Final = "sitesimport-checked"  # the file and settings of the last clean preview
    PREVIEW_OUT: Final = "sitesimport-preview-out"
    RESULT: Final = "sitesimport-result"


def map_id(field: str) -> str:
    """The id of the dropdown choosing the column of ``field``."""
    return f"{SitesImportIds.MAP}-{field.replace('_', '-')}"
