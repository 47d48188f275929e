"""File import of hotline exports (/import): the service and its callbacks over HTTP.

UTF-8, GBK and XLSX files of the same 5 rows import exactly 5 incidents with the right
fields (GCJ-02 points within 5 m of their WGS84 truth); wrong columns, one bad row among
10, a re-import, a 50 MB file and garbage uploads are refused or counted as they should
be, with nothing written; roles without INCIDENT_IMPORT get 403 on the page and on every
``import-`` callback. A file is parsed once, on upload; the preview and the import get
only the upload's id, which no other account may use. Every test uses external ids of
its own (a uuid).
"""

from __future__ import annotations

import base64
import io
import json
import math
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from geodata import crs
from geodata.db import session_scope
from governance import file_import
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.intake_checks import PayloadTooLarge
from governance.uow import unit_of_work
from i18n import t
from pages.import_ids import ImportIds as Ids
from pages.import_ids import map_id
from tests.conftest import signed_in_client
from tests.integration.test_users_page import answer, body, post


def _upload(who: Any, name: object, data: bytes) -> Any:
    """:func:`governance.file_import.upload` in a unit of work of its own, as the page opens it."""
    with unit_of_work(who) as s:
        return file_import.upload(s, who, name, data)


def _preview(who: Any, *args: Any, **kw: Any) -> Any:
    """:func:`governance.file_import.preview` in a unit of work of its own."""
    with unit_of_work(who) as s:
        return file_import.preview(s, who, *args, **kw)


def _commit(who: Any, *args: Any, **kw: Any) -> Any:
    """:func:`governance.file_import.commit` in a unit of work of its own (rolled back on a
    refusal)."""
    with unit_of_work(who) as s:
        return file_import.commit(s, who, *args, **kw)


HEADERS = [
    "工单编号",
    "诉求类型",
    "受理时间",
    "经度",
    "纬度",
    "诉求内容",
    "地址",
    "来电人",
    "联系电话",
]
DENIED = ("dept", "gridworker", "auditor", "wall", "admin")


# ----------------------------------------------------------------------------- data
def _world() -> dict[str, Any]:
    """A leaf category (code and zh name) and grid points (WGS84) of the demo city."""
    with session_scope(admin=True) as s:
        cats = s.execute(
            text(
                "SELECT c.code, c.name_zh FROM incident_category c WHERE NOT EXISTS "
                "(SELECT 1 FROM incident_category k WHERE k.parent_code = c.code) "
                "ORDER BY c.code LIMIT 2"
            )
        ).all()
        pts = s.execute(
            text(
                "SELECT ST_X(label_point), ST_Y(label_point) FROM area "
                "WHERE level = 'grid' ORDER BY code LIMIT 10"
            )
        ).all()
    return {"cats": cats, "points": [(float(x), float(y)) for x, y in pts]}


WORLD: dict[str, Any] = {}


def world() -> dict[str, Any]:
    if not WORLD:
        WORLD.update(_world())
    return WORLD


def rows(n: int, tag: str) -> list[list[str]]:
    """``n`` rows of a hotline export: GCJ-02 coordinates, category by code or zh name."""
    w = world()
    out = []
    for i in range(n):
        lon, lat = w["points"][i % len(w["points"])]
        glon, glat = crs.from_wgs84(lon, lat, "gcj02")
        code, name = w["cats"][i % len(w["cats"])]
        out.append(
            [
                f"{tag}-{i}",
                name if i % 2 else code,
                f"2025/3/{i + 1} 9:{i:02d}",
                f"{glon:.7f}",
                f"{glat:.7f}",
                f"路灯不亮 {i}",
                f"幸福路 {i} 号",
                "张三",
                "13800138000",
            ]
        )
    return out


