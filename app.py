"""MinQing Map (民情地图): wiring only — settings, logging, Dash, API.

``create_app(settings)`` builds the Dash app and its Flask server; ``server`` (built on
first use) is what gunicorn serves (``app:server``). Nothing imports this module but the
entry points: gunicorn, and ``python app.py <command>``, which runs the command group of
``cli/`` (``cli.main``):

python app.py run            # set up the embedded database if needed, then serve
python app.py serve          # gunicorn on MINQING_HOST:MINQING_PORT
python app.py db start|stop|status|upgrade|downgrade
python app.py demo seed [--incidents N] [--seed S]
"""

from __future__ import annotations

import logging
import sys

import dash
from flask import Flask
from flask_compress import Compress

from settings import Settings, get_settings, secret_key

if __name__ == "__main__":  # one module object whether run as a script or imported
    sys.modules.setdefault("app", sys.modules["__main__"])

log = logging.getLogger("minqing")


def configure_logging(level: str | None = None) -> None:
    logging.basicConfig(
        level=(level or get_settings().log_level).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def create_app(settings: Settings | None = None) -> dash.Dash:
    """The Dash app with its Flask server, API blueprints and compression (``settings``:
    default :func:`settings.get_settings`)."""
    settings = settings or get_settings()
    server = Flask(__name__)
    server.config.update(
        SECRET_KEY=secret_key(settings),
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/css",
            "application/javascript",
            "application/json",
            "application/geo+json",
            "application/x-protobuf",
            "text/javascript",
        ],
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_MIN_SIZE=500,
    )
    from web import requests as request_checks

    request_checks.install(server)  # bounded JSON reading, translated 4xx everywhere
    server.json.ensure_ascii = False  # type: ignore[attr-defined]  # readable zh-CN errors
    Compress(server)
    from api import bp, health_bp
    from web import audit_export, auth, guard, kiosk, outage, patrol_page, public
    from web.exports import bp as exports_bp
    from web.live import bp as live_bp

    server.register_blueprint(bp)
    server.register_blueprint(health_bp)
    server.register_blueprint(auth.bp)
    server.register_blueprint(audit_export.bp)
    server.register_blueprint(kiosk.bp)
    server.register_blueprint(live_bp)  # GET /api/v1/stream (server-sent events)
    server.register_blueprint(public.bp)  # /report and /track/<code>: no sign-in
    server.register_blueprint(exports_bp)  # GET /export/<dataset>.<fmt>: data exports
    server.register_blueprint(patrol_page.bp)  # /patrol: the grid worker's day (phone)
    options: dict[str, object] = {
        "server": server,
        "use_pages": True,
        "pages_folder": "pages",
        "title": "民情地图",
        "update_title": None,
        "compress": False,
        "enable_mcp": False,  # no MCP endpoint, whatever DASH_MCP_ENABLED says
    }
    app = dash.Dash(__name__, **options)  # type: ignore[arg-type]
    from web import dash_index

    dash_index.install(app)  # <html lang> in the user's language on every screen
    import callbacks  # noqa: F401  (registers every callback at start-up)

    guard.install(server, lambda: list(app.csp_hashes()), lambda: app.callback_map)
    server.register_blueprint(outage.bp)  # database down: 503 everywhere (after the guard)
    guard.trust_proxies(server, settings.proxy_hops)
    from governance import sla_sweep, webhook_sender

    sla_sweep.start_background(settings.sla_sweep_seconds)
    webhook_sender.start_background(settings.alerts_deliver_seconds)  # alerts' webhooks
    _set_up_before_traffic(app)
    return app


def _set_up_before_traffic(app: dash.Dash) -> None:
    """Run Dash's first-request set-up now, once, before any request can race it.

    Dash builds its pages router, the validation layout and the callback map in
    before-request hooks guarded by a flag that is set before the work is done: on a
    fresh worker, concurrent first requests saw a half-built app ("dash.page_container
    not found in the layout", HTTP 500). Done here, in the worker's start, the hooks are
    no-ops by the time traffic arrives.
    """
    hooks = app.server.before_request_funcs.setdefault(None, [])
    with app.server.test_request_context("/"):
        for hook in list(hooks):
            if hook == app._setup_server or getattr(hook, "__name__", "") == "router_sync":
                hook()
    if not app.validation_layout:  # pragma: no cover - Dash changed its set-up
        raise RuntimeError("Dash's pages router was not set up before traffic")


_app: dash.Dash | None = None


def __getattr__(name: str) -> object:
    """``app`` and ``server`` are built on first use (``gunicorn app:server`` works),
    so CLI commands such as ``db start`` do not pay for, or depend on, the UI."""
    global _app
    if name in ("app", "server"):
        if _app is None:
            _app = create_app()
        return _app if name == "app" else _app.server
    raise AttributeError(name)


if __name__ == "__main__":
    from cli.main import main  # the commands live in cli/; this file only wires

    main(configure_logging)
