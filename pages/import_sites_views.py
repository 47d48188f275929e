"""The key-site import page's result views (no page registration: callbacks import this
module before the Dash app exists in unit tests)."""

from __future__ import annotations

from typing import Any

from dash import html

from governance.registry_import import Outcome
from i18n import t
from pages.import_views import message, row_errors


def preview_view(p: Outcome, lang: str) -> list[Any]:
    """The counts, every listed error and every listed correction (to accept)."""
    out: list[Any] = [
        message(
            t(
                "registry.page.summary",
                lang,
                total=p.total,
                new=p.new,
                updated=p.updated,
                unchanged=p.unchanged,
            ),
            "info",
        )
    ]
    out += row_errors(p.errors, p.error_count, lang)
    if p.correction_count:
        fixes = [
            html.Li(
                t("import.correction_line", lang, row=c.row, column=c.column, message=c.message)
            )
            for c in p.corrections
        ]
        if p.correction_count > len(p.corrections):
            more = p.correction_count - len(p.corrections)
            fixes.append(html.Li(t("import.more_corrections", lang, n=more)))
        out += [
            message(t("import.corrections", lang, n=p.correction_count), "warn"),
            html.Ul(fixes, className="mq-import-corrections"),
        ]
    return out
