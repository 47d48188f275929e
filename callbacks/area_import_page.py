"""The area import page: upload -> mapping proposed; preview -> plan, findings, map;
import -> every feature or none.

Thin: ``governance.area_uploads`` and ``governance.area_import`` check ``AREAS_IMPORT``
(before anything sent is decoded) and every value themselves, because any of these
callbacks can be called by a hand-made request. The file travels once: the upload
callback gets it (base64, its size checked on the encoded text before anything is
decoded), the service keeps its bytes server-side, and the page then holds only the
upload's id (``Ids.UPLOAD_ID``), which is all the preview and the import send. The
browser's copy of the file is dropped once it is read. Refusals come back as a
translated message, never as a server error.
"""

from __future__ import annotations

import logging
from typing import Any

from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate
from flask import request

from callbacks import import_common as common
from callbacks import lang
from governance import area_import as service
from governance import area_uploads as uploads
from governance.errors import MinqingError
from governance.uow import unit_of_work
from i18n import current_lang, t
from pages import area_import_views as view
from pages.area_import_ids import DETECTED, map_id
from pages.area_import_ids import AreaImportIds as Ids
from web.security import current_principal, refused

log = logging.getLogger(__name__)

lang.switch(Ids.LANG_BUTTON, Ids.LANG_SINK)

MAPS = {f: State(map_id(f), "value") for f in service.FIELDS}
SETTINGS = {"upload": State(Ids.UPLOAD_ID, "data"), "level": State(Ids.LEVEL, "value"),
            "shift": State(Ids.SHIFT, "value"), "maps": MAPS}  # fmt: skip


def _options(level: Any, shift: Any, maps: Any, repair: bool) -> service.Options:
    """The operator's choices as the service takes them (it refuses unknown values)."""
    mapping = common.mapping(maps, service.FIELDS)
    return service.Options(
        level=level if isinstance(level, str) else "auto",
        mapping=mapping,
        shift=None if shift in (None, DETECTED) else str(shift),
        repair=repair,
    )


def _stamp(upload: Any, level: Any, shift: Any, maps: Any) -> str:
    """What a preview checked: the upload and the settings (the import must match it)."""
    o = _options(level, shift, maps, False)
    return common.stamp(upload, o.level, o.shift, dict(o.mapping or {}))


def _cleared(file: Any) -> dict[str, Any]:
    """The page without an upload: ``file`` says why."""
    return {"file": file, "upload": None, "contents": None, "from": "",
            "options": common.per_field(service.FIELDS, []), "values": common.per_field(service.FIELDS, None), "preview": [],
            "checked": None, "result": []}  # fmt: skip


@callback(
    output={
        "file": Output(Ids.FILE, "children"),
        "upload": Output(Ids.UPLOAD_ID, "data"),
        "contents": Output(Ids.UPLOAD, "contents"),
        "from": Output(Ids.MAPPING_FROM, "children"),
        "options": {f: Output(map_id(f), "options") for f in service.FIELDS},
        "values": {f: Output(map_id(f), "value") for f in service.FIELDS},
        "preview": Output(Ids.PREVIEW_OUT, "children", allow_duplicate=True),
        "checked": Output(Ids.CHECKED, "data", allow_duplicate=True),
        "result": Output(Ids.RESULT, "children", allow_duplicate=True),
    },
    inputs={"contents": Input(Ids.UPLOAD, "contents")},
    state={"filename": State(Ids.UPLOAD, "filename")},
    prevent_initial_call=True,
)
def read_file(contents: Any, filename: Any) -> dict[str, Any]:
    """A new file, read once: what it holds, its columns as the mapping's choices, the
    proposed mapping, and the id of its kept bytes."""
    if contents is None:  # the browser's copy of the file, dropped after it was read
        raise PreventUpdate
    try:
        principal = current_principal()
        with unit_of_work(principal) as s:
            up = uploads.upload(s, principal, filename, contents)
    except MinqingError as err:
        return _cleared(view.message(refused(err, "areaimport read")))
    lg = current_lang()
    return {
        **_cleared(view.upload_view(up, lg)),
        "upload": up.id,
        "from": t(f"area_page.mapping_from.{up.mapping_from}", lg),
        "options": common.per_field(service.FIELDS, [{"label": h, "value": h} for h in up.headers]),
        "values": dict(up.mapping),
    }


