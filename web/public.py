"""Public pages, no sign-in (有事找书记): the report form, a report's progress and the
resident's rating. Server-rendered, they work without JavaScript; ``assets/js/report.js``
only narrows the location pickers and fills in the browser's position.

The use cases are in ``governance/public.py``; this layer parses the form, applies the
per-address rate limits and renders. Every POST carries the session's CSRF token (the
guard in ``web/guard.py`` checks it; anonymous visitors get one with the form).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, redirect, request

from governance import public as svc
from governance import throttle
from governance.errors import InvalidInput, NotFound
from governance.uow import unit_of_work
from i18n import current_lang, t
from web.server_pages import page

log = logging.getLogger(__name__)
bp = Blueprint("public", __name__, template_folder="templates")
REPORTS = throttle.REPORTS_PER_ADDRESS  # created reports per address
MISSES = throttle.TRACK_MISSES_PER_ADDRESS  # unknown tracking codes per address


def _blocked(limit: throttle.Limit) -> bool:
    """Is this address over ``limit`` (counted for every worker and node)?"""
    with unit_of_work() as s:
        return not throttle.peek(s, limit, _addr(), audit_refusals=False).allowed


def _count(limit: throttle.Limit) -> None:
    with unit_of_work() as s:
        throttle.count(s, limit, _addr())


def _addr() -> str:
    return request.remote_addr or "?"


def _page(template: str, status: int = 200, **ctx: object) -> Response:
    """A public page (:func:`web.server_pages.page`), never cached: it shows a case."""
    resp = page(template, status, **ctx)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _message(status: int, title_key: str, message: str) -> Response:
    return _page("report_message.html", status=status, title=t(title_key), message=message)


def _too_many(key: str, limit: throttle.Limit) -> Response:
    resp = _message(429, "public.too_many_title", t(key, minutes=limit.seconds // 60))
    resp.headers["Retry-After"] = str(limit.seconds)
    return resp


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
        options=_form_options(),
    )


def _form_options() -> dict[str, object]:
    with unit_of_work() as s:
        return svc.form_options(s, current_lang())


@bp.get("/report")
def report() -> Response:
    code = request.args.get("code")
    if code:  # the look-up box on the form
        return redirect(f"/track/{svc.normalize_code(code) or 'unknown'}", 303)  # type: ignore[return-value]
    return _report_form()


@bp.post("/report")
def report_post() -> Response:
    if _blocked(REPORTS):
        return _too_many("public.error.too_many_reports", REPORTS)
    f = request.form
    upload = request.files.get("photo")
    photo = upload.stream.read(svc.PHOTO_MAX_BYTES + 1) if upload and upload.filename else None
    form = svc.ReportForm(
        **{k: str(f.get(k) or "") for k in svc.ReportForm.__dataclass_fields__ if k != "photo"},
        photo=photo or None,
    )
    try:
        with unit_of_work() as s:  # a resident: no principal, no area scope
            code, created = svc.submit_report(s, form, _addr())
    except svc.ReportInvalid as err:
        return _report_form(400, form, err.messages(current_lang()))
    if created:
        _count(REPORTS)
    return _page("report_done.html", code=code)


def _track_page(raw_code: str, status: int = 200, **ctx: object) -> Response:
    if _blocked(MISSES):
        return _too_many("public.error.too_many_lookups", MISSES)
    try:
        with unit_of_work() as s:
            view = svc.tracking_view(s, raw_code, current_lang())
    except NotFound as err:
        _count(MISSES)
        return _message(404, "public.not_found_title", err.user_message(current_lang()))
    return _page("track.html", status=status, case=view, **ctx)


@bp.get("/track/<code>")
def track(code: str) -> Response:
    return _track_page(code, rated=request.args.get("rated") == "1")


@bp.post("/track/<code>/feedback")
def track_feedback(code: str) -> Response:
    if _blocked(MISSES):
        return _too_many("public.error.too_many_lookups", MISSES)
    rating = str(request.form.get("rating") or "")
    comment = str(request.form.get("comment") or "").strip()
    try:
        with unit_of_work() as s:  # a resident: no principal, no area scope
            svc.give_feedback(s, code, rating, comment or None)
    except NotFound as err:
        _count(MISSES)
        return _message(404, "public.not_found_title", err.user_message(current_lang()))
    except InvalidInput as err:
        return _track_page(code, 400, error=err.user_message(current_lang()))
    canonical = svc.normalize_code(code)
    return redirect(f"/track/{canonical}?rated=1", 303)  # type: ignore[return-value]
