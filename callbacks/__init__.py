"""Every callback of the app, registered at import time (``import callbacks`` in app.py)."""

from callbacks import map_layers, map_panel, map_ui

__all__ = ["map_layers", "map_panel", "map_ui"]
