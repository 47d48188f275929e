"""HTTP API: the /api/v1 blueprint and /healthz."""

from api.routes import bp, health_bp

__all__ = ["bp", "health_bp"]
