"""Response headers of every answer: Content-Security-Policy, caching, HSTS, the framing
and sniffing rules, and the CSRF cookie Dash's renderer echoes; and the session cookie's
settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from urllib.parse import urlsplit

from flask import Flask, Response, request, session

from settings import Settings, get_settings
from web.requests import safe_hostname
from web.session import CSRF_COOKIE

# Responses a browser may keep: static files, and map layers without case details
# (boundaries, labels, key sites, hexagon counts). Everything else may carry clear text
# or case details (pages, callbacks, incidents, timelines, files): "no-store", so that a
# shared command-centre PC's disk cache or a proxy keeps none of it.
CACHEABLE_RULES: Final = frozenset(
    {
        "/assets/<path:filename>",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "/_favicon.ico",
        "/favicon.ico",
    }
)
LAYER_RULE: Final = "/api/v1/layers/<layer>"
CACHEABLE_LAYERS: Final = frozenset({"areas", "labels", "sites", "density"})
# time playback's frames: hexagon counts like the density layer, kept when they carry no
# incident points (``X-Point-Count: 0``); with points they are the incidents layer's kind
PLAYBACK_RULE: Final = "/api/v1/playback/frame"
HSTS: Final = "max-age=31536000; includeSubDomains"


def configure_cookies(server: Flask, cfg: Settings) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, bounded lifetime."""
    server.config.update(
        SESSION_COOKIE_NAME="minqing_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cfg.cookie_secure,
        PERMANENT_SESSION_LIFETIME=cfg.session_absolute_hours * 3600,
    )


def content_security_policy(
    script_hashes: Callable[[], list[str]], tile_url: str | None
) -> Callable[[], str]:
    """The policy, built on first use (Dash knows its inline scripts' hashes once its
    callbacks are registered): scripts of this site and Dash's hashed inline ones only;
    images also from the tile server."""
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        tiles = f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    cache: dict[str, str] = {}

    def csp() -> str:
        if "v" not in cache:
            hashes = " ".join(script_hashes())  # Dash returns them quoted
            cache["v"] = (
                "default-src 'self'; "
                f"script-src 'self' {hashes}; "
                "style-src 'self' 'unsafe-inline'; "
                f"img-src 'self' data: blob:{tiles}; "
                "font-src 'self' data:; connect-src 'self'; "
                "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
                "form-action 'self'"
            )
        return cache["v"]

    return csp


def _may_cache(resp: Response) -> bool:
    rule = request.url_rule.rule if request.url_rule is not None else None
    if rule in CACHEABLE_RULES:
        return True
    if rule == PLAYBACK_RULE:
        return resp.status_code in (200, 304) and resp.headers.get("X-Point-Count") == "0"
    layer = (request.view_args or {}).get("layer")
    return rule == LAYER_RULE and layer in CACHEABLE_LAYERS and resp.status_code == 200


def stream_origin() -> str | None:
    """The live-stream server's origin as this request's pages reach it (the page's host,
    the stream server's port; ``cli/streams.py``), or None when streams are served on the
    site's own origin."""
    cfg = get_settings()
    if not cfg.stream_server or not cfg.stream_port or cfg.stream_url:
        return None
    host = safe_hostname(request.host)
    return f"{request.scheme}://{host}:{cfg.stream_port}" if host else None


def _with_streams(policy: str) -> str:
    """The policy with the stream server's origin in ``connect-src`` (the page's
    EventSource connects there)."""
    origin = stream_origin()
    if origin is None:
        return policy
    return policy.replace("connect-src 'self'", f"connect-src 'self' {origin}", 1)


def add_headers(csp: Callable[[], str]) -> Callable[[Response], Response]:
    """The after-request hook that sets the headers of every response."""

    def add(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", _with_streams(csp()))
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        # a response that already says no-store keeps its own (a photo's "private,
        # no-store"); before, whether it did hung on whether this hook was registered yet
        if not _may_cache(resp) and "no-store" not in resp.headers.get("Cache-Control", ""):
            resp.headers["Cache-Control"] = "no-store"
        if get_settings().cookie_secure:  # served over HTTPS: browsers must stay on it
            resp.headers["Strict-Transport-Security"] = HSTS
        if "csrf" in session:  # readable by Dash's renderer, which echoes it in a header
            token = str(session["csrf"])
            if request.cookies.get(CSRF_COOKIE) != token:
                resp.set_cookie(
                    CSRF_COOKIE,
                    token,
                    samesite="Strict",
                    secure=get_settings().cookie_secure,
                    httponly=False,
                )
        return resp

    return add
