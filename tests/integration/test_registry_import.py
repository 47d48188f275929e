"""Import of key-site and key-person registers (governance/registry_import.py, the
``import sites|persons`` commands), on the demo city.

The same sites as UTF-8 CSV, GBK CSV and XLSX import alike; a second import changes
nothing and a corrected file updates the same rows; sites placed by community, and an
export of sites re-imports unchanged. Persons: identities encrypted with their blind
index, a person found again by the ID number, ID numbers checked (GB 11643, Excel's
1.2E+17) and never quoted in a message or a log line. Refusals: a row outside the
supervisor's area, a role without the permission, one bad row among good ones (nothing
written), garbled text, full-width codes (a correction to accept), and arbitrary cells
(Hypothesis): row errors or a result, never another exception. Every test runs in one
rolled-back transaction (tests/conftest.py) and uses codes of its own (a uuid).
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata import crs
from geodata.crypto import cipher
from geodata.db import session_scope
from governance import registry_import as ri
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.file_import import CorrectionsNotAccepted, ImportInvalid
from governance.id_numbers import check_char
from governance.uow import unit_of_work
from tests.conftest import demo_password
from tests.integration.test_file_import import principal

SITE_HEADERS = ["场所编码", "场所名称", "场所类型", "风险等级", "经度", "纬度", "地址"]
PERSON_HEADERS = [
    "人员编号",
    "姓名",
    "身份证号",
    "联系电话",
    "人员类别",
    "关怀等级",
    "经度",
    "纬度",
]


# ----------------------------------------------------------------------------- data
def _world() -> dict[str, Any]:
    """Grid points (WGS84) inside and outside the supervisor's street; communities."""
    sup = principal("supervisor")
    with session_scope(admin=True) as s:
        grid = text(
            "SELECT id, code, ST_X(label_point), ST_Y(label_point) FROM area "
            "WHERE level = 'grid' AND ST_Covers(geom, label_point) AND "
            "starts_with(code, :p) = :inside ORDER BY code LIMIT 6"
        )
        inside = s.execute(grid, {"p": sup.scope, "inside": True}).all()
        outside = s.execute(grid, {"p": sup.scope, "inside": False}).all()
        community = text(
            "SELECT c.name, st.name, g.id FROM area c JOIN area st ON st.id = c.parent_id "
            "JOIN area g ON g.level = 'grid' AND ST_Covers(g.geom, c.label_point) "
            "WHERE c.level = 'community' AND (SELECT count(*) FROM area o "
            "WHERE o.level = 'community' AND o.name = c.name) = :n ORDER BY c.code LIMIT 1"
        )
        unique = s.execute(community, {"n": 1}).one()
        shared = s.execute(community, {"n": 2}).one()
    return {
        "inside": [(int(i), c, float(x), float(y)) for i, c, x, y in inside],
        "outside": [(int(i), c, float(x), float(y)) for i, c, x, y in outside],
        "unique": tuple(unique),
        "shared": tuple(shared),
    }


WORLD: dict[str, Any] = {}


def world() -> dict[str, Any]:
    if not WORLD:
        WORLD.update(_world())
    return WORLD


def gcj(i: int, where: str = "inside") -> tuple[str, str]:
    """The GCJ-02 text of the i-th grid point (as a map app would give it)."""
    _gid, _code, lon, lat = world()[where][i % len(world()[where])]
    x, y = crs.from_wgs84(lon, lat, "gcj02")
    return f"{x:.8f}", f"{y:.8f}"


def site_rows(tag: str, n: int = 3, where: str = "inside") -> list[list[str]]:
    types = ["学校", "gas_station", "农贸市场"]
    return [
        [
            f"S{tag}-{i}",
            f"测试场所{tag}{i}",
            types[i % 3],
            str(i % 4 + 1),
            *gcj(i, where),
            f"幸福路{i}号",
        ]
        for i in range(n)
    ]


def id_number(seq: int, birth: date = date(1950, 3, 1)) -> str:
    """A valid, visibly fake ID number (region 980: no such province)."""
    body = f"980{seq % 1000:03d}{birth:%Y%m%d}{seq // 1000 % 1000:03d}"
    return body + check_char(body)


