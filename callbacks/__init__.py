"""Every callback of the app, registered at import time (``import callbacks`` in app.py)."""

from callbacks import audit, map_layers, map_panel, map_ui, users, wall

__all__ = ["audit", "map_layers", "map_panel", "map_ui", "users", "wall"]
