"""Reference data from a file (issue 15): ``python app.py config export|import``.

An export re-imports with nothing changed and exports again to the same text; a corrected
file updates in place (ids kept, incidents keep their category); a bad file gets every
error at once, each naming the section, the entry and the field, in either language, and
writes nothing; ``--prune`` refuses to delete what is still referred to; the cached
category list sees an import; aliases, deep nesting and oversize files are refused with a
translated message; any YAML-shaped value gives errors or counts, never an exception.

Every test runs in the ``rolled_back`` transaction (conftest.py): the imports commit
into it and nothing stays in the shared test database.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from governance import catalog, config_checks, config_io
from governance.access import Principal
from governance.config_rows import ConfigRejected
from governance.duties import INSTALLER
from governance.errors import Forbidden
from governance.uow import unit_of_work
from tests.conftest import demo_password


@pytest.fixture(autouse=True)
def _fresh_catalog() -> Iterator[None]:
    """The category cache neither sees another test's rows nor keeps this test's."""
    catalog.clear_cache()
    yield
    catalog.clear_cache()


def _export() -> dict[str, Any]:
    with unit_of_work() as s:
        return config_io.export(s)


def _apply(doc: object, **kw: Any) -> dict[str, config_io.Counts]:
    with unit_of_work(INSTALLER) as s:
        return config_io.apply(s, INSTALLER, doc, **kw)


def _rejected(doc: object, **kw: Any) -> ConfigRejected:
    with pytest.raises(ConfigRejected) as caught:
        _apply(doc, **kw)
    return caught.value


def _snapshot() -> dict[str, Any]:
    with unit_of_work() as s:
        return config_io.snapshot(s)


def _one(sql: str, **params: Any) -> Any:
    with unit_of_work(admin=True) as s:
        return s.execute(text(sql), params).scalar_one()


def _dept(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(d for d in doc["departments"] if d["code"] == code)


def _leaf(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for g in doc["categories"] for c in g.get("children", []) if c["code"] == code)


# ----------------------------------------------------------------------------- round trip
def test_export_reimports_unchanged_and_exports_the_same_text() -> None:
    before = config_io.to_yaml(_export())
    counts = _apply(config_checks.parse(before.encode("utf-8")))
    assert {s: (c.new, c.updated, c.deleted, c.only_in_db) for s, c in counts.items()} == {
        s: (0, 0, 0, 0) for s in config_checks.SECTIONS
    }
    assert counts["departments"].unchanged == 14
    assert counts["categories"].unchanged == _one("SELECT count(*) FROM incident_category")
    assert counts["calendar"].unchanged == _one("SELECT count(*) FROM calendar_day")
    assert config_io.to_yaml(_export()) == before
    assert "城管局" in before and "\\u" not in before  # Chinese as is
    again = _apply(config_checks.parse(before.encode("utf-8")))
    assert again == counts


def test_sample_file_is_a_valid_document() -> None:
    sample = Path(__file__).resolve().parents[2] / "docs" / "samples" / "config.yaml"
    doc = config_checks.parse(sample.read_bytes())
    counts = _apply(doc, dry_run=True)
    seen = counts["departments"]
    assert seen.new + seen.updated + seen.unchanged == len(doc["departments"]) == 4


# ----------------------------------------------------------------------------- in place
def test_a_corrected_file_updates_in_place_and_keeps_ids() -> None:
    doc = _export()
    water_id = _one("SELECT id FROM department WHERE code = 'water'")
    garbage_cases = _one("SELECT count(*) FROM incident WHERE category_code = 'city.garbage'")
    assert garbage_cases > 0
    _dept(doc, "water")["name_zh"] = "水务局（更正）"
    doc["departments"].append({"code": "drainage", "name_zh": "排水公司"})
    garbage = _leaf(doc, "city.garbage")
    garbage |= {"gbt_code": "0101", "name_zh": "生活垃圾清运", "department": "drainage"}
    doc["routing_rules"].append({"category": "city.garbage", "area": "441502",
                                 "lead": "drainage", "assist": ["water"]})  # fmt: skip
    noise = next(r for r in doc["routing_rules"] if r["category"] == "service.noise")
    assert noise["area"] is None  # a key with a null in it, matched all the same
    noise["assist"] = ["public_security", "urban_mgmt"]
    doc["sla_policies"][0]["accept_hours"] += 1
    doc["calendar"].append({"day": date(2026, 12, 31), "workday": False, "name": "县庆"})

    counts = _apply(doc)

    assert (counts["departments"].new, counts["departments"].updated) == (1, 1)
    assert (counts["categories"].updated, counts["categories"].new) == (1, 0)
    assert (counts["routing_rules"].new, counts["routing_rules"].updated) == (1, 1)
    assert counts["sla_policies"].updated == 1
    assert counts["calendar"].new == 1
    assert _one("SELECT id FROM department WHERE code = 'water'") == water_id
    assert _one("SELECT name_zh FROM department WHERE id = :i", i=water_id) == "水务局（更正）"
    assert _one("SELECT count(*) FROM incident WHERE category_code = 'city.garbage'") == (
        garbage_cases
    )
    assert _one("SELECT gbt_code FROM incident_category WHERE code = 'city.garbage'") == "0101"
    assert (
        _one("""SELECT d.code FROM incident_category c JOIN department d
                   ON d.id = c.department_id WHERE c.code = 'city.garbage'""")
        == "drainage"
    )
    assert _one("""SELECT assist_department_ids FROM routing_rule
                   WHERE category_code = 'city.garbage' AND area_code = '441502'""") == [water_id]
    assert (
        _one("""SELECT count(*) FROM routing_rule
                   WHERE category_code = 'service.noise'""")
        == 1
    )
    exported = _export()
    assert _leaf(exported, "city.garbage")["gbt_code"] == "0101"
    assert next(r for r in exported["routing_rules"] if r["category"] == "service.noise")[
        "assist"
    ] == ["public_security", "urban_mgmt"]
    assert _apply(exported)["categories"].updated == 0


def test_the_cached_category_list_sees_an_import() -> None:
    assert catalog.category("city") is not None
    doc = _export()
    doc["categories"][0]["name_zh"] = "市容环境（新）"
    _apply(doc)
    catalog.clear_cache()  # what the command line does after its commit
    city = catalog.category("city")
    assert city is not None and city.name_zh == "市容环境（新）"


def test_an_import_is_audited_with_its_counts() -> None:
    last = _one("SELECT coalesce(max(id), 0) FROM audit_log")
    _apply(_export())
    detail = _one("SELECT detail FROM audit_log WHERE id > :i AND object_type = "
                  "'reference_data'", i=last)  # fmt: skip
    assert detail["change"] == "config_import" and detail["counts"]["departments"]["unchanged"]


def test_only_a_city_wide_commander_may_import() -> None:
    doc = _export()
    for role, area in (("sysadmin", None), ("supervisor", "441502"), (None, None)):
        who = Principal(1, "x", "x", role, area_code=area, area_level=area and "county")
        with pytest.raises(Forbidden), unit_of_work() as s:
            config_io.apply(s, who, doc, dry_run=True)
    commander = Principal(1, "c", "c", "commander")
    with unit_of_work() as s:
        assert config_io.apply(s, commander, doc, dry_run=True)["calendar"].unchanged


# ----------------------------------------------------------------------------- bad files
def _bad_document() -> dict[str, Any]:
    doc = _export()
    doc.pop("minqing_config")
    doc["departments"] += [
        {"code": "urban mgmt", "name_zh": "甲"},  # 1: a space inside
        {"code": "ｗａｔｅｒ２", "name_zh": "乙"},  # 2: full width
        {"code": "nameless"},  # 3: no name
        {"code": "extra", "name_zh": "丙", "phone": "123"},  # 4: unknown field
        {"code": "water", "name_zh": "重复"},  # 5: duplicate
    ]
    doc["categories"][0]["color"] = "red"
    doc["categories"][1]["children"] = "not a list"
    doc["routing_rules"].append({"category": "city.garbage", "lead": "nobody"})
    doc["sla_policies"].append({"category": "city.clutter", "accept_hours": 0,
                                "resolve_workdays": 5})  # fmt: skip
    doc["calendar"] += [{"day": "2026-02-30", "workday": False}, {"day": "2026-10-01",
                                                                  "workday": "yes"}]  # fmt: skip
    return doc


def test_a_bad_file_gets_every_error_at_once_and_writes_nothing() -> None:
    before = _snapshot()
    err = _rejected(_bad_document())
    got = {(e.section, e.field, e.key) for e in err.errors}
    n = len(_export()["departments"])
    expected = {
        (None, "minqing_config", "config.error.version_missing"),
        ("departments", "code", "config.error.code_space"),
        ("departments", "code", "config.error.code_full_width"),
        ("departments", "name_zh", "config.error.required"),
        ("departments", "phone", "config.error.unknown_field"),
        ("departments", "code", "config.error.duplicate"),
        ("categories", "color", "config.error.bad_color"),
        ("categories", "children", "config.error.not_list"),
        ("routing_rules", "lead", "config.error.unknown_department"),
        ("sla_policies", "accept_hours", "config.error.out_of_range"),
        ("calendar", "day", "config.error.bad_day"),
        ("calendar", "workday", "config.error.not_bool"),
    }
    assert expected <= got, expected - got
    assert _snapshot() == before
    zh = "\n".join(err.messages("zh-CN"))
    assert f"部门第 {n + 1} 条（urban mgmt），字段 code：代码“urban mgmt”中间有空格" in zh
    assert "全角字符“ｗ”" in zh and "半角" in zh
    assert f"部门第 {n + 5} 条（water），字段 code：“water”重复" in zh
    assert "事件分类第 1 条（city），字段 color" in zh
    assert "办理时限" in zh and "须在 1 到 720 之间" in zh
    en = "\n".join(err.messages("en"))
    assert f"Departments, entry {n + 3} (nameless), field name_zh: is required" in en
    assert "No department has the code 'nobody'" in en
    assert err.user_message("en").startswith("Reference data not imported")


def test_errors_name_the_child_of_a_group_and_a_used_leaf_cannot_become_a_group() -> None:
    doc = _export()
    doc["categories"][0]["children"][1]["default_priority"] = 9
    doc["categories"].append({"code": "city.garbage.x", "name_zh": "新",
                              "children": [{"code": "y", "name_zh": "子"}]})  # fmt: skip
    garbage = _leaf(doc, "city.garbage")
    doc["categories"][0]["children"].remove(garbage)
    doc["categories"].append({**garbage, "children": [{"code": "z.1", "name_zh": "子"}]})
    err = _rejected(doc)
    zh = err.messages("zh-CN")
    assert any(m.startswith("事件分类第 1 条 › 子类第 2 条") and "须在 1 到 4 之间" in m
               for m in zh)  # fmt: skip
    assert any("city.garbage" in m and "已被事件或巡查表用作小类" in m for m in zh), zh


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"a: &x [1, 2]\nb: *x\n", "config.error.yaml_alias"),
        (
            b"minqing_config: 1\ncalendar: [" * 1 + b"[" * 200 + b"]" * 200 + b"]\n",
            "config.error.yaml_depth",
        ),  # fmt: skip
        (b"minqing_config: 1\ndepartments: [\n", "config.error.yaml"),
        (b"\xff\xfe\x00", "config.error.encoding"),
        (b"day: 2026-13-45\n", "config.error.yaml_value"),
        (b"n: " + b"9" * 5000 + b"\n", "config.error.yaml_value"),
        (b"a: \x00\n", "config.error.yaml_char"),
        (b"calendar: [" + b"0," * 200_000 + b"]\n", "config.error.yaml_nodes"),
    ],
)
def test_hostile_yaml_is_refused_with_a_translated_message(data: bytes, key: str) -> None:
    with pytest.raises(ConfigRejected) as caught:
        config_checks.parse(data)
    (error,) = caught.value.errors
    assert error.key == key
    assert "config.error" not in error.message("zh-CN") + error.message("en")


def test_a_billion_laughs_and_an_oversize_file_are_refused_before_they_grow() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with pytest.raises(ConfigRejected) as caught:
        config_checks.parse("\n".join(lines).encode())
    assert "别名" in caught.value.errors[0].message("zh-CN")
    with pytest.raises(ConfigRejected) as caught:
        config_checks.parse(b"#" * (config_checks.MAX_BYTES + 1))
    assert "文件过大" in caught.value.errors[0].message("zh-CN")


# ----------------------------------------------------------------------------- prune
def test_prune_deletes_what_nothing_uses_and_refuses_the_rest() -> None:
    doc = _export()
    with_temp = copy.deepcopy(doc)
    with_temp["departments"].append({"code": "temp_office", "name_zh": "临时办公室"})
    with_temp["calendar"].append({"day": date(2027, 1, 1), "workday": False, "name": "元旦"})
    _apply(with_temp)
    kept = _apply(doc)
    assert (kept["departments"].only_in_db, kept["calendar"].only_in_db) == (1, 1)
    assert _one("SELECT count(*) FROM department WHERE code = 'temp_office'") == 1

    power_cases = _one("""SELECT count(*) FROM incident i JOIN department d
                          ON d.id = i.lead_department_id WHERE d.code = 'power'""")
    assert power_cases > 0
    no_power = copy.deepcopy(doc)
    no_power["departments"] = [d for d in no_power["departments"] if d["code"] != "power"]
    _leaf(no_power, "service.power_outage")["department"] = "water"
    before = _snapshot()
    err = _rejected(no_power, prune=True)
    (refusal,) = err.errors
    assert (refusal.section, refusal.code, refusal.key) == ("departments", "power",
                                                          "config.error.in_use")  # fmt: skip
    assert f"事件 {power_cases} 件" in refusal.message("zh-CN")
    assert _snapshot() == before

    pruned = _apply(doc, prune=True)
    assert (pruned["departments"].deleted, pruned["calendar"].deleted) == (1, 1)
    assert _one("SELECT count(*) FROM department WHERE code = 'temp_office'") == 0


def test_a_file_of_one_section_leaves_the_others_alone_even_with_prune() -> None:
    doc = {"minqing_config": 1, "calendar": _export()["calendar"]}
    counts = _apply(doc, prune=True)
    assert counts["departments"] == config_io.Counts()
    assert _one("SELECT count(*) FROM department") == 14


# ----------------------------------------------------------------------------- hostile
SECTION_KEYS = ["code", "name_zh", "name_en", "area", "children", "color", "gbt_code",
                "department", "category", "lead", "assist", "priority", "accept_hours",
                "resolve_workdays", "day", "workday", "name", "note"]  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(["water", "city", "city.garbage", "441502", "441500", "#aabbcc", " "])
    | st.dates()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(SECTION_KEYS) | st.text(max_size=8) | st.integers() | st.none(),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)
DOCUMENTS = st.fixed_dictionaries(
    {},
    optional={
        "minqing_config": st.sampled_from([1, 2, "1", None]),
        **{s: st.lists(VALUES, max_size=4) | VALUES for s in config_checks.SECTIONS},
        "other": VALUES,
    },
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(DOCUMENTS, st.booleans())
@example(doc={"minqing_config": 1, "categories": [{"code": "g", "name_zh": "组",
                                                   "children": [None, 1]}]},
         prune=True)  # fmt: skip
def test_any_document_gives_errors_or_counts_never_an_exception(doc: dict, prune: bool) -> None:
    """As values (what safe_load returns) and as YAML text (what a file holds)."""
    for attempt in (doc, yaml.safe_dump(doc, allow_unicode=True).encode("utf-8")):
        _errors_or_counts(attempt, prune)


def _errors_or_counts(doc: object, prune: bool) -> None:
    try:
        if isinstance(doc, bytes):
            doc = config_checks.parse(doc)
        counts = _apply(doc, prune=prune, dry_run=True)
    except ConfigRejected as err:
        for lang in ("zh-CN", "en"):
            for message in err.messages(lang):
                assert message and "config.error" not in message and "config.where" not in message
    else:
        assert set(counts) == set(config_checks.SECTIONS)


# ----------------------------------------------------------------------------- command line
def _cli(*args: str, input: str | None = None) -> Any:
    from cli.main import cli

    return CliRunner().invoke(cli, list(args), input=input)


def test_the_command_line_exports_and_imports(tmp_path: Path) -> None:
    out = tmp_path / "config.yaml"
    done = _cli("config", "export", "--out", str(out))
    assert done.exit_code == 0, done.output
    text_ = out.read_text(encoding="utf-8")
    assert text_.startswith("# MinQing Map") and "name_zh: 城管局" in text_
    shown = _cli("config", "export")
    assert shown.exit_code == 0 and shown.output == text_

    dry = _cli("config", "import", str(out), "--dry-run", "--lang", "en")
    assert dry.exit_code == 0, dry.output
    assert "Departments: 0 new, 0 updated, 14 unchanged" in dry.output
    assert "Dry run" in dry.output

    as_commander = _cli("config", "import", str(out), "--as", "commander",
                        input=demo_password("commander") + "\n")  # fmt: skip
    assert as_commander.exit_code == 0 and "参考数据已导入" in as_commander.output
    as_admin = _cli("config", "import", str(out), "--as", "admin",
                    input=demo_password("admin") + "\n")  # fmt: skip
    assert as_admin.exit_code != 0 and "Traceback" not in as_admin.output

    out.write_text(text_.replace("minqing_config: 1", "minqing_config: 7"), encoding="utf-8")
    bad = _cli("config", "import", str(out), "--lang", "en")
    assert bad.exit_code == 1 and "Unsupported format version '7'" in bad.output
    assert "nothing was changed" in bad.output and "Traceback" not in bad.output
    missing = _cli("config", "import", str(tmp_path / "none.yaml"))
    assert missing.exit_code != 0 and "无法读取文件" in missing.output


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda s: s.encode("utf-8")))
@example(data=b"- [" * 40)
@example(data=b"!!python/object/apply:os.system ['true']")
def test_any_bytes_parse_to_values_or_a_translated_refusal(data: bytes) -> None:
    try:
        config_checks.parse(data)
    except ConfigRejected as err:
        assert all("config.error" not in m for m in err.messages("en"))
