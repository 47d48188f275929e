"""Public pages, no sign-in (有事找书记): the report form, a report's progress and the
resident's rating. Server-rendered, they work without JavaScript; ``assets/js/report.js``
only narrows the location pickers and fills in the browser's position.

The use cases are in ``governance/public.py``; this layer parses the form, applies the
per-address rate limits and renders. Every POST carries the session's CSRF token (the
guard in ``web/security.py`` checks it; anonymous visitors get one with the form).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Blueprint, Response, redirect, render_template, request

from governance import public as svc
from governance.errors import InvalidInput, NotFound
from i18n import current_lang, t
from web.security import csrf_token

log = logging.getLogger(__name__)
bp = Blueprint("public", __name__, template_folder="templates")
REPORTS_PER_WINDOW, REPORT_WINDOW = 5, 600.0  # created reports per address
MISSES_PER_WINDOW, MISS_WINDOW = 20, 600.0  # unknown tracking codes per address


class _PerAddress:
    """At most ``limit`` counted events per client address per ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, tuple[float, int]] = {}  # addr -> (window start, count)
        self._lock = threading.Lock()

    def _current(self, addr: str, now: float) -> tuple[float, int]:
        start, n = self._seen.get(addr, (now, 0))
        return (now, 0) if now - start >= self.window else (start, n)

    def blocked(self, addr: str) -> bool:
        with self._lock:
            return self._current(addr, time.monotonic())[1] >= self.limit

    def hit(self, addr: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:  # forget stale addresses
                self._seen = {a: v for a, v in self._seen.items() if now - v[0] < self.window}
            start, n = self._current(addr, now)
            self._seen[addr] = (start, n + 1)


reports = _PerAddress(REPORTS_PER_WINDOW, REPORT_WINDOW)
misses = _PerAddress(MISSES_PER_WINDOW, MISS_WINDOW)


def _addr() -> str:
    return request.remote_addr or "?"


def _page(template: str, status: int = 200, **ctx: object) -> Response:
    lang = current_lang()
    html = render_template(
        template,
        lang=lang,
        t=lambda k, **kw: t(k, lang, **kw),
        csrf=csrf_token(),
        other_lang="en" if lang == "zh-CN" else "zh-CN",
        **ctx,
    )
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _message(status: int, title_key: str, message: str) -> Response:
    return _page("report_message.html", status=status, title=t(title_key), message=message)


def _too_many(key: str, window: float) -> Response:
    return _message(429, "public.too_many_title", t(key, minutes=int(window // 60)))


def _report_form(
    status: int = 200, form: svc.ReportForm | None = None, errors: dict[str, str] | None = None
) -> Response:
    form = form or svc.ReportForm()
    return _page(
        "report.html",
        status=status,
        form=form,
        nonce=form.nonce if svc.NONCE.match(form.nonce) else svc.new_nonce(),
        errors=errors or {},
        options=svc.form_options(current_lang()),
    )


@bp.get("/report")
def report() -> Response:
    code = request.args.get("code")
    if code:  # the look-up box on the form
        return redirect(f"/track/{svc.normalize_code(code) or 'unknown'}", 303)  # type: ignore[return-value]
    return _report_form()


@bp.post("/report")
def report_post() -> Response:
    if reports.blocked(_addr()):
        return _too_many("public.error.too_many_reports", REPORT_WINDOW)
    f = request.form
    upload = request.files.get("photo")
    photo = upload.stream.read(svc.PHOTO_MAX_BYTES + 1) if upload and upload.filename else None
    form = svc.ReportForm(
        **{k: str(f.get(k) or "") for k in svc.ReportForm.__dataclass_fields__ if k != "photo"},
        photo=photo or None,
    )
    try:
        code, created = svc.submit_report(form, _addr())
    except svc.ReportInvalid as err:
        return _report_form(400, form, err.messages(current_lang()))
    if created:
        reports.hit(_addr())
    return _page("report_done.html", code=code)


def _track_page(raw_code: str, status: int = 200, **ctx: object) -> Response:
    if misses.blocked(_addr()):
        return _too_many("public.error.too_many_lookups", MISS_WINDOW)
    try:
        view = svc.tracking_view(raw_code, current_lang())
    except NotFound as err:
        misses.hit(_addr())
        return _message(404, "public.not_found_title", err.user_message(current_lang()))
    return _page("track.html", status=status, case=view, **ctx)


@bp.get("/track/<code>")
def track(code: str) -> Response:
    return _track_page(code, rated=request.args.get("rated") == "1")


@bp.post("/track/<code>/feedback")
def track_feedback(code: str) -> Response:
    if misses.blocked(_addr()):
        return _too_many("public.error.too_many_lookups", MISS_WINDOW)
    rating = str(request.form.get("rating") or "")
    comment = str(request.form.get("comment") or "").strip()
    try:
        svc.give_feedback(code, rating, comment or None)
    except NotFound as err:
        misses.hit(_addr())
        return _message(404, "public.not_found_title", err.user_message(current_lang()))
    except InvalidInput as err:
        return _track_page(code, 400, error=err.user_message(current_lang()))
    canonical = svc.normalize_code(code)
    return redirect(f"/track/{canonical}?rated=1", 303)  # type: ignore[return-value]