@callback(
    output={
        "preview": Output(Ids.PREVIEW_OUT, "children"),
        "checked": Output(Ids.CHECKED, "data"),
        "result": Output(Ids.RESULT, "children"),
        "no_repairs": Output(Ids.ACCEPT_BOX, "hidden"),
        "accept": Output(Ids.ACCEPT, "value"),
    },
    inputs={"clicks": Input(Ids.PREVIEW, "n_clicks")},
    state=SETTINGS,
    prevent_initial_call=True,
)
def preview(clicks: Any, upload: Any, level: Any, shift: Any, maps: Any) -> dict[str, Any]:
    """The plan as if the repairs were accepted, every finding (the repairs with their
    change of area), the first features and the map; a stamp if nothing is wrong."""
    out: dict[str, Any] = {"checked": None, "result": [], "no_repairs": True, "accept": []}
    if upload is None:
        return {**out, "preview": view.message(t("area_page.error.no_file", current_lang()))}
    try:
        principal = current_principal()
        with unit_of_work(principal) as s:
            file = uploads.load(s, principal, upload)
            a = service.analyse(s, principal, file, _options(level, shift, maps, True))
            s.rollback()  # the analysis stages rows in a temporary table: nothing to keep
    except MinqingError as err:
        return {**out, "preview": view.message(refused(err, "areaimport preview"))}
    clean = a.counts["error"] == 0
    repairs = a.counts["repair"]
    checked = {"stamp": _stamp(upload, level, shift, maps), "repairs": repairs} if clean else None
    return {**out, "preview": view.preview_view(a, current_lang()), "checked": checked,
            "no_repairs": not (clean and repairs)}  # fmt: skip


@callback(
    output=Output(Ids.IMPORT, "disabled"),
    inputs={
        "accept": Input(Ids.ACCEPT, "value"),
        "checked": Input(Ids.CHECKED, "data"),
        "upload": Input(Ids.UPLOAD_ID, "data"),
        "level": Input(Ids.LEVEL, "value"),
        "shift": Input(Ids.SHIFT, "value"),
        "maps": {f: Input(map_id(f), "value") for f in service.FIELDS},
    },
)
def gate(accept: Any, checked: Any, upload: Any, level: Any, shift: Any, maps: Any) -> bool:
    """Import only what the last preview checked, with its repairs accepted if any."""
    same = isinstance(checked, dict) and checked.get("stamp") == _stamp(upload, level, shift, maps)
    accepted = isinstance(accept, list) and "yes" in accept
    ready = same and (not checked.get("repairs") or accepted)
    return not (upload and ready)  # disabled


@callback(
    output={
        "result": Output(Ids.RESULT, "children", allow_duplicate=True),
        "checked": Output(Ids.CHECKED, "data", allow_duplicate=True),
    },
    inputs={"clicks": Input(Ids.IMPORT, "n_clicks")},
    state={**SETTINGS, "checked": State(Ids.CHECKED, "data"), "accept": State(Ids.ACCEPT, "value")},
    prevent_initial_call=True,
)
def run_import(clicks: Any, upload: Any, level: Any, shift: Any, maps: Any, checked: Any,
               accept: Any) -> dict[str, Any]:  # fmt: skip
    """Every feature in one transaction, or none; the counts (never which points moved).
    The repairs are made only if the operator ticked "accept"."""
    lg = current_lang()
    stamp = checked.get("stamp") if isinstance(checked, dict) else None
    if upload is None or stamp != _stamp(upload, level, shift, maps):
        return {"result": view.message(t("area_page.error.stale", lg)), "checked": checked}
    opts = _options(level, shift, maps, isinstance(accept, list) and "yes" in accept)
    try:
        principal = current_principal()
        with unit_of_work(principal) as s:
            file = uploads.load(s, principal, upload)
            done = service.commit(s, principal, file, opts, client_addr=request.remote_addr)
            uploads.discard(s, upload)
    except MinqingError as err:
        return {"result": view.message(refused(err, "areaimport commit")), "checked": checked}
    return {"result": view.done_view(done, lg), "checked": None}
