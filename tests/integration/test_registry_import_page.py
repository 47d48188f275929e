"""The key-site import page (/import/sites) over HTTP: its callbacks as the browser calls
them (upload -> preview -> import), the file sent once, a stale preview refused, and
roles without SITES_IMPORT refused on the page and on every ``sitesimport-`` callback."""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy.orm import Session

from governance import registry_import as ri
from i18n import t
from pages.import_sites_ids import SitesImportIds as Ids
from pages.import_sites_ids import map_id
from tests.conftest import signed_in_client
from tests.integration.test_registry_import import (
    SITE_HEADERS,
    csv_bytes,
    site_rows,
    stored_sites,
    tag,
)
from tests.integration.test_users_page import answer, body, post


def _values(data: bytes | None, upload: Any = None, checked: Any = None) -> dict[str, Any]:
    contents = "data:text/csv;base64," + base64.b64encode(data).decode() if data else None
    values: dict[str, Any] = {
        f"{Ids.UPLOAD}.contents": contents,
        f"{Ids.UPLOAD}.filename": "场所.csv",
        f"{Ids.UPLOAD_ID}.data": upload,
        f"{Ids.CHECKED}.data": checked,
        f"{Ids.CRS}.value": "gcj02",
        f"{Ids.PREVIEW}.n_clicks": 1,
        f"{Ids.IMPORT}.n_clicks": 1,
        f"{Ids.ACCEPT}.value": [],
    }
    for f, h in ri.guess("sites", SITE_HEADERS).items():
        values[f"{map_id(f)}.value"] = h
    return values


def read_body(data: bytes) -> dict[str, Any]:
    return body(Ids.FILE, f"{Ids.UPLOAD}.contents", _values(data))


def preview_body(upload: Any) -> dict[str, Any]:
    return body(Ids.PREVIEW_OUT, f"{Ids.PREVIEW}.n_clicks", _values(None, upload))


def import_body(upload: Any, checked: Any) -> dict[str, Any]:
    from app import app

    values = _values(None, upload, checked)
    for key, cb in app.callback_map.items():
        if not (key.startswith(f"..{Ids.RESULT}.children@") and "callback" in cb):
            continue
        if cb["inputs"][0]["id"] != Ids.IMPORT:
            continue
        outs = [
            {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
            for part in key.strip(".").split("...")
        ]

        def dep(d: dict[str, Any]) -> dict[str, Any]:
            return {**d, "value": values.get(f"{d['id']}.{d['property']}")}

        return {
            "output": key,
            "outputs": outs,
            "inputs": [dep(d) for d in cb["inputs"]],
            "state": [dep(d) for d in cb["state"]],
            "changedPropIds": [f"{Ids.IMPORT}.n_clicks"],
        }
    raise KeyError("import callback")


def _text(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def test_upload_preview_import_over_http(session: Session) -> None:
    client = signed_in_client("commander")
    assert client.get("/import/sites").status_code == 200
    tg = tag()
    read = answer(post(client, read_body(csv_bytes(SITE_HEADERS, site_rows(tg), "gbk"))))
    assert read[map_id("name")]["value"] == "场所名称"
    assert read[Ids.UPLOAD]["contents"] is None  # the browser's copy is dropped
    upload = read[Ids.UPLOAD_ID]["data"]
    pre = answer(post(client, preview_body(upload)))
    assert pre[Ids.IMPORT]["disabled"] is False
    summary = t("registry.page.summary", "zh-CN", total=3, new=3, updated=0, unchanged=0)
    assert summary in _text(pre)
    checked = pre[Ids.CHECKED]["data"]
    stale = answer(post(client, import_body(upload, "other")))
    assert (
        t("import.error.stale", "zh-CN") in _text(stale) and stored_sites(session, f"S{tg}") == []
    )
    done = answer(post(client, import_body(upload, checked)))
    assert "新增 3" in _text(done) and len(stored_sites(session, f"S{tg}")) == 3
    again = answer(post(client, import_body(upload, checked)))  # imported: forgotten
    assert t("import.error.expired", "zh-CN") in _text(again)


def test_row_errors_are_listed_and_disable_the_import(session: Session) -> None:
    client = signed_in_client("supervisor")
    rows = site_rows(tag(), 2)
    rows[1][2] = "游乐园"
    read = answer(post(client, read_body(csv_bytes(SITE_HEADERS, rows))))
    pre = answer(post(client, preview_body(read[Ids.UPLOAD_ID]["data"])))
    assert pre[Ids.IMPORT]["disabled"] is True and pre[Ids.CHECKED]["data"] is None
    assert "第 3 行，列“场所类型”" in _text(pre)


def test_roles_without_sites_import_are_refused() -> None:
    data = csv_bytes(SITE_HEADERS, site_rows(tag(), 1))
    for username in ("gridworker", "dept", "auditor", "wall", "admin"):
        client = signed_in_client(username)
        assert client.get("/import/sites").status_code in (302, 403), username
        for payload in (read_body(data), preview_body("x"), import_body("x", "y")):
            assert post(client, payload).status_code == 403, username