def csv_bytes(
    table: list[list[str]], encoding: str = "utf-8", headers: list[str] = HEADERS
) -> bytes:
    lines = [",".join(headers)] + [",".join(r) for r in table]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(table: list[list[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for r in table:
        sheet.append([r[0], r[1], r[2], float(r[3]), float(r[4]), *r[5:]])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def principal(username: str) -> Any:
    """The demo account as the domain sees it (built directly, no session)."""
    with session_scope(admin=True) as s:
        uid = s.execute(
            text("SELECT id FROM app_user WHERE username = :u"), {"u": username}
        ).scalar_one()
    return _principal_by_id(int(uid))


def _principal_by_id(uid: int) -> Any:
    from governance.access import Principal

    with session_scope(admin=True) as s:
        r = (
            s.execute(
                text(
                    "SELECT u.id, u.username, u.display_name, u.role, u.department_id, "
                    "a.id AS area_id, a.code, a.level, a.name FROM app_user u "
                    "LEFT JOIN area a ON a.id = u.area_id WHERE u.id = :i"
                ),
                {"i": uid},
            )
            .mappings()
            .one()
        )
    return Principal(
        user_id=r["id"],
        username=r["username"],
        display_name=r["display_name"],
        role=r["role"],
        area_id=r["area_id"],
        area_code=r["code"],
        area_level=r["level"],
        area_name=r["name"],
        department_id=r["department_id"],
    )


def stored(tag: str) -> list[Any]:
    with session_scope(admin=True) as s:
        return list(
            s.execute(
                text(
                    "SELECT external_id, source, category_code, occurred_at, description, "
                    "address, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM incident "
                    "WHERE external_id LIKE :p ORDER BY id"
                ),
                {"p": f"{tag}-%"},
            ).mappings()
        )


def meters(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    dx = math.radians(lon2 - lon1) * math.cos(math.radians(lat1)) * 6_371_000
    dy = math.radians(lat2 - lat1) * 6_371_000
    return math.hypot(dx, dy)


def tag() -> str:
    return f"imp{uuid.uuid4().hex[:10]}"


def up(who: Any, name: str, data: bytes) -> str:
    """Upload ``data`` as ``who``: the id of its kept table."""
    return _upload(who, name, data).id


# ----------------------------------------------------------------------------- service
@pytest.mark.parametrize("kind", ["utf8", "utf8-bom", "gbk", "xlsx"])
def test_five_rows_import_exactly_five_incidents(kind: str) -> None:
    tg = tag()
    table = rows(5, tg)
    data = {
        "utf8": lambda: csv_bytes(table),
        "utf8-bom": lambda: csv_bytes(table, "utf-8-sig"),
        "gbk": lambda: csv_bytes(table, "gbk"),
        "xlsx": lambda: xlsx_bytes(table),
    }[kind]()
    name = "export.xlsx" if kind == "xlsx" else "export.csv"
    commander = principal("commander")
    upload = up(commander, name, data)
    p = _preview(commander, upload)  # the guessed mapping, defaults
    assert (p.total, p.error_count, p.new, p.replays) == (5, 0, 5, 0)
    assert p.mapping["external_id"] == "工单编号" and p.mapping["reporter_phone"] == "联系电话"
    assert stored(tg) == []  # a preview writes nothing
    done = _commit(commander, upload)
    assert done == {"rows": 5, "created": 5, "replayed": 0, "repeats": 0}
    got = stored(tg)
    assert [r["external_id"] for r in got] == [f"{tg}-{i}" for i in range(5)]
    w = world()
    for i, r in enumerate(got):
        assert r["source"] == "hotline_12345"
        assert r["category_code"] == w["cats"][i % len(w["cats"])][0]  # code or zh name
        assert r["description"] == f"路灯不亮 {i}" and r["address"] == f"幸福路 {i} 号"
        assert (r["occurred_at"].month, r["occurred_at"].day) == (3, i + 1)
        lon, lat = w["points"][i]
        assert meters(lon, lat, r["lon"], r["lat"]) < 5
    with session_scope(admin=True) as s:
        detail = s.execute(
            text(
                "SELECT detail FROM audit_log WHERE action = 'data_change' "
                "AND detail->>'intake' = :v ORDER BY id DESC LIMIT 1"
            ),
            {"v": f"file:{name}"},
        ).scalar_one()
    assert detail["created"] == 5 and detail["source"] == "hotline_12345"


def test_reimport_is_all_replays() -> None:
    tg = tag()
    data = csv_bytes(rows(5, tg))
    commander = principal("commander")
    _commit(commander, up(commander, "a.csv", data))
    again = up(commander, "a.csv", data)
    p = _preview(commander, again)
    assert (p.new, p.replays) == (0, 5)
    done = _commit(commander, again)
    assert done == {"rows": 5, "created": 0, "replayed": 5, "repeats": 0}
    assert len(stored(tg)) == 5


def test_wrong_columns_are_refused_translated() -> None:
    tg = tag()
    data = csv_bytes(rows(3, tg), headers=["编号X", "类型", "时间", "X坐标", "Y坐标", *HEADERS[5:]])
    commander = principal("commander")
    upload = up(commander, "bad.csv", data)
    with pytest.raises(InvalidInput) as caught:
        _commit(commander, upload)
    assert caught.value.key == "import.error.unmapped"
    assert "工单编号" in caught.value.user_message("zh-CN")
    assert "Ticket number" in caught.value.user_message("en")
    with pytest.raises(InvalidInput, match="import.error.mapping_column"):
        _preview(commander, upload, {"external_id": "nope"})
    assert stored(tg) == []


def test_one_bad_row_among_ten_names_row_and_column() -> None:
    tg = tag()
    table = rows(10, tg)
    table[6][3] = "东经一百一十度"  # the 7th data row: line 8 of the file
    commander = principal("commander")
    upload = up(commander, "ten.csv", csv_bytes(table))
    p = _preview(commander, upload)
    assert p.error_count == 1
    assert (p.errors[0].row, p.errors[0].column) == (8, "经度")
    assert p.rows[6] == {"row": 8, "error": True} and p.new == 9
    with pytest.raises(file_import.ImportInvalid) as caught:
        _commit(commander, upload)
    assert caught.value.errors[0].row == 8
    assert "第 8 行" in caught.value.user_message("zh-CN")
    assert stored(tg) == []


def test_supervisor_rows_must_lie_in_their_area() -> None:
    sup = principal("supervisor")
    tg = tag()
    with session_scope(admin=True) as s:
        inside, outside = (
            s.execute(
                text(
                    "SELECT ST_X(label_point), ST_Y(label_point) FROM area WHERE level = 'grid' "
                    f"AND code {op} :p ORDER BY code LIMIT 1"
                ),
                {"p": f"{sup.scope}%"},
            ).one()
            for op in ("LIKE", "NOT LIKE")
        )
    table = rows(2, tg)
    for r, (lon, lat) in zip(table, (inside, outside), strict=True):
        r[3], r[4] = (f"{v:.7f}" for v in crs.from_wgs84(lon, lat, "gcj02"))
    with pytest.raises(file_import.ImportInvalid) as caught:
        _commit(sup, up(sup, "sup.csv", csv_bytes(table)))
    assert [e.row for e in caught.value.errors] == [3]
    assert stored(tg) == []


def test_who_may_import() -> None:
    data = csv_bytes(rows(1, tag()))
    upload = up(principal("commander"), "x.csv", data)
    for username in DENIED:
        with pytest.raises(Forbidden):
            _upload(principal(username), "x.csv", data)
        with pytest.raises(Forbidden):
            _preview(principal(username), upload)
        with pytest.raises(Forbidden):
            _commit(principal(username), upload)
    with pytest.raises(Forbidden):
        _upload(None, "x.csv", data)
    with pytest.raises(Forbidden):  # the supervisor may import, but not the commander's file
        _preview(principal("supervisor"), upload)


def test_size_and_garbage() -> None:
    big = b"a" * (50 * 2**20)
    with pytest.raises(PayloadTooLarge) as caught:
        _upload(principal("commander"), "big.csv", big)
    assert "20 MB" in caught.value.user_message("zh-CN")
    url = "data:text/csv;base64," + "QUFB" * (20 * 2**20)  # 60 MB decoded: not decoded
    with pytest.raises(PayloadTooLarge):
        file_import.decode_upload(url)
    for bad in (None, "", "not a data url", "data:text/csv;base64,!!!", 42):
        with pytest.raises(InvalidInput):
            file_import.decode_upload(bad)
    for name, data in (
        ("png.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        ("fake.xlsx", b"PK\x03\x04 not really a zip"),
        ("empty.csv", b"   "),
        ("header.csv", "工单编号,诉求类型\n".encode()),
        ("old.xls", b"\xd0\xcf\x11\xe0 old excel"),
    ):
        with pytest.raises(InvalidInput):
            _upload(principal("commander"), name, data)


# ----------------------------------------------------------------------------- over HTTP
def _upload_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def _values(contents: Any, upload: Any = None, checked: Any = None) -> dict[str, Any]:
    guess = file_import.guess_mapping(HEADERS)
    values: dict[str, Any] = {
        f"{Ids.UPLOAD}.contents": contents,
        f"{Ids.UPLOAD}.filename": "x.csv",
        f"{Ids.UPLOAD_ID}.data": upload,
        f"{Ids.CHECKED}.data": checked,
        f"{Ids.SOURCE}.value": "hotline_12345",
        f"{Ids.CRS}.value": "gcj02",
        f"{Ids.PREVIEW}.n_clicks": 1,
        f"{Ids.IMPORT}.n_clicks": 1,
    }
    values.update({f"{map_id(f)}.value": guess[f] for f in file_import.FIELDS})
    return values


def read_body(contents: Any) -> dict[str, Any]:
    """The upload callback's request (the only one that carries the file)."""
    return body(Ids.FILE, f"{Ids.UPLOAD}.contents", _values(contents))


def preview_body(upload: Any) -> dict[str, Any]:
    return body(Ids.PREVIEW_OUT, f"{Ids.PREVIEW}.n_clicks", _values(None, upload))


def import_body(upload: Any, checked: Any) -> dict[str, Any]:
    from app import app

    values = _values(None, upload, checked)
    for key, cb in app.callback_map.items():
        if key.startswith(f"..{Ids.RESULT}.children@") and "callback" in cb:
            outs = [
                {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
                for part in key.strip(".").split("...")
            ]

            def dep(d: dict[str, Any]) -> dict[str, Any]:
                return {**d, "value": values.get(f"{d['id']}.{d['property']}")}

            if cb["inputs"][0]["id"] != Ids.IMPORT:
                continue
            return {
                "output": key,
                "outputs": outs,
                "inputs": [dep(d) for d in cb["inputs"]],
                "state": [dep(d) for d in cb["state"]],
                "changedPropIds": [f"{Ids.IMPORT}.n_clicks"],
            }
    raise KeyError("import callback")


def _all_text(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def uploaded(client: Any, data: bytes) -> str:
    """Upload ``data`` through the upload callback; the id the page keeps."""
    read = answer(post(client, read_body(_upload_url(data))))
    upload = read[Ids.UPLOAD_ID]["data"]
    assert isinstance(upload, str) and len(upload) >= 32, read
    assert read[Ids.UPLOAD]["contents"] is None  # the browser's copy is dropped
    return upload


def test_page_and_callbacks_over_http() -> None:
    client = signed_in_client("commander")
    assert client.get("/import").status_code == 200
    tg = tag()
    read = answer(post(client, read_body(_upload_url(csv_bytes(rows(3, tg))))))
    assert read[map_id("external_id")]["value"] == "工单编号"
    upload = read[Ids.UPLOAD_ID]["data"]
    for later in (preview_body(upload), import_body(upload, "x")):  # the id, not the file
        assert f"{Ids.UPLOAD}.contents" not in {
            f"{d['id']}.{d['property']}" for d in later["state"]
        }
    pre = answer(post(client, preview_body(upload)))
    assert pre[Ids.IMPORT]["disabled"] is False
    checked = pre[Ids.CHECKED]["data"]
    assert checked
    stale = answer(post(client, import_body(upload, "other")))
    assert t("import.error.stale", "zh-CN") in _all_text(stale) and stored(tg) == []
    done = answer(post(client, import_body(upload, checked)))
    assert "新增 3 条" in _all_text(done)
    assert len(stored(tg)) == 3
    again = answer(post(client, import_body(upload, checked)))  # imported: forgotten
    assert t("import.error.expired", "zh-CN") in _all_text(again) and len(stored(tg)) == 3


def test_the_file_is_parsed_once_per_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = file_import.read_table

    def counted(filename: str, data: bytes) -> Any:
        calls.append(filename)
        return real(filename, data)

    monkeypatch.setattr(file_import, "read_table", counted)
    client = signed_in_client("commander")
    tg = tag()
    upload = uploaded(client, csv_bytes(rows(2, tg), "gbk"))
    pre = answer(post(client, preview_body(upload)))
    pre = answer(post(client, preview_body(upload)))  # a second preview: not parsed again
    done = answer(post(client, import_body(upload, pre[Ids.CHECKED]["data"])))
    assert "新增 2 条" in _all_text(done) and len(stored(tg)) == 2
    assert calls == ["x.csv"]


def test_another_account_cannot_use_the_upload() -> None:
    tg = tag()
    upload = uploaded(signed_in_client("commander"), csv_bytes(rows(2, tg)))
    other = signed_in_client("supervisor")  # may import, but not the commander's file
    pre = answer(post(other, preview_body(upload)))
    assert t("import.error.not_yours", "zh-CN") in _all_text(pre)
    assert pre[Ids.IMPORT]["disabled"] is True and pre[Ids.CHECKED]["data"] is None
    checked = answer(post(signed_in_client("commander"), preview_body(upload)))[Ids.CHECKED]
    done = answer(post(other, import_body(upload, checked["data"])))
    assert t("import.error.not_yours", "zh-CN") in _all_text(done) and stored(tg) == []
    with session_scope(admin=True) as s:
        probes = s.execute(
            text(
                "SELECT detail->>'check' FROM audit_log WHERE action = 'access_denied' "
                "AND username = 'supervisor' AND detail->>'key' = 'import.error.not_yours' "
                "AND at > now() - interval '1 minute'"
            )
        ).scalars()
        assert {"import preview", "import commit"} <= set(probes)


def test_an_expired_upload_says_so_translated() -> None:
    client = signed_in_client("commander")
    upload = uploaded(client, csv_bytes(rows(1, tag())))
    with session_scope(admin=True) as s:
        s.execute(
            text(
                "UPDATE file_upload SET expires_at = now() - interval '1 second' "
                "WHERE key_hash = encode(sha256(convert_to(:t, 'UTF8')), 'hex')"
            ),
            {"t": upload},
        )
    for unknown in (upload, "A" * 32):
        pre = answer(post(client, preview_body(unknown)))
        assert t("import.error.expired", "zh-CN") in _all_text(pre)
    from i18n import COOKIE

    client.set_cookie(COOKIE, "en")
    pre = answer(post(client, preview_body(upload)))
    assert t("import.error.expired", "en") in _all_text(pre)


def test_a_new_upload_clears_expired_ones_and_keeps_three_per_account() -> None:
    from governance.file_uploads import MAX_UPLOADS_PER_USER

    client = signed_in_client("commander")
    data = csv_bytes(rows(1, tag()))
    first = uploaded(client, data)
    with session_scope(admin=True) as s:
        s.execute(text("UPDATE file_upload SET expires_at = now() - interval '1 second'"))
    ids = []
    for _ in range(MAX_UPLOADS_PER_USER + 1):
        ids.append(uploaded(client, data))
    with session_scope(admin=True) as s:
        left = s.execute(
            text(
                "SELECT count(*) FILTER (WHERE expires_at <= now()), count(*) FROM file_upload "
                "WHERE user_id = (SELECT id FROM app_user WHERE username = 'commander')"
            )
        ).one()
    assert tuple(left) == (0, MAX_UPLOADS_PER_USER)
    for gone in (first, ids[0]):
        assert t("import.error.expired", "zh-CN") in _all_text(
            answer(post(client, preview_body(gone)))
        )
    assert answer(post(client, preview_body(ids[-1])))[Ids.CHECKED]["data"]


@pytest.mark.parametrize(
    "contents",
    [
        "not base64 at all",
        "",
        None,
        "data:text/csv;base64,%%%%",
        "data:text/csv;base64,\ud800AAA",
        _upload_url(bytes(range(256)) * 40),
        _upload_url(b"PK\x03\x04" + bytes(500)),
        _upload_url("工单编号,x\n\ud800,1\n".encode("utf-8", "surrogatepass")),
        _upload_url(b"a,b\n\x00,1\n"),
    ],
)
def test_callbacks_never_fail_on_garbage(contents: Any) -> None:
    """Garbage reaches the callbacks and is answered; a body holding a lone surrogate is
    refused whole by the request guard, translated (it cannot be stored as UTF-8)."""
    client = signed_in_client("commander")

    def ok(resp: Any, sent: Any) -> bool:
        if "\\ud800" in json.dumps(sent):  # the escape as JSON carries it
            return resp.status_code == 400 and resp.get_json()["key"] == "error.input.json_encoding"
        return resp.status_code in (200, 204)

    resp = post(client, read_body(contents))
    assert ok(resp, contents), resp.status_code
    for upload in (None, "", 42, {"a": 1}, "\ud800" * 32, "../" * 11, contents):
        for payload in (preview_body(upload), import_body(upload, "x")):
            resp = post(client, payload)
            assert ok(resp, payload), (upload, resp.status_code)


def test_hostile_names_and_mappings_never_fail() -> None:
    client = signed_in_client("commander")
    payload = read_body(_upload_url(csv_bytes(rows(1, tag()))))
    for d in payload["state"]:
        d["value"] = "\u202egpj.\x00名单.csv"  # bidi override, NUL
    read = answer(post(client, payload))
    name = read[Ids.FILE]["children"]["props"]["children"]
    assert name.startswith("gpj.名单.csv：") and "\u202e" not in name
    bad = preview_body(read[Ids.UPLOAD_ID]["data"])
    for d in bad["state"]:
        if d["id"].startswith(Ids.MAP) or d["id"] in (Ids.SOURCE, Ids.CRS):
            d["value"] = "\x00\u202e"
    resp = post(client, bad)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]


def test_fifty_megabyte_body_is_refused_translated() -> None:
    client = signed_in_client("commander")
    url = "data:text/csv;base64," + "QUFB" * (50 * 2**20 // 3)
    resp = post(client, read_body(url))
    assert resp.status_code == 413
    assert resp.get_json()["message"] == t("import.error.request_too_large", "zh-CN", max_mb=20)


@pytest.mark.parametrize("username", DENIED)
def test_roles_without_import_get_403(username: str) -> None:
    client = signed_in_client(username)
    assert client.get("/import").status_code == 403
    upload = _upload(principal("commander"), "x.csv", csv_bytes(rows(1, tag()))).id
    url = _upload_url(csv_bytes(rows(1, tag())))
    for payload in (read_body(url), preview_body(upload), import_body(upload, "x")):
        assert post(client, payload).status_code == 403


def test_supervisor_may_open_the_page() -> None:
    client = signed_in_client("supervisor")
    assert client.get("/import").status_code == 200


def test_uploads_of_one_transaction_keep_their_order() -> None:
    """now() stands still within a transaction: the uploads' own times (the clock's) keep
    the newest three, never a random three (a fresh upload was once evicted)."""
    from governance import file_uploads
    from governance.file_tables import Table

    who = principal("commander")
    tokens = []
    with unit_of_work(who) as s:
        for n in range(10):
            table = Table(f"f{n}.csv", ["a"], [(2, [str(n)])])
            tokens.append(file_uploads.store(s, who, table))
        kept = [file_uploads.load(s, who, tok).filename for tok in tokens[-3:]]
        assert kept == ["f7.csv", "f8.csv", "f9.csv"]
        for old in tokens[:-3]:
            with pytest.raises(NotFound):
                file_uploads.load(s, who, old)
