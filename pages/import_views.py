"""The import page's result views (no page registration: callbacks import this module
before the Dash app exists in unit tests)."""

from __future__ import annotations

from typing import Any

from dash import html

from governance.file_import import PREVIEW_ROWS, Preview
from i18n import t

TABLE_COLUMNS = (
    "external_id",
    "category",
    "occurred_at",
    "lon",
    "lat",
    "priority",
    "address",
    "description",
)  # then the corrections the import makes to the row (for the user to accept)


def message(text: str, kind: str = "error") -> html.Div:
    return html.Div(text, className=f"mq-import-message mq-import-{kind}")


def _corrections(p: Preview, lang: str) -> list[Any]:
    """Every correction the import would make by itself, row by row (up to the listed
    ones): they must be accepted (the checkbox under the buttons) before the import."""
    if not p.correction_count:
        return []
    lines = [
        html.Li(t("import.correction_line", lang, row=c.row, column=c.column, message=c.message))
        for c in p.corrections
    ]
    if p.correction_count > len(p.corrections):
        more = p.correction_count - len(p.corrections)
        lines.append(html.Li(t("import.more_corrections", lang, n=more)))
    return [
        message(t("import.corrections", lang, n=p.correction_count), "warn"),
        html.Ul(lines, className="mq-import-corrections"),
    ]


def row_errors(errors: list[Any], count: int, lang: str) -> list[Any]:
    """The count of row errors and the listed ones (row, column, what is wrong); nothing
    when there are none. Shared by the hotline and key-site import previews."""
    if not count:
        return []
    lines = [
        html.Li(t("import.error_line", lang, row=e.row, column=e.column, message=e.message))
        for e in errors
    ]
    if count > len(errors):
        lines.append(html.Li(t("import.more_errors", lang, n=count - len(errors))))
    return [
        message(t("import.errors", lang, n=count)),
        html.Ul(lines, className="mq-import-errors"),
    ]


def preview_view(p: Preview, lang: str) -> list[Any]:
    """The preview: counts, every error and every automatic correction (up to the listed
    ones), the first rows with their categories by name and their corrections."""
    out: list[Any] = [
        message(
            t(
                "import.summary",
                lang,
                total=p.total,
                new=p.new,
                replays=p.replays,
                repeats=p.repeats,
            ),
            "info",
        )
    ]
    out += row_errors(p.errors, p.error_count, lang)
    out += _corrections(p, lang)
    head = [html.Th(t("import.col.row", lang))] + [
        html.Th(t(f"import.field.{c}", lang)) for c in TABLE_COLUMNS
    ]
    head.append(html.Th(t("import.col.corrections", lang)))
    body = []
    for r in p.rows:
        if r.get("error"):
            span = len(TABLE_COLUMNS) + 1
            cells = [html.Td(r["row"]), html.Td(t("import.row_error", lang), colSpan=span)]
            body.append(html.Tr(cells, className="mq-import-bad"))
        else:
            fixes = r.get("corrections") or []
            cells = [html.Td(r["row"])] + [html.Td(str(r[c])) for c in TABLE_COLUMNS]
            cells.append(html.Td("; ".join(fixes), className="mq-import-fix"))
            body.append(html.Tr(cells, className="mq-import-fixed" if fixes else None))
    out += [
        html.H3(
            t("import.first_rows", lang, n=min(PREVIEW_ROWS, p.total)), className="mq-import-h"
        ),
        html.Div(
            html.Table([html.Thead(html.Tr(head)), html.Tbody(body)], className="mq-import-table"),
            className="mq-import-scroll",
        ),
    ]
    return out
