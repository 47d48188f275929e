"""Spatial read queries. Each function takes a SQLAlchemy session first."""
