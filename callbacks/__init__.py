"""Every callback of the app, registered at import time (``import callbacks`` in app.py)."""

from callbacks import (
    audit,
    briefings,
    consult,
    dispatch,
    evaluation,
    exports,
    frontdesk,
    import_page,
    map_duplicates,
    map_flow,
    map_layers,
    map_panel,
    map_ui,
    reveal_dialog,
    users,
    wall,
)

__all__ = [
    "audit",
    "briefings",
    "consult",
    "dispatch",
    "evaluation",
    "exports",
    "frontdesk",
    "import_page",
    "map_duplicates",
    "map_flow",
    "map_layers",
    "map_panel",
    "map_ui",
    "reveal_dialog",
    "users",
    "wall",
]
