"""A request's shape, checked before anything reads it; 4xx answers in the user's language.

* JSON bodies are read by :func:`governance.inputs.read_json` everywhere (this app's
  JSON provider): depth, digits, UTF-8 and surrogates bounded, and a body that is not one
  is an :class:`~governance.errors.InvalidInput` (400), not a RecursionError (500).
* A control character anywhere in the path or the query string is a 400: a newline in
  ``next`` became a header-injection attempt and a 500, a tab inside ``/\\t/host`` a
  redirect some browsers read as another host.
* A state-changing request that a browser marks as coming from another site (``Origin``
  of another host, ``Sec-Fetch-Site: cross-site``) is refused, as a second check beside
  the CSRF token.
* Every :class:`~governance.errors.MinqingError` and HTTP error that reaches Flask becomes
  a translated answer: JSON ``{error, message, key}`` on JSON paths (``web/errors.py``),
  a small page elsewhere.
"""

from __future__ import annotations

import logging
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from flask import Flask, Request, Response, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from governance import inputs
from governance.errors import InvalidInput, MinqingError
from i18n import current_lang, t
from web.errors import json_error, json_minqing

log = logging.getLogger(__name__)

JSON_PREFIXES: Final = ("/api/", "/_dash-", "/_reload-hash")
MAX_JSON_DEPTH: Final = 64  # Dash callback bodies carry component trees a few levels deep
FETCH_SITES_OK: Final = frozenset({"same-origin", "none"})
HTTP_KEYS: Final = {
    400: "error.request.bad",
    404: "error.request.not_found",
    405: "error.request.method",
    413: "error.request.too_large",
    414: "error.request.too_large",
    431: "error.request.too_large",
}


class BoundedJSON(DefaultJSONProvider):
    """Flask's JSON, reading with the one bounded reader (writing is unchanged)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return inputs.read_json(s, max_bytes=len(s) + 1, max_depth=MAX_JSON_DEPTH)


class BoundedRequest(Request):
    """A body that is not acceptable JSON is the normaliser's 400, with its reason."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, inputs.JSONRefused):
            raise e.error
        raise InvalidInput("error.input.json", line=0, column=0, reason="content type")


def is_json_path(path: str) -> bool:
    return path.startswith(JSON_PREFIXES)


def control_in_request() -> bool:
    """A control character in the path, the query string's keys or values, or the raw
    query string itself (percent-encoded or not)."""
    if inputs.has_control(request.path):
        return True
    raw = request.query_string.decode("latin-1")
    if inputs.has_control(raw) or inputs.has_control(unquote(raw, errors="replace")):
        return True
    return any(
        inputs.has_control(k) or inputs.has_control(v) for k, v in request.args.items(multi=True)
    )


def foreign_origin() -> bool:
    """Does the browser say this request comes from another site?"""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site.lower() not in FETCH_SITES_OK:
        return True
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin == "null"  # a sandboxed document or a redirect chain: not ours
    parts = urlsplit(origin)
    return (parts.scheme, parts.netloc) != (request.scheme, request.host)


def error_response(status: int, key: str, message: str | None = None) -> Response:
    """A translated error: JSON on JSON paths, the small error page elsewhere
    (``message``: already translated; default: the text of ``key``)."""
    lang = current_lang()
    message = message if message is not None else t(key, lang)
    if is_json_path(request.path):
        return json_error(status, key, message)
    html = render_template(
        "error.html",
        lang=lang,
        t=lambda k, **kw: t(k, lang, **kw),
        status=status,
        message=message,
    )
    return Response(html, status=status, mimetype="text/html")


def _minqing(err: MinqingError) -> Response:
    """A use case said no outside a blueprint with its own handler."""
    log.info("refused %s %s: %s", request.method, request.path, err.key)
    if is_json_path(request.path):
        return json_minqing(err)
    return error_response(err.status, err.key, err.user_message(current_lang()))


def _http(err: HTTPException) -> Response | HTTPException:
    if err.code is None or err.code < 400:
        return err  # redirects (a missing trailing slash) stay what they are
    key = HTTP_KEYS.get(err.code)
    if key is None:
        return err
    resp = error_response(err.code, key)
    allowed = getattr(err, "valid_methods", None)
    if err.code == 405 and allowed:
        resp.headers["Allow"] = ", ".join(sorted(allowed))
    return resp


def install(server: Flask) -> None:
    """Bounded JSON reading and translated errors for the whole server."""
    server.json = BoundedJSON(server)
    server.request_class = BoundedRequest
    server.register_error_handler(MinqingError, _minqing)
    server.register_error_handler(HTTPException, _http)


def safe_hostname(host_header: str) -> str | None:
    """The host name of a Host header without its port, if it is a plain DNS name or IP
    address (IPv6 in brackets), else None."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        name = host[: end + 1] if end > 0 else ""
        return name if name and all(c in "0123456789abcdef:.[]" for c in name) else None
    name = host.rsplit(":", 1)[0] if ":" in host else host
    ok = name and len(name) <= 253 and all(c.isascii() and (c.isalnum() or c in ".-") for c in name)
    return name if ok else None
