"""Server-rendered pages of the shell (sign-in, password, "forbidden"): one renderer.

Below the guard and the blueprints: the guard answers a refused page load with
:func:`forbidden_page`, and ``web/auth.py`` renders its forms with :func:`page`.
"""

from __future__ import annotations

from flask import Response, render_template

from i18n import Lang, current_lang, t
from web.routes_table import home_for
from web.session import csrf_token, current_principal


def page(template: str, status: int = 200, **ctx: object) -> Response:
    """``template`` in the request's language, with the session's CSRF token."""
    return page_in(current_lang(), template, status, **ctx)


def page_in(lang: Lang, template: str, status: int = 200, **ctx: object) -> Response:
    """``template`` in ``lang`` (the sign-in form's own language switch), with the
    session's CSRF token."""
    html = render_template(
        template,
        lang=lang,
        t=lambda k, **kw: t(k, lang, **kw),
        csrf=csrf_token(),
        other_lang="en" if lang == "zh-CN" else "zh-CN",
        **ctx,
    )
    return Response(html, status=status, mimetype="text/html")


def forbidden_page(key: str) -> Response:
    """The 403 page saying why (``key``), for a signed-in person, with the way back to
    their home screen (the page they land on after sign-in) as well as sign-out."""
    principal = current_principal()
    return page(
        "forbidden.html",
        status=403,
        message=t(key, current_lang()),
        principal=principal,
        home=home_for(principal) if principal is not None else None,
    )
