"""What the three file-import pages' callbacks share (hotline exports, key sites, areas):
the dropdowns' values as a mapping, the stamp of a checked preview, the per-field outputs,
and a refusal shown with its rows. Not callbacks themselves (each page registers its own,
on its own ids); plain functions, so the pages answer the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from dash import html

from governance.errors import MinqingError
from i18n import current_lang, t
from pages.import_views import message
from web.security import refused

MAX_LISTED = 200  # rows listed with a refusal; the service's count is always complete


def mapping(values: Any, fields: Iterable[str]) -> dict[str, str | None]:
    """Field -> the column chosen for it (None: not imported), from the dropdowns' values
    as a hand-made request may send them (anything that is not a non-empty text: none)."""
    chosen = values if isinstance(values, dict) else {}
    return {f: v if isinstance(v := chosen.get(f), str) and v else None for f in fields}


def stamp(*settings: Any) -> str:
    """What a preview checked (the upload and the settings): the import must match it."""
    return hashlib.sha256(json.dumps(list(settings), default=str).encode()).hexdigest()


def per_field(fields: Iterable[str], value: Any) -> dict[str, Any]:
    """The same output value for every field's dropdown."""
    return dict.fromkeys(fields, value)


def refusal(err: MinqingError, what: str) -> html.Div:
    """Log (and audit, if a permission said no) a refusal; its message, with the rows it
    names (``err.errors``: row, column, message) when it names any."""
    text = refused(err, what)
    rows = getattr(err, "errors", None)
    if rows:
        lang = current_lang()
        items = [
            html.Li(t("import.error_line", lang, row=e.row, column=e.column, message=e.message))
            for e in rows[:MAX_LISTED]
        ]
        return html.Div([message(text), html.Ul(items, className="mq-import-errors")])
    return message(text)
