"""The key-site import page: upload -> mapping guessed; preview -> counts, errors,
corrections; import -> all rows or none.

Thin, as callbacks/import_page.py: ``governance.registry_import`` checks
``SITES_IMPORT`` and every value itself, because any of these callbacks can be called by
a hand-made request. The file travels once (the upload callback); the page then holds
only the id of its table kept on the server. Refusals come back as a translated message,
never as a server error.
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate
from flask import request

from callbacks import import_common as common
from callbacks import lang
from governance import registry_import as service
from governance.errors import MinqingError
from governance.file_import import CorrectionsNotAccepted, decode_upload
from governance.registry_fields import FIELDS, SITES
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import import_sites_views as view
from pages.import_sites_ids import SitesImportIds as Ids
from pages.import_sites_ids import map_id
from pages.import_views import message
from web.security import current_principal

lang.switch(Ids.LANG_BUTTON, Ids.LANG_SINK)
SITE_FIELDS = FIELDS[SITES]


def _crs(value: Any) -> str:
    return value if isinstance(value, str) else service.DEFAULT_CRS


def _cleared(file: Any) -> dict[str, Any]:
    return {
        "file": file,
        "upload": None,
        "contents": None,
        "options": common.per_field(SITE_FIELDS, []),
        "values": common.per_field(SITE_FIELDS, None),
        "preview": [],
        "disabled": True,
        "result": [],
    }


@callback(
    output={
        "file": Output(Ids.FILE, "children"),
        "upload": Output(Ids.UPLOAD_ID, "data"),
        "contents": Output(Ids.UPLOAD, "contents"),
        "options": {f: Output(map_id(f), "options") for f in SITE_FIELDS},
        "values": {f: Output(map_id(f), "value") for f in SITE_FIELDS},
        "preview": Output(Ids.PREVIEW_OUT, "children", allow_duplicate=True),
        "disabled": Output(Ids.IMPORT, "disabled", allow_duplicate=True),
        "result": Output(Ids.RESULT, "children", allow_duplicate=True),
    },
    inputs={"contents": Input(Ids.UPLOAD, "contents")},
    state={"filename": State(Ids.UPLOAD, "filename")},
    prevent_initial_call=True,
)
def read_file(contents: Any, filename: Any) -> dict[str, Any]:
    """A new file, read once: its headers as the mapping's choices, the guessed mapping
    and the id of its kept table."""
    if contents is None:  # the browser's copy of the file, dropped after it was read
        raise PreventUpdate
    try:
        data = decode_upload(contents)
        principal = current_principal()
        with unit_of_work(principal) as s:
            up = service.upload(s, principal, SITES, filename, data)
    except MinqingError as err:
        return _cleared(common.refusal(err, "site import read"))
    info = t("import.file", current_lang(), name=up.filename, rows=up.rows, columns=len(up.headers))
    return {
        **_cleared(message(info, "info")),
        "upload": up.id,
        "options": common.per_field(SITE_FIELDS, [{"label": h, "value": h} for h in up.headers]),
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
        "crs": State(Ids.CRS, "value"),
        "maps": {f: State(map_id(f), "value") for f in SITE_FIELDS},
    },
    prevent_initial_call=True,
)
def preview(clicks: Any, upload: Any, crs: Any, maps: Any) -> dict[str, Any]:
    """The counts, every error and every correction (to accept); import enabled if clean."""
    refusal: dict[str, Any] = {
        "disabled": True,
        "checked": None,
        "result": [],
        "no_fixes": True,
        "accept": [],
    }
    if upload is None:
        return {**refusal, "preview": message(t("import.error.no_file"))}
    mapping = common.mapping(maps, SITE_FIELDS)
    try:
        principal = current_principal()
        with unit_of_work(principal) as s:
            p = service.preview_upload(s, principal, SITES, upload, mapping, crs=_crs(crs))
    except MinqingError as err:
        return {**refusal, "preview": common.refusal(err, "site import preview")}
    clean = p.error_count == 0
    return {
        "preview": view.preview_view(p, current_lang()),
        "disabled": not clean,
        "checked": common.stamp(upload, crs, mapping) if clean else None,
        "result": [],
        "no_fixes": not (clean and p.correction_count),
        "accept": [],
    }


@callback(
    output={
        "result": Output(Ids.RESULT, "children", allow_duplicate=True),
        "disabled": Output(Ids.IMPORT, "disabled", allow_duplicate=True),
    },
    inputs={"clicks": Input(Ids.IMPORT, "n_clicks")},
    state={
        "upload": State(Ids.UPLOAD_ID, "data"),
        "crs": State(Ids.CRS, "value"),
        "checked": State(Ids.CHECKED, "data"),
        "maps": {f: State(map_id(f), "value") for f in SITE_FIELDS},
        "accept": State(Ids.ACCEPT, "value"),
    },
    prevent_initial_call=True,
)
def run_import(
    clicks: Any, upload: Any, crs: Any, checked: Any, maps: Any, accept: Any
) -> dict[str, Any]:
    """Every row in one transaction, or none; the counts."""
    mapping = common.mapping(maps, SITE_FIELDS)
    if upload is None or checked != common.stamp(upload, crs, mapping):
        return {"result": message(t("import.error.stale")), "disabled": True}
    principal = current_principal()
    try:
        with unit_of_work(principal) as s:
            done = service.commit_upload(
                s,
                principal,
                SITES,
                upload,
                mapping,
                crs=_crs(crs),
                accept_corrections=isinstance(accept, list) and "yes" in accept,
                client_addr=request.remote_addr,
            )
    except CorrectionsNotAccepted as err:  # the user may still tick and retry
        return {"result": common.refusal(err, "site import commit"), "disabled": False}
    except MinqingError as err:
        return {"result": common.refusal(err, "site import commit"), "disabled": True}
    text = t(
        "registry.cli.done", None, new=done.new, updated=done.updated, unchanged=done.unchanged
    )
    return {"result": message(text, "ok"), "disabled": True}