def person_rows(tag: str, n: int = 3, seq0: int | None = None) -> list[list[str]]:
    seq0 = seq0 if seq0 is not None else uuid.uuid4().int % 900_000
    cats = ["独居老人", "disabled", "留守儿童"]
    return [
        [
            f"P{tag}-{i}",
            f"测试{i}（演示）",
            id_number(seq0 + i),
            f"1990000{i:04d}",
            cats[i % 3],
            "2",
            *gcj(i),
        ]
        for i in range(n)
    ]


def csv_bytes(
    headers: Sequence[str], rows: Sequence[Sequence[str]], encoding: str = "utf-8"
) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for r in rows:  # coordinates and grades as numbers, as a spreadsheet holds them
        sheet.append([r[0], r[1], r[2], int(r[3]), float(r[4]), float(r[5]), *r[6:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tag() -> str:
    return uuid.uuid4().hex[:8]


def preview(who: Any, kind: str, data: bytes, name: str = "f.csv", **kw: Any) -> ri.Outcome:
    table = ri.read(name, data)
    with unit_of_work(who) as s:
        return ri.preview(s, who, kind, table, **kw)


def commit(who: Any, kind: str, data: bytes, name: str = "f.csv", **kw: Any) -> ri.Outcome:
    table = ri.read(name, data)
    with unit_of_work(who) as s:
        return ri.commit(s, who, kind, table, **kw)


def stored_sites(session: Session, prefix: str) -> list[dict[str, Any]]:
    sql = text(
        "SELECT id, code, name, site_type, risk_grade, address, grid_id, "
        "ST_X(geom) AS lon, ST_Y(geom) AS lat FROM key_site WHERE code LIKE :p ORDER BY code"
    )
    return [dict(r) for r in session.execute(sql, {"p": prefix + "%"}).mappings()]


def stored_persons(session: Session, prefix: str) -> list[dict[str, Any]]:
    sql = text(
        "SELECT p.id, p.code, p.category, p.care_level, p.grid_id, i.full_name_enc, "
        "i.id_number_enc, i.phone_enc, i.id_number_bidx FROM key_person p "
        "JOIN key_person_identity i ON i.person_id = p.id WHERE p.code LIKE :p ORDER BY p.code"
    )
    return [dict(r) for r in session.execute(sql, {"p": prefix + "%"}).mappings()]


# ----------------------------------------------------------------------------- sites
@pytest.mark.parametrize("fmt", ["utf-8", "gbk", "xlsx"])
def test_sites_import_then_reimport_changes_nothing(session: Session, fmt: str) -> None:
    t = tag()
    rows = site_rows(t)
    data = xlsx_bytes(SITE_HEADERS, rows) if fmt == "xlsx" else csv_bytes(SITE_HEADERS, rows, fmt)
    name = "场所.xlsx" if fmt == "xlsx" else "场所.csv"
    who = principal("commander")
    before = preview(who, "sites", data, name)
    assert (before.new, before.updated, before.unchanged, before.error_count) == (3, 0, 0, 0)
    assert before.mapping["name"] == "场所名称" and before.mapping["lon"] == "经度"
    assert stored_sites(session, f"S{t}") == []  # a preview writes nothing
    done = commit(who, "sites", data, name)
    assert done.written and done.new == 3
    got = stored_sites(session, f"S{t}")
    assert [r["site_type"] for r in got] == ["school", "gas_station", "market"]
    assert [r["risk_grade"] for r in got] == [1, 2, 3]
    for r, (gid, _code, lon, lat) in zip(got, world()["inside"], strict=False):
        assert r["grid_id"] == gid
        assert abs(r["lon"] - lon) < 1e-6 and abs(r["lat"] - lat) < 1e-6  # GCJ-02 undone
    again = commit(who, "sites", data, name)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert stored_sites(session, f"S{t}") == got


def test_a_corrected_file_updates_in_place(session: Session) -> None:
    t = tag()
    who = principal("supervisor")
    rows = site_rows(t)
    commit(who, "sites", csv_bytes(SITE_HEADERS, rows))
    ids = [r["id"] for r in stored_sites(session, f"S{t}")]
    rows[1][1] += "（更正）"
    rows[2][3] = "重大风险"
    out = commit(who, "sites", csv_bytes(SITE_HEADERS, rows))
    assert (out.new, out.updated, out.unchanged) == (0, 2, 1)
    got = stored_sites(session, f"S{t}")
    assert [r["id"] for r in got] == ids
    assert got[1]["name"].endswith("（更正）") and got[2]["risk_grade"] == 4


def test_a_code_written_by_another_import_meanwhile_is_a_conflict(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from governance import registry_plan

    t = tag()
    data = csv_bytes(SITE_HEADERS, site_rows(t, 2))
    commit(principal("commander"), "sites", data)
    before = stored_sites(session, f"S{t}")
    monkeypatch.setattr(registry_plan.q, "existing_sites", lambda *_a: [])  # a stale plan
    with pytest.raises(Conflict) as err:
        commit(principal("commander"), "sites", data)
    assert err.value.key == "registry.error.concurrent"
    assert stored_sites(session, f"S{t}") == before


def test_sites_placed_by_community(session: Session) -> None:
    t = tag()
    name, street, gid = world()["unique"]
    shared, shared_street, shared_gid = world()["shared"]
    headers = ["场所编码", "场所名称", "场所类型", "风险等级", "所属社区", "所属街道"]
    rows = [
        [f"S{t}-0", "社区场所", "学校", "1", name, ""],
        [f"S{t}-1", "同名社区场所", "医院", "2", shared, shared_street],
    ]
    out = commit(principal("commander"), "sites", csv_bytes(headers, rows))
    assert out.new == 2
    assert [r["grid_id"] for r in stored_sites(session, f"S{t}")] == [gid, shared_gid]
    rows[1][5] = ""  # the street left out: which of the two?
    bad = preview(principal("commander"), "sites", csv_bytes(headers, rows), lang="en")
    assert [(e.row, e.column) for e in bad.errors] == [(3, "所属社区")]
    assert "several streets" in bad.errors[0].message and shared_street in bad.errors[0].message


def test_sites_placed_by_an_address_naming_a_community(session: Session) -> None:
    t = tag()
    name, street, gid = world()["unique"]
    headers = ["场所编码", "场所名称", "场所类型", "风险等级", "地址"]
    rows = [[f"S{t}-0", "地址场所", "school", "1", f"{street}{name}幸福路8号"]]
    assert commit(principal("commander"), "sites", csv_bytes(headers, rows)).new == 1
    assert stored_sites(session, f"S{t}")[0]["grid_id"] == gid
    rows[0][4] = "无名路 8 号"
    bad = preview(principal("commander"), "sites", csv_bytes(headers, rows), lang="en")
    assert bad.errors[0].row == 2 and "Cannot be placed" in bad.errors[0].message


def test_an_export_of_sites_reimports_unchanged(session: Session) -> None:
    from governance import exports

    who = principal("supervisor")
    with unit_of_work(who) as s:
        exported = exports.export(s, "sites", "csv", {}, principal=who)
    out = commit(who, "sites", exported.body, "sites.csv", crs="wgs84")
    assert out.total > 0 and out.error_count == 0
    assert (out.new, out.updated, out.unchanged) == (0, 0, out.total)


def test_swapped_coordinates_and_full_width_codes_are_corrections_to_accept(
    session: Session,
) -> None:
    t = tag()
    rows = site_rows(t, 2)
    rows[0][4], rows[0][5] = rows[0][5], rows[0][4]
    rows[1][0] = "".join(
        chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in rows[1][0]
    )
    who = principal("commander")
    data = csv_bytes(SITE_HEADERS, rows)
    seen = preview(who, "sites", data, lang="en")
    assert seen.error_count == 0
    assert [(c.row, c.column) for c in seen.corrections] == [(2, "经度 / 纬度"), (3, "场所编码")]
    with pytest.raises(CorrectionsNotAccepted):
        commit(who, "sites", data)
    assert stored_sites(session, f"S{t}") == []
    commit(who, "sites", data, accept_corrections=True)
    assert [r["code"] for r in stored_sites(session, f"S{t}")] == [f"S{t}-0", f"S{t}-1"]


def test_one_bad_row_refuses_the_whole_file(session: Session) -> None:
    t = tag()
    rows = site_rows(t, 4)
    rows[2][2] = "游乐园"
    rows[3][0] = "S 1"  # a space inside a code
    with pytest.raises(ImportInvalid) as err:
        commit(principal("commander"), "sites", csv_bytes(SITE_HEADERS, rows), lang="en")
    assert [(e.row, e.column) for e in err.value.errors] == [(4, "场所类型"), (5, "场所编码")]
    assert "Not a known type" in err.value.errors[0].message
    assert stored_sites(session, f"S{t}") == []


def test_a_point_in_no_grid_names_its_row(session: Session) -> None:
    rows = site_rows(tag(), 2)
    rows[1][4], rows[1][5] = "116.40", "39.90"  # Beijing
    out = preview(principal("commander"), "sites", csv_bytes(SITE_HEADERS, rows), lang="en")
    assert [(e.row, e.column) for e in out.errors] == [(3, "经度 / 纬度")]
    assert "lies in no grid" in out.errors[0].message


def test_another_registers_id_column_is_not_taken_for_ours() -> None:
    assert ri.guess("sites", ["ID", "名称", "类型", "风险等级", "经度", "纬度"])["id"] is None
    exported = ["id", "code", "name", "site_type", "risk_grade", "grid_code", "lon", "lat"]
    assert ri.guess("sites", exported) == {
        "code": "code",
        "id": "id",
        "name": "name",
        "site_type": "site_type",
        "risk_grade": "risk_grade",
        "lon": "lon",
        "lat": "lat",
        "crs": None,
        "address": None,
        "community": None,
        "street": None,
    }


def test_garbled_headers_are_refused_with_a_hint() -> None:
    headers = [h.encode("gbk").decode("latin-1") for h in SITE_HEADERS]
    with pytest.raises(InvalidInput) as err:
        preview(principal("commander"), "sites", csv_bytes(headers, site_rows(tag(), 1)))
    assert err.value.key == "registry.error.mojibake"


def test_garbled_text_is_named_not_imported(session: Session) -> None:
    t = tag()
    rows = site_rows(t, 2)
    rows[1][1] = "测试场所".encode("gbk").decode("latin-1")  # GBK bytes read as Latin-1
    out = preview(principal("commander"), "sites", csv_bytes(SITE_HEADERS, rows), lang="en")
    assert [(e.row, e.column) for e in out.errors] == [(3, "场所名称")]
    assert "garbled" in out.errors[0].message


def test_supervisor_cannot_import_outside_their_area(session: Session) -> None:
    t = tag()
    rows = site_rows(t, 1) + site_rows(t + "x", 1, where="outside")
    with pytest.raises(ImportInvalid) as err:
        commit(principal("supervisor"), "sites", csv_bytes(SITE_HEADERS, rows), lang="en")
    assert [e.row for e in err.value.errors] == [3]
    assert "outside your area" in err.value.errors[0].message
    assert stored_sites(session, f"S{t}") == []


@pytest.mark.parametrize(
    ("username", "kind"),
    [("gridworker", "sites"), ("dept", "sites"), ("admin", "sites"), ("commander", "persons")],
)
def test_roles_without_the_permission_are_refused(username: str, kind: str) -> None:
    rows = person_rows(tag(), 1) if kind == "persons" else site_rows(tag(), 1)
    data = csv_bytes(PERSON_HEADERS if kind == "persons" else SITE_HEADERS, rows)
    with pytest.raises(Forbidden):
        preview(principal(username), kind, data)
    with pytest.raises(Forbidden):
        commit(principal(username), kind, data)


# ----------------------------------------------------------------------------- persons
def test_persons_are_encrypted_and_found_again_by_id_number(session: Session) -> None:
    t = tag()
    rows = person_rows(t)
    who = principal("supervisor")
    out = commit(who, "persons", csv_bytes(PERSON_HEADERS, rows))
    assert out.new == 3
    got = stored_persons(session, f"P{t}")
    c = cipher()
    for r, row in zip(got, rows, strict=True):
        place = c.place("key_person_identity", "id_number", r["id"])
        assert c.decrypt(r["id_number_enc"], place) == row[2]
        assert bytes(r["id_number_bidx"]) == c.blind_index(row[2], "id_number")
        assert row[2].encode() not in bytes(r["id_number_enc"])
    assert [r["category"] for r in got] == ["elderly_alone", "disabled", "left_behind_child"]
    assert commit(who, "persons", csv_bytes(PERSON_HEADERS, rows)).unchanged == 3
    # the same people without codes, one with a new phone: found by the ID number
    headers = PERSON_HEADERS[1:]
    rows2 = [r[1:] for r in rows]
    rows2[0][2] = "19900009999"
    again = commit(who, "persons", csv_bytes(headers, rows2))
    assert (again.new, again.updated, again.unchanged) == (0, 1, 2)
    after = stored_persons(session, f"P{t}")
    assert [r["id"] for r in after] == [r["id"] for r in got]
    phone = c.decrypt(after[0]["phone_enc"], c.place("key_person_identity", "phone", got[0]["id"]))
    assert phone == "19900009999"
    # a register without phones or care levels leaves those on record as they are
    slim = [[r[1], r[2], r[4], r[6], r[7]] for r in rows]
    kept = commit(who, "persons", csv_bytes(["姓名", "身份证号", "人员类别", "经度", "纬度"], slim))
    assert (kept.new, kept.updated, kept.unchanged) == (0, 0, 3)


def test_person_errors_never_quote_the_id_number(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    t = tag()
    rows = person_rows(t, 5)
    good = rows[0][2]
    rows[1][2] = good[:-1] + ("0" if good[-1] != "0" else "1")  # check digit off
    rows[2][2] = "4.41521199001011E+17"
    rows[3][2] = good  # the same person twice in one file
    rows[4][2] = good[:10] + "1332" + good[14:]  # 32 December... month 13
    secrets = {r[2] for r in rows} | {r[1] for r in rows} | {r[3] for r in rows}
    who = principal("supervisor")
    for lang in ("zh-CN", "en"):
        with pytest.raises(ImportInvalid) as err:
            commit(who, "persons", csv_bytes(PERSON_HEADERS, rows), lang=lang)
        errors = err.value.errors
        assert [(e.row, e.column) for e in errors] == [
            (3, "身份证号"),
            (4, "身份证号"),
            (5, "身份证号"),
            (6, "身份证号"),
        ]
        shown = " ".join(
            [str(err.value), err.value.user_message(lang)] + [e.message for e in errors]
        )
        assert not any(s in shown for s in secrets)
    en = [e.message for e in errors]
    assert "check digit" in en[0] and "Excel" in en[1] and "row 2" in en[2].lower()
    assert "date of birth" in en[3]
    logged = caplog.text
    assert not any(s in logged for s in secrets)
    assert stored_persons(session, f"P{t}") == []


def test_a_person_registered_outside_the_area_is_not_updated(session: Session) -> None:
    sup = principal("supervisor")
    pid, enc = session.execute(
        text(
            "SELECT p.id, i.id_number_enc FROM key_person p JOIN area g ON g.id = p.grid_id "
            "JOIN key_person_identity i ON i.person_id = p.id "
            "WHERE NOT starts_with(g.code, :p) ORDER BY p.id LIMIT 1"
        ),
        {"p": sup.scope},
    ).one()
    c = cipher()
    number = c.decrypt(enc, c.place("key_person_identity", "id_number", pid))
    assert number is not None
    rows = person_rows(tag(), 1)
    rows[0][2] = number
    with pytest.raises(ImportInvalid) as err:
        commit(sup, "persons", csv_bytes(PERSON_HEADERS, rows), lang="en")
    assert [e.row for e in err.value.errors] == [2]
    assert "registered outside your area" in err.value.errors[0].message
    assert number not in err.value.errors[0].message


def test_persons_import_leaves_one_audit_record_with_counts_only(session: Session) -> None:
    t = tag()
    rows = person_rows(t, 2)
    commit(principal("supervisor"), "persons", csv_bytes(PERSON_HEADERS, rows), "名单.csv")
    rec = session.execute(
        text(
            "SELECT object_type, detail::text FROM audit_log WHERE action = 'data_change' "
            "AND object_type = 'key_person' ORDER BY id DESC LIMIT 1"
        )
    ).one()
    assert '"created": 2' in rec[1]
    assert not any(v in rec[1] for r in rows for v in r[1:4]) and "名单" not in rec[1]


# ----------------------------------------------------------------------------- the CLI
def test_cli_previews_with_dry_run_then_imports(session: Session, tmp_path: Path) -> None:
    from cli.main import cli

    t = tag()
    path = tmp_path / "sites.csv"
    rows = site_rows(t, 2)
    path.write_bytes(
        csv_bytes(["编码", "单位名", "类型", "风险等级", "经度", "纬度"], [r[:6] for r in rows])
    )
    args = ["import", "sites", str(path), "--as", "commander", "--lang", "en"]
    mapped = [*args, "--map", "单位名=name"]
    pw = demo_password("commander") + "\n"
    res = CliRunner().invoke(cli, args + ["--dry-run"], input=pw)
    assert res.exit_code == 1 and "No column holds" in res.output
    res = CliRunner().invoke(cli, [*mapped, "--dry-run"], input=pw)
    assert res.exit_code == 0, res.output
    assert "2 new" in res.output and "nothing was written" in res.output
    assert stored_sites(session, f"S{t}") == []
    res = CliRunner().invoke(cli, mapped, input=pw)
    assert res.exit_code == 0, res.output
    assert "Imported: 2 new" in res.output
    assert len(stored_sites(session, f"S{t}")) == 2
    rows[0][2] = "游乐园"
    path.write_bytes(
        csv_bytes(["编码", "单位名", "类型", "风险等级", "经度", "纬度"], [r[:6] for r in rows])
    )
    res = CliRunner().invoke(cli, mapped, input=pw)
    assert res.exit_code == 1 and "row 2, 类型: Not a known type" in res.output


def test_cli_imports_persons_as_a_supervisor(session: Session, tmp_path: Path) -> None:
    from cli.main import cli

    t = tag()
    rows = person_rows(t, 2)
    rows[1][2] = "1.2E+17"
    path = tmp_path / "persons.csv"
    path.write_bytes(csv_bytes(PERSON_HEADERS, rows, "gbk"))
    args = ["import", "persons", str(path), "--as", "supervisor"]
    res = CliRunner().invoke(cli, args, input=demo_password("supervisor") + "\n")
    assert res.exit_code == 1
    assert "第 3 行，身份证号：身份证号被 Excel 转成了科学计数法数字" in res.output
    assert rows[0][2] not in res.output and stored_persons(session, f"P{t}") == []
    rows[1][2] = id_number(uuid.uuid4().int % 900_000)
    path.write_bytes(csv_bytes(PERSON_HEADERS, rows, "gbk"))
    res = CliRunner().invoke(cli, args, input=demo_password("supervisor") + "\n")
    assert res.exit_code == 0, res.output
    assert len(stored_persons(session, f"P{t}")) == 2


# ----------------------------------------------------------------------------- hostile cells
CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["1.2E+17", "１２３", "113.5", "22.2", "NaN", "inf", "-0", "x", "学校", "３"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["sites", "persons"]),
    spoilt=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 7), CELLS), max_size=6),
)
def test_arbitrary_cells_give_row_errors_or_a_result(
    session: Session, kind: str, spoilt: list[tuple[int, int, str | None]]
) -> None:
    """Three valid rows with some cells replaced by anything at all."""
    if kind == "persons":
        headers, rows = PERSON_HEADERS, person_rows(tag())
    else:
        headers, rows = [*SITE_HEADERS, "所属社区"], [[*r, ""] for r in site_rows(tag())]
    cells: list[list[str | None]] = [list(r) for r in rows]
    for i, j, value in spoilt:
        cells[i][j] = value
    lines = [",".join(headers)]
    for r in cells:
        lines.append(",".join('"' + (c or "").replace('"', '""') + '"' for c in r))
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    who = principal("supervisor")
    try:
        table = ri.read("x.csv", data)
        with unit_of_work(who) as s:
            out = ri.preview(s, who, kind, table)
        bad = len({e.row for e in out.errors})
        assert bad + out.new + out.updated + out.unchanged == out.total
        with unit_of_work(who) as s:
            done = ri.commit(s, who, kind, table, accept_corrections=True)
        assert done.written and done.new + done.updated + done.unchanged == out.total
    except InvalidInput as err:  # the file, or rows refused: always in the user's words
        assert err.user_message("en") and not err.user_message("en").startswith("registry.")
