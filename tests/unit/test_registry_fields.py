"""Reading one cell of a key-site or key-person register: types, categories and grades by
code or name in either language, codes, phones, coordinates, CRS names, mojibake; and
the headers guessed for both kinds of register."""

from __future__ import annotations

import pytest

from governance import registry_fields as rf
from governance.file_mapping import guess_mapping
from governance.registry_fields import CellError
from governance.registry_places import read_crs, read_point


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("学校", "school"),
        ("School", "school"),
        ("gas_station", "gas_station"),
        ("加油站", "gas_station"),
    ]
    + [(" 危化品场所 ", "hazchem"), ("Entertainment venue", "entertainment")],
)
def test_site_types_by_code_or_name(value: str, code: str) -> None:
    assert rf.read_choice(value, rf.SITE_TYPES, "site_type") == code


def test_person_categories_by_code_or_name() -> None:
    assert rf.read_choice("独居老人", rf.CATEGORIES, "category") == "elderly_alone"
    assert rf.read_choice("Left-behind child", rf.CATEGORIES, "category") == "left_behind_child"
    with pytest.raises(CellError) as err:
        rf.read_choice("游乐园", rf.SITE_TYPES, "site_type")
    assert err.value.key == "registry.cell.choice"


@pytest.mark.parametrize(
    ("value", "grade"),
    [("1", 1), ("4", 4), ("2.0", 2), ("三级", 3), ("3级", 3), ("重大风险", 4), ("低", 1)]
    + [("Major risk", 4), ("moderate", 2), ("４", 4)],
)
def test_risk_grades(value: str, grade: int) -> None:
    assert rf.read_risk(value) == grade


@pytest.mark.parametrize("value", ["0", "5", "五级", "high-ish", "", "1.5"])
def test_bad_risk_grades(value: str) -> None:
    with pytest.raises(CellError):
        rf.read_risk(value)


def test_codes() -> None:
    assert rf.read_code("ＳＴ－００１") == "ST-001"
    with pytest.raises(CellError) as err:
        rf.read_code("ST 001")
    assert err.value.key == "registry.cell.code_spaces"
    with pytest.raises(CellError) as err:
        rf.read_code("编号1")
    assert err.value.key == "registry.cell.code_chars"


def test_phones_and_text() -> None:
    assert rf.read_phone("１３８ ０013 8000") == "13800138000"
    with pytest.raises(CellError):
        rf.read_phone("call me")
    with pytest.raises(CellError) as err:
        rf.read_text("测试场所".encode("gbk").decode("latin-1"), "name")
    assert err.value.key == "registry.cell.mojibake"
    with pytest.raises(CellError) as err:
        rf.read_text("a\x00b", "name")
    assert err.value.key == "registry.cell.control"


def test_crs_names_and_swapped_points() -> None:
    assert read_crs("GCJ-02") == "gcj02" and read_crs("百度") == "bd09"
    assert read_crs("EPSG:4490") == "cgcs2000"
    with pytest.raises(CellError):
        read_crs("UTM 50N")
    p = read_point("22.27", "113.57", "wgs84")
    assert p.swapped and (p.lon, p.lat) == (113.57, 22.27)
    with pytest.raises(CellError) as err:
        read_point("nan", "22", "wgs84")
    assert err.value.key == "registry.cell.number"


def test_headers_guessed_for_both_kinds() -> None:
    sites = guess_mapping(
        ["场所编码", "场所名称", "场所类型", "风险等级", "经度", "纬度", "所属社区"],
        fields=rf.FIELDS[rf.SITES],
        synonyms=rf.SYNONYMS[rf.SITES],
    )
    assert sites["name"] == "场所名称" and sites["community"] == "所属社区"
    persons = guess_mapping(
        ["人员编号", "姓名", "公民身份号码", "联系电话", "人员类别", "关怀等级", "住址"],
        fields=rf.FIELDS[rf.PERSONS],
        synonyms=rf.SYNONYMS[rf.PERSONS],
    )
    assert persons["id_number"] == "公民身份号码" and persons["address"] == "住址"
    assert persons["full_name"] == "姓名" and persons["code"] == "人员编号"
