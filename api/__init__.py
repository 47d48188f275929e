"""HTTP API: the /api/v1 blueprint (with /api/v1/patrol and /api/v1/alerts nested in it)
and /healthz."""

from api.alerts_routes import alerts_bp
from api.patrol_routes import patrol_bp
from api.routes import bp, health_bp

bp.register_blueprint(patrol_bp)
bp.register_blueprint(alerts_bp)

__all__ = ["bp", "health_bp"]
