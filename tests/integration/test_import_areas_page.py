"""The area import page (/import/areas) and its callbacks over HTTP.

The system administrator uploads a corrected grid file (tests/area_files.py), sees the
proposed mapping, previews (the gap, the repair, the plan, a map), must accept the repair
before the import is enabled, imports; the upload is then forgotten. Every other role and
an anonymous caller are refused, translated, before anything sent is parsed; another
account's upload id is refused; arbitrary bytes, names and options get a message or a
preview, never a server error. Everything runs in the test's rolled-back transaction.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from governance import area_uploads
from governance.access import Principal
from governance.errors import Forbidden, NotFound
from governance.uow import unit_of_work
from i18n import t
from pages.area_import_ids import AreaImportIds as Ids
from pages.area_import_ids import map_id
from tests.area_files import grid_file
from tests.conftest import signed_in_client
from tests.integration.test_access import post_callback
from tests.integration.test_users_page import answer, body, post

FIELDS = ("code", "name", "parent", "population")
DENIED = ("commander", "supervisor", "security")  # security: the secadmin demo account


def _url(data: bytes, mime: str = "application/zip") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def _values(**kw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        f"{Ids.UPLOAD}.contents": kw.get("contents"),
        f"{Ids.UPLOAD}.filename": kw.get("filename", "网格.zip"),
        f"{Ids.UPLOAD_ID}.data": kw.get("upload"),
        f"{Ids.LEVEL}.value": kw.get("level", "grid"),
        f"{Ids.SHIFT}.value": kw.get("shift", "detected"),
        f"{Ids.CHECKED}.data": kw.get("checked"),
        f"{Ids.ACCEPT}.value": kw.get("accept", []),
        f"{Ids.PREVIEW}.n_clicks": 1,
        f"{Ids.IMPORT}.n_clicks": 1,
    }
    maps = kw.get("maps", {"code": "网格编码", "name": "网格名称", "parent": "上级编码"})
    values.update({f"{map_id(f)}.value": maps.get(f) for f in FIELDS})
    return values


def read_body(contents: Any, **kw: Any) -> dict[str, Any]:
    return body(Ids.FILE, f"{Ids.UPLOAD}.contents", _values(contents=contents, **kw))


def preview_body(upload: Any, **kw: Any) -> dict[str, Any]:
    return body(Ids.PREVIEW_OUT, f"{Ids.PREVIEW}.n_clicks", _values(upload=upload, **kw))


def gate_body(upload: Any, checked: Any, accept: list[str], **kw: Any) -> dict[str, Any]:
    values = _values(upload=upload, checked=checked, accept=accept, **kw)
    return body(Ids.IMPORT, f"{Ids.ACCEPT}.value", values)


def import_body(upload: Any, checked: Any, accept: list[str], **kw: Any) -> dict[str, Any]:
    values = _values(upload=upload, checked=checked, accept=accept, **kw)
    return body(Ids.RESULT, f"{Ids.IMPORT}.n_clicks", values)


def _text(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def test_the_system_administrator_uploads_previews_and_imports(session) -> None:
    gf = grid_file(session)
    client = signed_in_client("admin")
    assert client.get("/import/areas").status_code == 200
    read = answer(post(client, read_body(_url(gf.data))))
    upload = read[Ids.UPLOAD_ID]["data"]
    assert isinstance(upload, str) and len(upload) == 32
    assert read[Ids.UPLOAD]["contents"] is None  # the browser's copy is dropped
    assert (
        read[map_id("code")]["value"] == "网格编码" and read[map_id("population")]["value"] is None
    )
    assert read[Ids.MAPPING_FROM]["children"] == t("area_page.mapping_from.guessed", "zh-CN")
    assert f"{len(gf.codes)} 个要素" in _text(read[Ids.FILE])
    assert t("area_import.note.read_as_gbk", "zh-CN") in _text(read[Ids.FILE])
    for later in (preview_body(upload), import_body(upload, None, [])):  # the id, not the file
        assert all(d["id"] != Ids.UPLOAD for d in later["state"])

    pre = answer(post(client, preview_body(upload)))
    shown = _text(pre[Ids.PREVIEW_OUT])
    assert "缝隙" in shown and "自相交" in shown and "mq-areaimport-warning" in shown
    assert "更新边界 3 个" in shown and "mq-areaimport-repair" in shown
    checked = pre[Ids.CHECKED]["data"]
    assert checked["repairs"] >= 1 and pre[Ids.ACCEPT_BOX]["hidden"] is False
    gate = answer(post(client, gate_body(upload, checked, [])))
    assert gate[Ids.IMPORT]["disabled"] is True  # the repair not yet accepted
    assert (
        answer(post(client, gate_body(upload, checked, ["yes"])))[Ids.IMPORT]["disabled"] is False
    )
    changed = gate_body(upload, checked, ["yes"], level="auto")  # settings changed: preview again
    assert answer(post(client, changed))[Ids.IMPORT]["disabled"] is True

    stale = answer(post(client, import_body(upload, {"stamp": "x"}, ["yes"])))
    assert t("area_page.error.stale", "zh-CN") in _text(stale)
    refused = answer(post(client, import_body(upload, checked, [])))
    assert "需要先确认自动修复" in _text(refused)
    done = answer(post(client, import_body(upload, checked, ["yes"])))
    assert "更新边界 3 个" in _text(done[Ids.RESULT]) and done[Ids.CHECKED]["data"] is None
    gainer = session.execute(
        text("SELECT ST_Covers(geom, ST_GeomFromWKB(:p, 4326)) FROM area WHERE code = :c"),
        {"p": gf.moved.representative_point().wkb, "c": gf.gainer},
    ).scalar_one()
    assert gainer
    again = answer(post(client, preview_body(upload)))  # imported: the upload is forgotten
    assert t("area_page.error.expired", "zh-CN") in _text(again)


def test_english_messages_follow_the_language_cookie(session) -> None:
    from i18n import COOKIE

    gf = grid_file(session)
    client = signed_in_client("admin")
    client.set_cookie(COOKIE, "en")
    upload = answer(post(client, read_body(_url(gf.data))))[Ids.UPLOAD_ID]["data"]
    shown = _text(answer(post(client, preview_body(upload)))[Ids.PREVIEW_OUT])
    assert "Boundary updated" in shown or "boundary of 3" in shown
    assert t("area_import.severity.repair", "en") in shown


@pytest.mark.parametrize("username", DENIED)
def test_other_roles_are_refused_before_anything_is_parsed(
    session, username: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    monkeypatch.setattr(area_uploads, "read_area_file", lambda *a: parsed.append("x"))
    gf = grid_file(session)
    client = signed_in_client(username)
    assert client.get("/import/areas").status_code == 403
    for payload in (
        read_body(_url(gf.data)),
        preview_body("A" * 32),
        import_body("A" * 32, {}, []),
    ):
        resp = post(client, payload)
        assert resp.status_code == 403
        assert resp.get_json()["message"] == t("error.forbidden", "zh-CN")
    who = Principal(user_id=2, username=username, display_name=username, role="commander")
    with pytest.raises(Forbidden), unit_of_work(who) as s:  # the service says no by itself
        area_uploads.upload(s, who, "网格.zip", _url(gf.data))
    assert parsed == []


def test_anonymous_callers_are_refused(anon_client) -> None:
    assert anon_client.get("/import/areas").status_code == 302
    anon_client.get("/login")  # a session and a CSRF token, but no sign-in
    resp = post_callback(anon_client, read_body(_url(b"PK\x03\x04")))
    assert resp.status_code == 401 and resp.get_json()["message"]


def test_another_accounts_upload_is_refused(session) -> None:
    gf = grid_file(session)
    client = signed_in_client("admin")
    upload = answer(post(client, read_body(_url(gf.data))))[Ids.UPLOAD_ID]["data"]
    other = Principal(user_id=999_999, username="x", display_name="x", role="sysadmin")
    with pytest.raises(Forbidden) as err, unit_of_work(other) as s:
        area_uploads.load(s, other, upload)
    assert err.value.key == "area_page.error.not_yours"
    with pytest.raises(NotFound), unit_of_work(other) as s:
        area_uploads.load(s, other, "B" * 32)
    # a hotline upload's id is no area upload (and the other way round)
    owner = session.execute(text("SELECT id FROM app_user WHERE username = 'admin'")).scalar_one()
    admin = Principal(user_id=owner, username="admin", display_name="admin", role="sysadmin")
    from governance import file_uploads

    with pytest.raises(NotFound), unit_of_work(admin) as s:
        file_uploads.load(s, admin, upload)


def test_the_size_limit_is_said_with_the_command_line_way(session) -> None:
    client = signed_in_client("admin")
    big = "data:application/zip;base64," + "QUFB" * (17 * 2**20 // 3)
    read = answer(post(client, read_body(big)))
    said = _text(read[Ids.FILE])
    assert "python app.py import areas" in said and read[Ids.UPLOAD_ID]["data"] is None


@pytest.fixture(scope="module")
def admin_client(seeded_database: str) -> Any:
    return signed_in_client("admin")


NAMES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["a.zip", "b.gpkg", "c.geojson", "d.kml", "e.json", "\u202egpj.zip", ""]),
)
OPTIONS = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.sampled_from(
    ["auto", "grid", "county", "wgs84", "gcj02", "bd09", "detected", "网格编码"]
))  # fmt: skip
SEEDS = [
    b"PK\x03\x04" + bytes(60),
    b"SQLite format 3\x00" + bytes(200),
    b'{"type":"FeatureCollection","features":[]}',
    b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1"},'
    b'"geometry":{"type":"Polygon","coordinates":[[[115,23],[115.1,23],[115.1,23.1],[115,23]]]}}]}',
    b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"></kml>',
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.one_of(st.binary(max_size=400), st.sampled_from(SEEDS)),
    name=NAMES,
    level=OPTIONS,
    shift=OPTIONS,
    code=OPTIONS,
)
@example(data=SEEDS[3], name="x.geojson", level="auto", shift="detected", code="code")
def test_arbitrary_files_and_options_get_a_message_or_a_preview(
    admin_client: Any, data: bytes, name: str, level: Any, shift: Any, code: Any
) -> None:
    read = post(admin_client, read_body(_url(data), filename=name))
    assert read.status_code == 200, read.get_data(as_text=True)[:300]
    got = read.get_json()["response"]
    assert got[Ids.FILE]["children"], got
    upload = got[Ids.UPLOAD_ID]["data"]
    maps = {"code": code, "name": "name", "parent": None}
    pre = post(admin_client, preview_body(upload, level=level, shift=shift, maps=maps))
    assert pre.status_code == 200, pre.get_data(as_text=True)[:300]
    assert pre.get_json()["response"][Ids.PREVIEW_OUT]["children"]


def test_the_web_limit_fits_the_callback_body_limit() -> None:
    """A file of the page's largest size, as base64 in a callback body, passes the request
    guard (which refuses bodies over DASH_MAX_BODY before reading them)."""
    from web.guard import DASH_MAX_BODY

    assert area_uploads.MAX_WEB_BYTES * 4 // 3 + 2**16 < DASH_MAX_BODY
