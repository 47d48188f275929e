"""The stream server's gate: each stream request checked exactly as the app checks it.

The stream server (``web/streams.py``) is an endpoint anyone can call with anything, so
it must be exactly as strict as ``GET /api/v1/stream`` on the app. Rather than a second
copy of those rules, it runs the app's own: a small Flask app with the same secret key
and cookie settings, the same request checks (``web/requests.py``), the same request
guard (``web/guard.py``: control characters, bearer tokens, the server-side session with
its idle and absolute timeouts, sign-out elsewhere, disabled accounts, kiosk tokens,
forced password changes, accounts without a role), the same outage answers
(``web/outage.py``) and the same view check (``web/live.py``: :func:`~web.live.authorize`,
machine tokens and roles without the map or the wall refused). A request is run through
it as a WSGI environ in a worker thread (it reads the database); the answer is either the
principal (the stream may open) or the refusal to send as it is.

The stream server runs the same check again every minute with the stream's original
request (its cookie), which is what the threaded stream did (``recheck_principal``): a
revoked or expired session, a disabled account or a revoked kiosk token ends the stream.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, g

from governance.access import Principal
from settings import Settings, get_settings, secret_key
from web import guard, outage
from web import live as live_view
from web import requests as request_checks
from web.errors import json_error

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """The gate's answer: ``principal`` when allowed, else the refusal (status, headers,
    body) to send unchanged."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    principal: Principal | None = None


def create_gate(settings: Settings | None = None) -> Flask:
    """The gate app (see the module docstring)."""
    settings = settings or get_settings()
    gate = Flask("minqing_streams")
    gate.config.update(SECRET_KEY=secret_key(settings))
    request_checks.install(gate)
    gate.json.ensure_ascii = False  # type: ignore[attr-defined]
    gate.register_blueprint(live_view.gate_bp)
    guard.install(gate, list)
    gate.register_blueprint(outage.bp)
    guard.trust_proxies(gate, settings.proxy_hops)
    return gate


def check(gate: Flask, environ: dict[str, Any]) -> Verdict:
    """Run one request through the gate (in a worker thread: it reads the database)."""
    with gate.request_context(environ):
        try:
            resp = gate.full_dispatch_request()
        except Exception as exc:  # noqa: BLE001 - what the app's WSGI handler does with it: 500 or 503
            resp = gate.make_response(gate.handle_exception(exc))
        principal = g.get(live_view.GRANT)
        body = b"".join(resp.response) if not resp.is_streamed else b""  # type: ignore[arg-type]
        headers = [(k, v) for k, v in resp.headers.items() if k.lower() != "content-length"]
        return Verdict(resp.status_code, headers, body, principal)


def refusal(gate: Flask, environ: dict[str, Any], status: int, key: str) -> Verdict:
    """A refusal decided before the gate (a foreign origin, an unknown path), translated
    in the request's language as the app's JSON errors are."""
    with gate.request_context(environ):
        resp = json_error(status, key)
        headers = [(k, v) for k, v in resp.headers.items() if k.lower() != "content-length"]
        return Verdict(status, headers, resp.get_data())
