"""The file import page: upload -> mapping guessed; preview -> rows, errors, counts;
import -> all rows or none.

Thin: ``governance.file_import`` checks ``INCIDENT_IMPORT`` and every value itself,
because any of these callbacks can be called by a hand-made request. The uploaded file
travels in each request (base64, as dcc.Upload holds it); its size is checked on the
encoded text before anything is decoded, and the request guard refuses larger bodies.
Refusals come back as a translated message, never as a server error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from dash import Input, Output, State, callback, html
from flask import request

from callbacks import lang
from governance import file_import as service
from governance.errors import MinqingError
from i18n import current_lang, t
from pages import import_views as view
from pages.import_ids import ImportIds as Ids
from pages.import_ids import map_id
from web.security import current_principal, refused

log = logging.getLogger(__name__)

MAPS = [map_id(f) for f in service.FIELDS]

lang.switch(Ids.LANG_BUTTON, Ids.LANG_SINK)


def _refused(err: MinqingError, what: str) -> html.Div:
    """Log (and audit, if a permission said no) a refusal; its message, with the rows."""
    text = refused(err, f"import {what}")
    lang = current_lang()
    rows = getattr(err, "errors", None)
    if isinstance(err, service.ImportInvalid) and rows:
        items = [
            html.Li(t("import.error_line", lang, row=e.row, column=e.column, message=e.message))
            for e in rows[: service.MAX_ERRORS]
        ]
        return html.Div([view.message(text), html.Ul(items, className="mq-import-errors")])
    return view.message(text)


def _name(filename: Any) -> str:
    return filename[:200] if isinstance(filename, str) and filename else "upload.csv"


def _mapping(values: tuple[Any, ...]) -> dict[str, str | None]:
    return {
        f: (v if isinstance(v, str) and v else None)
        for f, v in zip(service.FIELDS, values, strict=False)
    }


def _stamp(contents: Any, filename: Any, source: Any, crs: Any, mapping: dict) -> str:
    """What a preview checked: the file and the settings (the import must match it)."""
    digest = hashlib.sha256(contents.encode() if isinstance(contents, str) else b"")
    digest.update(json.dumps([_name(filename), source, crs, mapping], default=str).encode())
    return digest.hexdigest()


@callback(
    Output(Ids.FILE, "children"),
    *(Output(m, "options") for m in MAPS),
    *(Output(m, "value") for m in MAPS),
    Output(Ids.PREVIEW_OUT, "children", allow_duplicate=True),
    Output(Ids.IMPORT, "disabled", allow_duplicate=True),
    Output(Ids.RESULT, "children", allow_duplicate=True),
    Input(Ids.UPLOAD, "contents"),
    State(Ids.UPLOAD, "filename"),
    prevent_initial_call=True,
)
def read_file(contents: Any, filename: Any) -> tuple[Any, ...]:
    """A new file: its size, its headers as the mapping's choices, the guessed mapping."""
    n = len(MAPS)
    try:
        data = service.decode_upload(contents)
        table, guess = service.read_headers(current_principal(), _name(filename), data)
    except MinqingError as err:
        return (_refused(err, "read"), *([[]] * n), *([None] * n), [], True, [])
    lang = current_lang()
    info = t(
        "import.file", lang, name=table.filename, rows=len(table.rows), columns=len(table.headers)
    )
    options = [{"label": h, "value": h} for h in table.headers]
    values = [guess.get(f) for f in service.FIELDS]
    return (view.message(info, "info"), *([options] * n), *values, [], True, [])


@callback(
    Output(Ids.PREVIEW_OUT, "children"),
    Output(Ids.IMPORT, "disabled"),
    Output(Ids.CHECKED, "data"),
    Output(Ids.RESULT, "children"),
    Input(Ids.PREVIEW, "n_clicks"),
    State(Ids.UPLOAD, "contents"),
    State(Ids.UPLOAD, "filename"),
    State(Ids.SOURCE, "value"),
    State(Ids.CRS, "value"),
    *(State(m, "value") for m in MAPS),
    prevent_initial_call=True,
)
def preview(_n: Any, contents: Any, filename: Any, source: Any, crs: Any, *maps: Any) -> tuple:
    """The first rows as stored, every error and the counts; import enabled if clean."""
    if contents is None:
        return view.message(t("import.error.no_file")), True, None, []
    mapping = _mapping(maps)
    try:
        data = service.decode_upload(contents)
        p = service.preview(
            current_principal(), _name(filename), data, mapping, source=source, crs=crs
        )
    except MinqingError as err:
        return _refused(err, "preview"), True, None, []
    clean = p.error_count == 0
    stamp = _stamp(contents, filename, source, crs, mapping) if clean else None
    return view.preview_view(p, current_lang()), not clean, stamp, []


@callback(
    Output(Ids.RESULT, "children", allow_duplicate=True),
    Output(Ids.IMPORT, "disabled", allow_duplicate=True),
    Input(Ids.IMPORT, "n_clicks"),
    State(Ids.UPLOAD, "contents"),
    State(Ids.UPLOAD, "filename"),
    State(Ids.SOURCE, "value"),
    State(Ids.CRS, "value"),
    State(Ids.CHECKED, "data"),
    *(State(m, "value") for m in MAPS),
    prevent_initial_call=True,
)
def run_import(
    _n: Any, contents: Any, filename: Any, source: Any, crs: Any, checked: Any, *maps: Any
) -> tuple[Any, bool]:
    """Every row in one transaction, or none; the counts (nothing personal)."""
    mapping = _mapping(maps)
    try:
        data = service.decode_upload(contents)
        if checked != _stamp(contents, filename, source, crs, mapping):
            return view.message(t("import.error.stale")), True
        done = service.commit(
            current_principal(),
            _name(filename),
            data,
            mapping,
            source=source,
            crs=crs,
            client_addr=request.remote_addr,
        )
    except MinqingError as err:
        return _refused(err, "commit"), True
    return view.message(t("import.done", None, **done), "ok"), True
