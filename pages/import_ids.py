"""Component ids of the file import page, defined once (prefix ``import-``).

The request guard (``web.security.CALLBACK_PERMISSIONS``) lets only ``INCIDENT_IMPORT``
holders call a callback whose outputs carry this prefix; ``governance.file_import``
checks the capability again.
"""

from __future__ import annotations

from typing import Final


class ImportIds:
    """Ids of the file import page (文件导入)."""

    PREFIX: Final = "import"

    ACCOUNT: Final = "import-account"
    LOGOUT: Final = "import-logout"  # the header's sign-out button
    LANG_BUTTON: Final = "import-lang-button"
    LANG_SINK: Final = "import-lang-sink"

    UPLOAD: Final = "import-upload"
    # The id of the upload's table kept server-side (governance/file_uploads.py): all
    # that the preview and the import send, never the file again.
    UPLOAD_ID: Final = "import-upload-id"
    FILE: Final = "import-file"  # the file's name, rows and columns, or why it is unreadable
    SOURCE: Final = "import-source"
    CRS: Final = "import-crs"
    MAP: Final = "import-map"  # one dropdown per field: map_id(field)

    PREVIEW: Final = "import-preview"
    IMPORT: Final = "import-import"
    # Accepting the automatic corrections the preview listed (hidden when there are none)
    ACCEPT_BOX: Final = "import-accept-box"
    ACCEPT: Final = "import-accept"
    CHECKED: Final = "import-checked"  # the file and settings of the last clean preview
    PREVIEW_OUT: Final = "import-preview-out"
    RESULT: Final = "import-result"


def map_id(field: str) -> str:
    """The id of the dropdown choosing the column of ``field``."""
    return f"{ImportIds.MAP}-{field.replace('_', '-')}"
