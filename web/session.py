"""The bottom of the HTTP shell: who is signed in, and the session that says so.

The principal of a request (:func:`current_principal`, set by the guard), the CSRF token,
and the server-side session's start, end and checks: idle and absolute timeouts, sign-out
elsewhere, disabled accounts, kiosk sessions bounded by their token. Nothing here decides
what a principal may open (``web/routes_table.py``, ``web/guard.py``).
"""

from __future__ import annotations

import secrets
import time
from typing import Final

from flask import Response, g, request, session

from governance.access import Principal
from governance.accounts import close_session, load_principal, open_session
from governance.uow import unit_of_work
from i18n import COOKIE as LANG_COOKIE
from i18n import LANGS
from settings import get_settings
from web.kiosk_session import is_kiosk_session, load_kiosk_principal

CSRF_COOKIE: Final = "_csrf_token"  # the cookie Dash's renderer copies into X-CSRFToken
CSRF_HEADER: Final = "X-CSRFToken"
DASH_UPDATE: Final = "/_dash-update-component"
SEEN_GRANULARITY: Final = 30  # seconds: refresh the idle clock at most this often
# Requests a page makes by itself, not a person: they do not refresh the idle clock (an
# open map's live stream reconnects every few minutes and must not keep a session alive).
PASSIVE_PATHS: Final = frozenset({"/api/v1/stream"})
# Callbacks a page fires by itself: a timer's tick (the department inbox, the dispatch
# board, the wall) or a pushed change (the map's live version). Only a callback whose
# every changed property is one of these is passive; a click, a filter or a page load
# still counts as the person being there.
PASSIVE_PROPS: Final = (".n_intervals",)
PASSIVE_STORES: Final = frozenset({"map-live-version.data"})
LANG_MAX_AGE: Final = 365 * 24 * 3600  # the language switch's cookie: a year, as minqing.js sets it


def current_principal() -> Principal | None:
    """The signed-in user of this request (None outside a request or when anonymous)."""
    return getattr(g, "principal", None)


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def remember_lang(resp: Response, lang: object) -> None:
    """Keep the language a person chose (on the sign-in page, before any session) in the
    cookie every page reads (``i18n.current_lang``), as the screens' language switch does.
    Anything but a supported language is ignored."""
    if isinstance(lang, str) and lang in LANGS:
        resp.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=LANG_MAX_AGE,
            samesite="Lax",
            secure=get_settings().cookie_secure,
            httponly=False,  # the screens' language switch rewrites it in the browser
        )


def start_session(principal: Principal) -> None:
    """Fresh session for a successful sign-in (new id: no session fixation), recorded
    server-side so that sign-out or an account change ends it everywhere at once."""
    session.clear()
    now = int(time.time())
    sid = secrets.token_urlsafe(32)
    with unit_of_work() as s:
        open_session(s, principal.user_id, sid, request.remote_addr)
    session.update(
        uid=principal.user_id,
        sid=sid,
        login_at=now,
        seen_at=now,
        csrf=secrets.token_urlsafe(32),
    )
    session.permanent = True


def end_session() -> None:
    """Revoke the server-side session record and clear the cookie session."""
    if session.get("sid"):
        with unit_of_work() as s:
            close_session(s, str(session["sid"]))
    session.clear()


def load_session() -> tuple[Principal | None, str | None]:
    """The principal of this request's session, or ``(None, message key)`` when it no
    longer holds (``None`` key: no session at all). Refreshes the idle clock."""
    uid = session.get("uid")
    if uid is None:
        return None, None
    if is_kiosk_session():  # a wall screen: its token, not the clock, ends it
        return load_kiosk_principal()
    cfg = get_settings()
    now = int(time.time())
    if now - int(session.get("seen_at", 0)) > cfg.session_idle_minutes * 60:
        return None, "error.session_idle"
    if now - int(session.get("login_at", 0)) > cfg.session_absolute_hours * 3600:
        return None, "error.session_expired"
    with unit_of_work() as s:  # before the principal is known: no area scope
        principal = load_principal(s, int(uid), str(session.get("sid") or ""))
    if principal is None:  # signed out elsewhere, revoked, disabled or deleted
        return None, "error.session_expired"
    if now - int(session.get("seen_at", 0)) > SEEN_GRANULARITY and not _passive():
        session["seen_at"] = now
    return principal, None


def _passive() -> bool:
    """Is this request one the page made by itself (it does not refresh the idle clock)?"""
    if request.path in PASSIVE_PATHS:
        return True
    if request.path != DASH_UPDATE:
        return False
    body = request.get_json(silent=True)
    changed = body.get("changedPropIds") if isinstance(body, dict) else None
    return (
        isinstance(changed, list)
        and bool(changed)
        and all(
            isinstance(p, str) and (p.endswith(PASSIVE_PROPS) or p in PASSIVE_STORES)
            for p in changed
        )
    )


def load_session_principal() -> Principal | None:
    """The signed-in principal of this request's session, for routes the guard lets
    through without loading it (sign-out)."""
    return load_session()[0]


def recheck_principal() -> tuple[Principal | None, str | None]:
    """The request's session checked again now, as the guard checks it (timeouts, sign-out,
    a disabled account, a revoked kiosk token): for requests that last, such as a live
    stream. ``(None, message key)`` once it no longer holds."""
    return load_session()
