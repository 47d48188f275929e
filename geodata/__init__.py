"""Spatial data layer: database access, models, queries, importers. No Dash imports."""
