"""The HTML page Dash serves for every screen, in the user's language.

Dash writes one ``<html>`` for all requests (``Dash.interpolate_index``), with no ``lang``:
a screen reader then reads Chinese text with an English voice (or the reverse), and
WCAG 3.1.1 fails. :func:`install` wraps the app's ``interpolate_index`` so that each page
names the request's language (``i18n.current_lang``: the language cookie, ``?lang=``, the
configured default), and carries the few translated words that ``assets/js/a11y.js``
gives to controls Dash renders in English (a date picker's clear button).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any, Final

import dash
from flask import has_request_context, request

from i18n import current_lang, t

_HTML_TAG: Final = re.compile(r"<html(\s[^>]*)?>", re.IGNORECASE)
# data-* attribute on <html> -> message key; read by assets/js/a11y.js
A11Y_WORDS: Final = {
    "data-mq-clear-date": "a11y.clear_date",
    "data-mq-clear-dates": "a11y.clear_dates",
}


def html_tag(lang: str) -> str:
    """The opening ``<html>`` tag of a page in ``lang``."""
    words = " ".join(f'{attr}="{escape(t(key, lang))}"' for attr, key in A11Y_WORDS.items())
    return f'<html lang="{escape(lang)}" {words}>'


def with_lang(index: str, lang: str) -> str:
    """``index`` (Dash's page) with its first ``<html>`` tag naming ``lang``."""
    return _HTML_TAG.sub(lambda _m: html_tag(lang), index, count=1)


def page_title(path: str | None, lang: str) -> str:
    """The browser-tab title of the screen at ``path`` (its ``register_page`` title, in the
    request's language); the product's name for a path no screen has."""
    wanted = (path or "/").rstrip("/") or "/"
    for page in dash.page_registry.values():
        if page.get("path") == wanted:
            title = page.get("title")
            return str(title() if callable(title) else title)
    return t("map.title", lang)


def install(app: dash.Dash) -> None:
    """Make every page ``app`` serves name the request's language on ``<html>`` and carry
    its screen's title in that language from the first byte (Dash writes ``app.title``,
    which the pages router replaces only once the page has run)."""
    plain = app.interpolate_index

    def interpolate_index(**kwargs: Any) -> str:
        lang = current_lang()
        if has_request_context():
            kwargs["title"] = escape(page_title(request.path, lang))
        return with_lang(plain(**kwargs), lang)

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]
