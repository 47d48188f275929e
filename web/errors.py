"""Every JSON error body of the server, built in one place: ``{error, message, key}``.

``error`` is a stable code for machines (``unauthorized``, ``forbidden``, ``unavailable``
...), ``message`` the text for people in the request's language, ``key`` the message's
catalog key. A :class:`~governance.errors.MinqingError` carries all three itself
(:func:`json_minqing`); the guard, the outage handler, tokens, kiosks and the API build the
others with :func:`json_error`. HTML answers (pages) are built elsewhere.
"""

from __future__ import annotations

from typing import Final

from flask import Response, jsonify

from governance.errors import MinqingError
from i18n import current_lang, t

CODES: Final = {
    400: "invalid_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "too_many_requests",
}


def error_code(status: int) -> str:
    """The ``error`` code of an HTTP status (``error`` for one not listed)."""
    return CODES.get(status, "error")


def json_error(
    status: int, key: str, message: str | None = None, *, code: str | None = None
) -> Response:
    """A JSON error answer with ``status``: ``message`` already translated (default: the
    text of ``key`` in the request's language); ``code`` default :func:`error_code`."""
    text = message if message is not None else t(key, current_lang())
    resp = jsonify({"error": code or error_code(status), "message": text, "key": key})
    resp.status_code = status
    return resp


def json_minqing(err: MinqingError) -> Response:
    """A use case's refusal as JSON, with its own status, code and message."""
    resp = jsonify(err.to_dict(current_lang()))
    resp.status_code = err.status
    return resp
