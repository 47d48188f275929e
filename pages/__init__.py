"""Screens: one module per page (Dash pages) plus their helpers (ids, controls, panel)."""
