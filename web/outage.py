"""A database outage is a clear, translated 503 on every route, never Flask's HTML 500.

When PostgreSQL is down (stopped, crashed, restarting, out of connections), every
signed-in request fails already in the request guard, which loads the principal from the
database; sign-in, exports, the public pages and the kiosk link fail in their use cases.
Flask would answer each with its bare HTML 500: it tells a person nothing, and it makes
Dash's renderer drop the callback for good. Here, in one place for the whole server:

* :func:`is_outage` says which exceptions mean "the database cannot be reached", and only
  those: a constraint violation, a deadlock or a bug stays a 500, so nothing is hidden;
* the blueprint :data:`bp` answers them with 503 and ``Retry-After``: JSON
  ``{error: "unavailable", message, key}`` under ``/api/`` and ``/_dash-*`` (the screens'
  ``assets/js/outage.js`` then shows the message in a banner and retries the request
  until it succeeds), and elsewhere a small translated page that retries by itself when
  it answered a GET (a meta refresh: the CSP allows no inline script). A POST is never
  replayed by the page: it may carry a password or a resident's report, so the page says
  it was not saved and links back to the form;
* every other 503 (``/healthz``, a use case's own ``Unavailable``) gets ``Retry-After`` too;
* an outage is logged once with its traceback, then summarised once a minute while it
  lasts: a dead database fails every request of every client.

Blueprints with their own error handlers take precedence over these (Flask looks in the
blueprint first); ``api/routes.py`` therefore hands outages to :func:`unavailable`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Final
from urllib.parse import urlsplit

import psycopg2
import psycopg2.extensions
from flask import Blueprint, Response, g, has_request_context, render_template, request
from sqlalchemy import exc as sa_exc

from governance.errors import Unavailable
from i18n import current_lang, t
from web.errors import json_error
from web.kiosk_session import ENTRY_PREFIX
from web.requests import JSON_PREFIXES

log = logging.getLogger(__name__)

bp = Blueprint("outage", __name__, template_folder="templates")

RETRY_AFTER_SECONDS: Final = 5  # what a 503 asks clients to wait before trying again
LOG_QUIET_SECONDS: Final = 60.0  # one log line per this many seconds while it lasts
DATABASE_KEY: Final = "outage.retrying"
# Server errors that are not an outage, though psycopg2 files them under OperationalError:
# a deadlock or serialization failure, and a cancelled statement, are faults of one
# transaction while the database is up.
NOT_OUTAGES: Final = (
    psycopg2.extensions.TransactionRollbackError,
    psycopg2.extensions.QueryCanceledError,
)
_IN_VIEW: Final = "minqing_in_view"  # flask.g: every before-request hook has passed


def is_outage(exc: BaseException) -> bool:
    """Does ``exc`` mean the database (or another service a use case needs, raised as
    :class:`~governance.errors.Unavailable`) cannot be reached right now?

    SQLAlchemy marks a connection lost under a statement as ``connection_invalidated``
    (psycopg2 reports it as a bare ``DatabaseError``: "server closed the connection
    unexpectedly"); a refused connection is an ``OperationalError``, a closed one an
    ``InterfaceError``.
    """
    if isinstance(exc, Unavailable):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc.orig, psycopg2.Error):
            return _lost(exc.orig)
        return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError))
    if isinstance(exc, psycopg2.Error):
        return _lost(exc)
    return False


def _lost(err: psycopg2.Error) -> bool:
    if isinstance(err, NOT_OUTAGES):
        return False
    if isinstance(err, (psycopg2.OperationalError, psycopg2.InterfaceError)):
        return True
    # the server's own errors always carry a SQLSTATE; a bare one is the client's
    return type(err) is psycopg2.DatabaseError and err.pgcode is None


def propagate(exc: BaseException) -> None:
    """Re-raise ``exc`` if it is an outage and a request's view is running (a page that
    Dash's router callback renders, any callback): the client holds and retries a 503.

    For code that falls back when the database is down (a page layout with a default
    extent): it calls this first, so that the fallback is left only to Dash's one-off
    validation layout, which is built before any view runs and must not fail.
    """
    if is_outage(exc) and has_request_context() and g.get(_IN_VIEW, False):
        raise exc


class _OutageLog:
    """The first failure of an outage with its traceback, then one line per
    ``quiet`` seconds with the number of failures since; an outage is over once no
    failure was seen for ``quiet`` seconds."""

    def __init__(self, quiet: float = LOG_QUIET_SECONDS) -> None:
        self.quiet = quiet
        self._lock = threading.Lock()
        self._last_failure = float("-inf")
        self._last_line = float("-inf")
        self._unlogged = 0

    def note(self, exc: BaseException, where: str) -> None:
        now = time.monotonic()
        with self._lock:
            first = now - self._last_failure > self.quiet
            self._last_failure = now
            if not first and now - self._last_line < self.quiet:
                self._unlogged += 1
                return
            count, self._unlogged, self._last_line = self._unlogged, 0, now
        if first:
            log.error("unavailable (%s): answering 503 until it is back", where, exc_info=exc)
        else:
            log.warning(
                "still unavailable (%s): %d more failures in the last %.0f s; last: %s",
                where,
                count,
                self.quiet,
                _first_line(exc),
            )


_log = _OutageLog()


def note(exc: BaseException, where: str) -> None:
    """Log an outage without flooding the log (see :class:`_OutageLog`)."""
    _log.note(exc, where)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _where() -> str:
    """The request for the log; a kiosk link's path is its credential: never logged."""
    path = request.path
    if path.startswith(ENTRY_PREFIX):
        path = ENTRY_PREFIX + "***"
    return f"{request.method} {path}"


def unavailable(err: BaseException) -> Response:
    """The 503 answering ``err`` (an outage), in the form the request's path expects."""
    note(err, _where())
    lang = current_lang()
    if isinstance(err, Unavailable):
        key, message = err.key, err.user_message(lang)
    else:
        key, message = DATABASE_KEY, t(DATABASE_KEY, lang)
    if request.path.startswith(JSON_PREFIXES):
        resp = json_error(503, key, message, code="unavailable")
    else:
        resp = _page(lang, message)
    resp.status_code = 503
    resp.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _page(lang: str, message: str) -> Response:
    """The outage page: a GET retries itself (meta refresh of the same URL); anything
    else says it was not saved and links back to the page it came from."""
    replay = request.method in ("GET", "HEAD")
    html = render_template(
        "outage.html",
        lang=lang,
        t=lambda k, **kw: t(k, lang, **kw),
        message=message,
        retry_in=RETRY_AFTER_SECONDS if replay else None,
        back=None if replay else _back(),
    )
    return Response(html, mimetype="text/html")


def _back() -> str:
    """Where the form came from: the path of a same-origin Referer, else this path."""
    ref = urlsplit(request.referrer or "")
    if ref.netloc == request.host and ref.path.startswith("/") and not ref.path.startswith("//"):
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return request.path


@bp.app_errorhandler(sa_exc.DBAPIError)
@bp.app_errorhandler(psycopg2.Error)
@bp.app_errorhandler(Unavailable)
def _handle(err: Exception) -> Response:
    if not is_outage(err):
        raise err  # not ours: Flask's usual 500 (logged there), exactly as before
    return unavailable(err)


@bp.before_app_request
def _in_view() -> None:
    """Registered after Dash's own hooks (create_app registers this blueprint last), so
    a page layout built by them for validation is told apart from one a view renders."""
    g.setdefault(_IN_VIEW, True)


@bp.after_app_request
def _retry_after(resp: Response) -> Response:
    if resp.status_code == 503:
        resp.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    return resp
