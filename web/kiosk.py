"""Wall-screen kiosks: ``/wall/k/<token>`` opens a wall session; revoking the token locks it.

A kiosk token has a system account (``kiosk-<id>``, role ``wall``, the token's area; see
``governance/kiosks.py``). Opening the kiosk URL starts an ordinary server-side session
of that account and remembers the token id in the session. From then on the session
module asks ``web.kiosk_session.load_kiosk_principal`` instead of checking the idle and absolute
timeouts: the session lives exactly as long as the token (a wall screen polls all day;
the token's expiry and revocation bound it, not the clock). Once the token is revoked
or expired the session is locked for good: the wall's callbacks answer with the locked
state (:func:`wall_locked`), page loads get the locked page, other requests a 401.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, session

from governance import audit, kiosks
from governance.uow import unit_of_work
from i18n import current_lang, t
from web.errors import json_error
from web.kiosk_session import ENTRY_PREFIX, KIOSK_KEY, LOCKED
from web.refusals import audit_refused_token
from web.session import start_session

log = logging.getLogger(__name__)

bp = Blueprint("kiosk", __name__, template_folder="templates")

WALL_PAGE = "/wall"
WALL_CALLBACK_PREFIX = "wall-"
_TOKEN_IN_PATH = re.compile(r"(/wall/k/)[^\s?\"/]+")


@bp.get(ENTRY_PREFIX + "<token>")
def enter(token: str) -> Response:
    """Check the kiosk token, start the wall session and go to the wall page."""
    with unit_of_work() as s:  # committed before a refusal is audited (its own transaction)
        principal, check = kiosks.kiosk_sign_in(s, token)
    if principal is None:
        log.info("kiosk link refused: %s", check.reason)
        # named by the stored prefix, never by the path: it holds the presented token
        audit_refused_token("kiosk", check, f"GET {ENTRY_PREFIX}{check.prefix or '*'}")
        return locked_page(403)
    start_session(principal)
    session[KIOSK_KEY] = check.token_id
    audit.record_now(
        action="login",
        user_id=principal.user_id,
        username=principal.username,
        role=principal.role,
        client_addr=request.remote_addr,
        detail={"kiosk_token": check.token_id, "prefix": check.prefix},
    )
    log.info("kiosk session opened: token #%s (%s)", check.token_id, principal.username)
    # the wall's own display options survive the redirect (?rotate=N); nothing else does
    rotate = request.args.get("rotate", "")
    target = f"{WALL_PAGE}?rotate={rotate}" if rotate.isdigit() and len(rotate) <= 4 else WALL_PAGE
    resp: Response = redirect(target)  # type: ignore[assignment]
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def locked_response(output_ids: list[str], is_callback: bool, json_path: bool) -> Response | None:
    """What a locked kiosk session gets: wall callbacks go through (and answer with the
    locked state, see :func:`wall_locked`), other JSON requests a 401, pages the locked
    page."""
    if is_callback and output_ids and all(i.startswith(WALL_CALLBACK_PREFIX) for i in output_ids):
        g.wall_locked = True
        return None
    if json_path:
        return json_error(401, LOCKED)
    return locked_page(403)


def wall_locked() -> bool:
    """Is this request from a locked kiosk session (set by the guard)?"""
    return bool(getattr(g, "wall_locked", False))


def locked_page(status: int) -> Response:
    """The dark 'wall screen locked' page (no data, no script)."""
    lang = current_lang()
    html = render_template("wall_locked.html", lang=lang, t=lambda k, **kw: t(k, lang, **kw))
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


class _HideKioskTokens(logging.Filter):
    """Masks kiosk tokens in request lines of the access logs (gunicorn, werkzeug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args: Any = record.args
        if isinstance(args, dict):
            for k, v in list(args.items()):
                if isinstance(v, str) and ENTRY_PREFIX in v:
                    args[k] = _TOKEN_IN_PATH.sub(r"\1***", v)
        elif isinstance(args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub(r"\1***", a) if isinstance(a, str) else a for a in args
            )
        if isinstance(record.msg, str) and ENTRY_PREFIX in record.msg:
            record.msg = _TOKEN_IN_PATH.sub(r"\1***", record.msg)
        return True


@bp.record_once
def _install_log_filter(_state: Any) -> None:
    for name in ("gunicorn.access", "werkzeug"):
        logging.getLogger(name).addFilter(_HideKioskTokens())
