"""The file import page: upload -> mapping guessed; preview -> rows, errors, counts;
import -> all rows or none.

Thin: ``governance.file_import`` checks ``INCIDENT_IMPORT`` and every value itself,
because any of these callbacks can be called by a hand-made request. The file travels
once: the upload callback gets it (base64, as dcc.Upload holds it; its size checked on
the encoded text before anything is decoded, larger bodies refused by the request
guard), the service parses it once and keeps its table server-side, and the page then
holds only the upload's id (``Ids.UPLOAD_ID``), which is all the preview and the import
send. The browser's copy of the file is dropped once it is read. Refusals come back as
a translated message, never as a server error.
"""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate
from flask import request

from callbacks import import_common as common
from callbacks import lang
from governance import file_import as service
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import import_views as view
from pages.import_ids import ImportIds as Ids
from pages.import_ids import map_id
from web.security import current_principal

log = logging.getLogger(__name__)

lang.switch(Ids.LANG_BUTTON, Ids.LANG_SINK)


def _cleared(file: Any) -> dict[str, Any]:
    """The page without an upload: ``file`` says why."""
    return {
        "file": file,
        "upload": None,
        "contents": None,
        "options": common.per_field(service.FIELDS, []),
        "values": common.per_field(service.FIELDS, None),
        "preview": [],
        "disabled": True,
        "result": [],
    }


@callback(
    output={
        "file": Output(Ids.FILE, "children"),
        "upload": Output(Ids.UPLOAD_ID, "data"),
        "contents": Output(Ids.UPLOAD, "contents"),
        "options": {f: Output(map_id(f), "options") for f in service.FIELDS},
        "values": {f: Output(map_id(f), "value") for f in service.FIELDS},
        "preview": Output(Ids.PREVIEW_OUT, "children", allow_duplicate=True),
        "disabled": Output(Ids.IMPORT, "disabled", allow_duplicate=True),
        "result": Output(Ids.RESULT, "children", allow_duplicate=True),
    },
    inputs={"contents": Input(Ids.UPLOAD, "contents")},
    state={"filename": State(Ids.UPLOAD, "filename")},
    prevent_initial_call=True,
)
def read_file(contents: Any, filename: Any) -> dict[str, Any]:
    """A new file, read once: its size, its headers as the mapping's choices, the
    guessed mapping, and the id of its kept table."""
    if contents is None:  # the browser's copy of the file, dropped after it was read
        raise PreventUpdate
    try:
        data = service.decode_upload(contents)
        principal = current_principal()
        with unit_of_work(principal) as s:
            up = service.upload(s, principal, filename, data)
    except MinqingError as err:
        return _cleared(common.refusal(err, "import read"))
    info = t("import.file", current_lang(), name=up.filename, rows=up.rows, columns=len(up.headers))
    return {
        **_cleared(view.message(info, "info")),
        "upload": up.id,
        "options": common.per_field(service.FIELDS, [{"label": h, "value": h} for h in up.headers]),
        "values": dict(up.mapping),
    }


@callback(
    output={
        "preview": Output(Ids.PREVIEW_OUT, "children"),
        "disabled": Output(Ids.IMPORT, "disabled"),
        "checked": Output(Ids.CHECKED, "data"),
        "result": Output(Ids.RESULT, "children"),
        "no_fixes": Output(Ids.ACCEPT_BOX, "hidden"),
        "accept": Output(Ids.ACCEPT, "value"),
    },
    inputs={"clicks": Input(Ids.PREVIEW, "n_clicks")},
    state={
        "upload": State(Ids.UPLOAD_ID, "data"),
        "source": State(Ids.SOURCE, "value"),
        "crs": State(Ids.CRS, "value"),
        "maps": {f: State(map_id(f), "value") for f in service.FIELDS},
    },
    prevent_initial_call=True,
)
def preview(clicks: Any, upload: Any, source: Any, crs: Any, maps: Any) -> dict[str, Any]:
    """The first rows as stored, every error, every automatic correction (to accept) and
    the counts; import enabled if clean."""
    refusal: dict[str, Any] = {
        "disabled": True,
        "checked": None,
        "result": [],
        "no_fixes": True,
        "accept": [],
    }
    if upload is None:
        return {**refusal, "preview": view.message(t("import.error.no_file"))}
    mapping = common.mapping(maps, service.FIELDS)
    try:
        principal = current_principal()
        with unit_of_work(principal) as s:
            p = service.preview(s, principal, upload, mapping, source=source, crs=crs)
    except MinqingError as err:
        return {**refusal, "preview": common.refusal(err, "import preview")}
    clean = p.error_count == 0
    return {
        "preview": view.preview_view(p, current_lang()),
        "disabled": not clean,
        "checked": common.stamp(upload, source, crs, mapping) if clean else None,
        "result": [],
        "no_fixes": not (clean and p.correction_count),
        "accept": [],  # a new preview: its corrections are accepted afresh
    }


@callback(
    output={
        "result": Output(Ids.RESULT, "children", allow_duplicate=True),
        "disabled": Output(Ids.IMPORT, "disabled", allow_duplicate=True),
    },
    inputs={"clicks": Input(Ids.IMPORT, "n_clicks")},
    state={
        "upload": State(Ids.UPLOAD_ID, "data"),
        "source": State(Ids.SOURCE, "value"),
        "crs": State(Ids.CRS, "value"),
        "checked": State(Ids.CHECKED, "data"),
        "maps": {f: State(map_id(f), "value") for f in service.FIELDS},
        "accept": State(Ids.ACCEPT, "value"),
    },
    prevent_initial_call=True,
)
def run_import(
    clicks: Any, upload: Any, source: Any, crs: Any, checked: Any, maps: Any, accept: Any
) -> dict[str, Any]:
    """Every row in one transaction, or none; the counts (nothing personal). The
    corrections the preview listed are made only if the user ticked "accept"."""
    mapping = common.mapping(maps, service.FIELDS)
    if upload is None or checked != common.stamp(upload, source, crs, mapping):
        return {"result": view.message(t("import.error.stale")), "disabled": True}
    principal = current_principal()
    try:
        with unit_of_work(principal) as s:
            done = service.commit(
                s,
                principal,
                upload,
                mapping,
                source=source,
                crs=crs,
                client_addr=request.remote_addr,
                accept_corrections=isinstance(accept, list) and "yes" in accept,
            )
    except service.CorrectionsNotAccepted as err:  # the user may still tick and retry
        return {"result": common.refusal(err, "import commit"), "disabled": False}
    except MinqingError as err:
        return {"result": common.refusal(err, "import commit"), "disabled": True}
    return {"result": view.message(t("import.done", None, **done), "ok"), "disabled": True}
