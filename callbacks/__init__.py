"""Every callback of the app, registered at import time (``import callbacks`` in app.py)."""

from callbacks import (
    audit,
    frontdesk,
    import_page,
    map_duplicates,
    map_layers,
    map_panel,
    map_ui,
    users,
    wall,
)

__all__ = [
    "audit",
    "frontdesk",
    "import_page",
    "map_duplicates",
    "map_layers",
    "map_panel",
    "map_ui",
    "users",
    "wall",
]
