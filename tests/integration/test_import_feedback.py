"""The file import in the words of the person importing (issue 14, item 4).

A bad cell is named by the header the user mapped, quoted, and told what to change, in
either language, with category names instead of codes and no API paths; the preview
shows categories by name; every correction the import makes by itself (a swapped
latitude/longitude pair, trimmed text, a day without a time) is listed row by row and
must be accepted before anything is written, over HTTP as in the service. Hostile cells
give a preview or a translated refusal, never a server error.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geodata.db import session_scope
from governance import file_import
from governance.errors import InvalidInput
from governance.file_feedback import corrections
from governance.file_import import DEFAULT_CRS, DEFAULT_SOURCE, _validate, guess_mapping
from governance.file_tables import read_table
from governance.filters import LOCAL_TZ
from i18n import COOKIE, t
from pages.import_ids import ImportIds as Ids
from tests.conftest import signed_in_client
from tests.integration.test_file_import import (
    HEADERS,
    _all_text,
    _commit,
    _preview,
    answer,
    csv_bytes,
    import_body,
    meters,
    post,
    preview_body,
    principal,
    rows,
    stored,
    tag,
    up,
    uploaded,
    world,
)

CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")  # a category code such as city.garbage
DEVELOPER = ("/api/", "GET ", "JSON", "ISO 8601", "leaf", "末级", "token", "令牌")


def _in(lang: str) -> Any:
    """A request context in ``lang`` (messages follow the request's language)."""
    from app import server

    return server.test_request_context("/", headers={"Cookie": f"{COOKIE}={lang}"})


def _bad_file(tg: str) -> list[list[str]]:
    table = rows(6, tg)
    table[0][1] = world()["cats"][1][1] + "类"  # a misspelt category name (row 2 of the file)
    table[1][3] = "东经115度"  # not a number (row 3)
    table[2][2] = "上周三下午"  # not a time (row 4)
    table[3][0] = ""  # no ticket number (row 5)
    table[4][8] = "138-abc"  # not a phone number (row 6)
    return table


def test_every_bad_cell_says_which_column_what_is_wrong_and_what_to_change() -> None:
    tg = tag()
    commander = principal("commander")
    upload = up(commander, "bad.csv", csv_bytes(_bad_file(tg)))
    for lang in ("zh-CN", "en"):
        with _in(lang):
            p = _preview(commander, upload)
        got = {(e.row, e.column): e.message for e in p.errors}
        assert set(got) == {
            (2, "诉求类型"),
            (3, "经度"),
            (4, "受理时间"),
            (5, "工单编号"),
            (6, "联系电话"),
        }
        for message in got.values():
            assert not any(word in message for word in DEVELOPER), message
            assert not CODE.search(message), message
            assert "{" not in message
        misspelt = world()["cats"][1][1] + "类"
        assert misspelt in got[(2, "诉求类型")] and "东经115度" in got[(3, "经度")]
        assert "上周三下午" in got[(4, "受理时间")] and "138-abc" in got[(6, "联系电话")]
        if lang == "zh-CN":
            # the nearest category, by its name
            assert f"如“{world()['cats'][1][1]}”" in got[(2, "诉求类型")]
            assert "请改为类别名称" in got[(2, "诉求类型")]
            assert "2026-11-28 09:30" in got[(4, "受理时间")]
            assert got[(5, "工单编号")] == "此格为空：请填写工单编号"
        else:
            assert "write a category name" in got[(2, "诉求类型")]
            assert got[(5, "工单编号")] == "this cell is empty: fill in the Ticket number"
    with _in("en"), pytest.raises(file_import.ImportInvalid) as caught:
        _commit(commander, upload)
    first = caught.value.user_message("en")
    assert "row 2" in first and "诉求类型" in first and "/api/" not in first
    assert stored(tg) == []


def test_the_preview_names_categories_and_lists_every_correction() -> None:
    tg = tag()
    table = rows(4, tg)
    w = world()
    table[0][3], table[0][4] = table[0][4], table[0][3]  # latitude, longitude: swapped
    table[1][6] = "  幸福路 1 号 "  # spaces around the address
    table[2][2] = "2025/3/3"  # a day without a time
    commander = principal("commander")
    upload = up(commander, "fix.csv", csv_bytes(table))
    with _in("zh-CN"):
        p = _preview(commander, upload)
    assert p.error_count == 0 and p.new == 4
    names = {code: name for code, name in w["cats"]}
    assert [r["category"] for r in p.rows] == [names[w["cats"][i % 2][0]] for i in range(4)]
    assert not any(CODE.fullmatch(r["category"]) for r in p.rows)
    fixes = {(c.row, c.column): c.message for c in p.corrections}
    assert set(fixes) == {(2, "经度 / 纬度"), (3, "地址"), (4, "受理时间")}
    assert (
        fixes[(2, "经度 / 纬度")].startswith("经度与纬度填反")
        and table[0][3] in fixes[(2, "经度 / 纬度")]
    )
    assert fixes[(3, "地址")] == t("import.fix.trimmed", "zh-CN")
    assert fixes[(4, "受理时间")] == t("import.fix.day", "zh-CN")
    assert p.correction_count == 3
    assert [bool(r["corrections"]) for r in p.rows] == [True, True, True, False]
    assert p.rows[1]["address"] == "幸福路 1 号"
    # not accepted: nothing is written, and the refusal says how to go on
    with _in("en"), pytest.raises(file_import.CorrectionsNotAccepted) as caught:
        _commit(commander, upload)
    assert "Accept these corrections" in caught.value.user_message("en")
    assert "3" in caught.value.user_message("en") and stored(tg) == []
    # accepted: imported as corrected
    done = _commit(commander, upload, accept_corrections=True)
    assert done["created"] == 4
    got = stored(tg)
    lon, lat = w["points"][0]
    assert meters(lon, lat, got[0]["lon"], got[0]["lat"]) < 5
    assert got[1]["address"] == "幸福路 1 号"
    assert got[2]["occurred_at"].astimezone(LOCAL_TZ).hour == 0


def test_a_clean_file_needs_no_acceptance() -> None:
    tg = tag()
    commander = principal("commander")
    upload = up(commander, "clean.csv", csv_bytes(rows(3, tg)))
    p = _preview(commander, upload)
    assert p.correction_count == 0 and all(r["corrections"] == [] for r in p.rows)
    assert _commit(commander, upload)["created"] == 3


def _accept_body(upload: str, checked: Any, accept: Any) -> dict[str, Any]:
    out = import_body(upload, checked)
    for dep in out["state"]:
        if dep["id"] == Ids.ACCEPT:
            dep["value"] = accept
    return out


def test_corrections_are_shown_and_accepted_over_http() -> None:
    client = signed_in_client("commander")
    client.set_cookie(COOKIE, "en")
    tg = tag()
    table = rows(2, tg)
    table[1][3], table[1][4] = table[1][4], table[1][3]
    upload = uploaded(client, csv_bytes(table))
    pre = answer(post(client, preview_body(upload)))
    assert pre[Ids.ACCEPT_BOX]["hidden"] is False and pre[Ids.ACCEPT]["value"] == []
    shown = _all_text(pre[Ids.PREVIEW_OUT])
    assert "swapped" in shown and t("import.col.corrections", "en") in shown
    checked = pre[Ids.CHECKED]["data"]
    refused = answer(post(client, _accept_body(upload, checked, [])))
    assert "Accept these corrections" in _all_text(refused) and stored(tg) == []
    assert refused[Ids.IMPORT]["disabled"] is False  # tick and import again
    for hostile in ("yes", {"yes": 1}, ["no"], None):
        answer(post(client, _accept_body(upload, checked, hostile)))
        assert stored(tg) == []
    done = answer(post(client, _accept_body(upload, checked, ["yes"])))
    assert "2 new incidents" in _all_text(done) and len(stored(tg)) == 2


def test_a_clean_preview_hides_the_acceptance() -> None:
    client = signed_in_client("commander")
    upload = uploaded(client, csv_bytes(rows(2, tag())))
    pre = answer(post(client, preview_body(upload)))
    assert pre[Ids.ACCEPT_BOX]["hidden"] is True


CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "115.37", "23.1", "2025/3/1", "9999-99-99", "１１５", "nan"]),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(CELLS, min_size=len(HEADERS), max_size=len(HEADERS)))
@example(cells=["{"] * len(HEADERS))  # a brace the user typed, quoted back (CI, 2026-12-06)
def test_hostile_cells_give_a_preview_in_the_users_words(cells: list[str]) -> None:
    tg = tag()
    table = rows(1, tg)
    line = [
        c.replace(",", " ").replace("\n", " ").replace("\r", " ").replace('"', "") for c in cells
    ]
    table.append(line)

    def unquoted(message: str) -> str:  # the message without the cells it quotes back
        for c in sorted(line, key=len, reverse=True):
            message = message.replace(" ".join(c.split())[:39], "") if c.strip() else message
        return message

    try:  # read and checked as the preview does (no kept upload: nothing to expire)
        table_read = read_table("h.csv", csv_bytes(table))
        mapping = guess_mapping(table_read.headers)
        with _in("en"), session_scope() as s:
            items, errors, _names = _validate(table_read, mapping, DEFAULT_SOURCE, DEFAULT_CRS, s)
            fixes = corrections(table_read, mapping, items)
    except InvalidInput as err:  # an unreadable file: translated, no placeholder left unfilled
        assert "{" not in unquoted(err.user_message("en"))
        return
    for e in errors:  # a quoted cell may hold "{"; the words around it may not
        said = unquoted(e.message)
        assert e.column and "{" not in said, e.message
        assert not any(word in said for word in DEVELOPER), e.message
    for c in fixes:
        assert c.column and "{" not in unquoted(c.message), c.message
