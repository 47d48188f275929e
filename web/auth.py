"""Sign-in and sign-out pages (server-rendered, work without JavaScript)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, redirect, request, session, url_for

from governance import audit, throttle
from governance.access import Principal
from governance.accounts import change_own_password
from governance.errors import InvalidInput, MinqingError, Unauthorized
from governance.inputs import is_clean
from governance.signin import sign_in
from i18n import current_lang, normalize
from web import outage
from web.redirects import safe_path
from web.routes_table import home_for
from web.server_pages import page, page_in
from web.session import (
    current_principal,
    end_session,
    load_session_principal,
    remember_lang,
    start_session,
)

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__, template_folder="templates")


def _safe_next(raw: object) -> str:
    """Only paths of this site: no open redirects (web/redirects.py)."""
    return safe_path(raw)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on every page; Dash serves it at /_favicon.ico."""
    return redirect("/_favicon.ico", 301)  # type: ignore[return-value]


@bp.get("/login")
def login() -> Response:
    """The sign-in form. Its language switch (``?lang=``) wins over the language cookie
    and is remembered in it, so that the choice holds after sign-in."""
    chosen = normalize(request.args.get("lang")) if "lang" in request.args else None
    resp = page_in(
        chosen or current_lang(),
        "login.html",
        next=_safe_next(request.args.get("next")),
        error=None,
        username="",
    )
    remember_lang(resp, chosen)
    return resp


@bp.post("/login")
def login_post() -> Response:
    username = request.form.get("username") or ""
    nxt = _safe_next(request.form.get("next"))
    # The language the form was shown in. The cookie holds it already when the form's
    # switch was used; it is remembered here only if it differs (a cookie the browser
    # dropped), so that a person who never chose keeps the configured default.
    lang = request.form.get("lang")
    shown = normalize(lang) if isinstance(lang, str) and lang else current_lang()
    remember = shown if shown != current_lang() else None
    try:
        principal = sign_in(username, request.form.get("password") or "", request.remote_addr)
    except (Unauthorized, throttle.TooMany) as err:
        resp = page_in(
            shown,
            "login.html",
            status=err.status,
            next=nxt,
            username=username.strip() if is_clean(username) else "",
            error=err.user_message(shown),
        )
        if isinstance(err, throttle.TooMany):
            resp.headers["Retry-After"] = str(err.retry_after)
        remember_lang(resp, remember)
        return resp
    start_session(principal)
    log.info("signed in: %s (%s)", principal.username, principal.role)
    if principal.must_change_password:
        done = redirect(url_for("auth.password", next=nxt))
    else:
        done = redirect(home_for(principal, nxt))
    remember_lang(done, remember)  # type: ignore[arg-type]
    return done  # type: ignore[return-value]


PASSWORD_PATH = "/password"


@bp.get(PASSWORD_PATH)
def password() -> Response:
    """Change one's own password (required after an administrator set it)."""
    p = current_principal()
    assert p is not None  # the guard lets only signed-in users here
    return _password_page(p, None)


def _password_page(p: Principal, error: str | None, status: int = 200) -> Response:
    return page(
        "password.html",
        status=status,
        next=_safe_next(request.values.get("next")),
        forced=p.must_change_password,
        username=p.username,
        error=error,
    )


@bp.post(PASSWORD_PATH)
def password_post() -> Response:
    p = current_principal()
    assert p is not None
    new = request.form.get("new")
    try:
        if new != request.form.get("repeat"):
            raise InvalidInput("error.password.mismatch")
        changed = change_own_password(
            p, request.form.get("current"), new, client_addr=request.remote_addr
        )
    except MinqingError as err:
        return _password_page(p, err.user_message(current_lang()), status=err.status)
    start_session(changed)  # every session ended with the change: this one starts afresh
    log.info("password changed: %s", changed.username)
    return redirect(home_for(changed, _safe_next(request.form.get("next"))))  # type: ignore[return-value]


@bp.post("/logout")
def logout() -> Response:
    """Sign out: the browser's session ends whatever happens; the server-side record is
    revoked and the sign-out audited when the database answers (during an outage the
    cookie still goes, and the record lapses at its absolute timeout)."""
    try:
        p = load_session_principal()
        if p is not None:
            audit.record_now(
                action="logout",
                user_id=p.user_id,
                username=p.username,
                role=p.role,
                client_addr=request.remote_addr,
            )
        end_session()
    except Exception as exc:
        if not outage.is_outage(exc):
            raise
        outage.note(exc, "POST /logout")
        session.clear()
    return redirect("/login")  # type: ignore[return-value]
