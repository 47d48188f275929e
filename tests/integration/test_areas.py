"""Area codes as people type them, on the seeded demo city: one resolver
(governance/area_codes.py) behind every command and page that takes an area, the city's
own code (441500 / 441500000000) as "the whole city", and `python app.py areas list`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from geodata.db import session_scope
from governance import area_codes, briefings
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from i18n import t
from pages.briefings_ids import BriefIds
from tests.conftest import demo_password, signed_in_client

CITY = "441500"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def codes() -> dict[str, str]:
    """One area of each level, nested (stored codes), and their codes in their own length."""
    with session_scope(admin=True) as s:
        grid = s.execute(
            text("SELECT code FROM area WHERE level = 'grid' ORDER BY code LIMIT 1")
        ).scalar_one()
    return {
        "county": grid[:6] + "000000",
        "street": grid[:9] + "000",
        "community": grid[:12],
        "grid": grid,
        "county6": grid[:6],
        "street9": grid[:9],
    }


def cli(*args: str, input: str | None = None) -> Any:
    from cli.main import cli as group

    return CliRunner().invoke(group, list(args), input=input)


# ----------------------------------------------------------------------------- resolver
RESOLVED = [
    ("441500", "city"),
    ("441500000000", "city"),
    ("441500000", "city"),
    ("441500000000000", "city"),
    (" 441500 ", "city"),
    ("\u3000４４１５００\u3000", "city"),
    ("{county6}", "county"),
    ("{county6}000", "county"),
    ("{county6}000000", "county"),
    ("{county6}000000000", "county"),
    ("{street9}", "street"),
    ("{street9}000", "street"),
    ("{street9}000000", "street"),
    ("{community}", "community"),
    ("{community}000", "community"),
    ("{grid}", "grid"),
    ("fw:{grid}", "grid"),
    ("fw:{street9}", "street"),
]


@pytest.mark.parametrize(("typed", "level"), RESOLVED)
def test_resolver_names_the_area_or_the_city(session, codes, typed: str, level: str) -> None:  # type: ignore[no-untyped-def]
    raw = typed.format(**codes)
    if raw.startswith("fw:"):
        raw = raw[3:].translate(FULL_WIDTH)
    ref = area_codes.resolve(session, raw)
    assert ref is not None and ref.level == level
    if level == "city":
        assert ref.is_city and ref.code == CITY and ref.prefix is None and ref.id is None
    else:
        assert ref.code == codes[level] and ref.id is not None
        assert ref.prefix == codes[level][: {"county": 6, "street": 9}.get(level, len(ref.code))]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("4415", "areas.error.malformed"),
        ("44150", "areas.error.malformed"),
        ("12ab", "areas.error.malformed"),
        ("441599", "areas.error.unknown"),
        ("{county6}999", "areas.error.unknown"),
        ("{street9}999", "areas.error.unknown"),
        ("{community}999", "areas.error.unknown"),
        ("999999999999999", "areas.error.unknown"),
        ("000000000000", "areas.error.unknown"),
        ("'; DROP TABLE area; --", "areas.error.malformed"),
        ("441502%", "areas.error.malformed"),
        ("44150_", "areas.error.malformed"),
        ("441502\x00", "areas.error.malformed"),
        ("\ud800", "areas.error.malformed"),
        ("<img src=x onerror=alert(1)>", "areas.error.malformed"),
        ("9" * 5000, "areas.error.malformed"),
    ],
)
def test_anything_else_is_a_translated_error_naming_the_codes(
    session, codes, typed: str, key: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as err:
        area_codes.resolve(session, typed.format(**codes))
    assert err.value.key == key and err.value.status == 400
    assert err.value.params["city"] == CITY
    zh, en = err.value.user_message("zh-CN"), err.value.user_message("en")
    assert "全市为 441500" in zh and "python app.py areas list" in zh
    assert "6 (county), 9 (street/town), 12 (community) or 15 (grid)" in en
    assert len(str(err.value.params["value"])) <= area_codes.MAX_SHOWN
    assert session.execute(text("SELECT count(*) FROM area")).scalar_one() > 0


def test_the_city_code_follows_the_setting(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from settings import get_settings

    assert area_codes.city_code(session) == CITY  # the counties' shared 4415 + 00
    monkeypatch.setattr(get_settings(), "city_code", "441300")
    monkeypatch.setattr(get_settings(), "city_name", "某市")
    ref = area_codes.resolve(session, "441300000000")
    assert ref is not None and ref.is_city and ref.name == "某市"
    with pytest.raises(InvalidInput) as err:
        area_codes.resolve(session, CITY)
    assert "441300" in err.value.user_message("en")


def test_account_scopes_say_what_a_role_needs(session, codes) -> None:  # type: ignore[no-untyped-def]
    assert area_codes.account_area(session, "441500000000", "commander") is None
    assert area_codes.account_area(session, None, "commander") is None
    area = area_codes.account_area(session, codes["street9"], "supervisor")
    assert area is not None and area.code == codes["street"]
    for role, key in (
        ("supervisor", "areas.error.city_for_supervisor"),
        ("grid_worker", "areas.error.city_for_grid_worker"),
    ):
        with pytest.raises(InvalidInput) as err:
            area_codes.account_area(session, CITY, role)
        assert err.value.key == key and CITY in err.value.user_message("zh-CN")


# ----------------------------------------------------------------------------- briefings
def test_export_briefing_of_the_city_by_its_code(tmp_path: Path, codes) -> None:  # type: ignore[no-untyped-def]
    day = datetime.now(LOCAL_TZ).date().isoformat()
    for n, typed in enumerate(("441500", "441500000000", codes["county6"])):
        out = tmp_path / str(n)
        out.mkdir()
        args = ["export", "briefing", "--period", "daily", "--date", day, "--format", "html"]
        result = cli(*args, "--area", typed, "--out", str(out))
        assert result.exit_code == 0, result.output
        (written,) = out.iterdir()
        area = "city" if typed.startswith(CITY) else codes["county"]
        assert written.name == f"briefing-daily-{area}-{day}.html"
    bad = cli("export", "briefing", "--period", "daily", "--format", "html", "--area", "4415")
    assert bad.exit_code != 0
    assert "全市为 441500" in bad.output and "python app.py areas list" in bad.output
    assert "python app.py areas list" in cli("export", "briefing", "--help").output


def _post_briefing(client: Any, area: str) -> dict[str, Any]:
    payload = {
        "output": f"..{BriefIds.DOWNLOAD}.data...{BriefIds.STATUS}.children..",
        "outputs": [
            {"id": BriefIds.DOWNLOAD, "property": "data"},
            {"id": BriefIds.STATUS, "property": "children"},
        ],
        "inputs": [{"id": BriefIds.SUBMIT, "property": "n_clicks", "value": 1}],
        "state": [
            {"id": BriefIds.PERIOD, "property": "value", "value": "daily"},
            {
                "id": BriefIds.DATE,
                "property": "date",
                "value": datetime.now(LOCAL_TZ).date().isoformat(),
            },
            {"id": BriefIds.AREA, "property": "value", "value": area},
            {"id": BriefIds.FORMAT, "property": "value", "value": "html"},
        ],
        "changedPropIds": [f"{BriefIds.SUBMIT}.n_clicks"],
    }
    resp = client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": client.get_cookie("_csrf_token").value,
        },
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()["response"]


def test_briefings_page_takes_the_city_code_within_scope() -> None:
    from governance.accounts import load_principal
    from governance.uow import unit_of_work

    out = _post_briefing(signed_in_client("commander"), "４４１５００")
    assert out[BriefIds.DOWNLOAD]["data"]["filename"].startswith("briefing-daily-city-")
    refused = _post_briefing(signed_in_client("supervisor"), CITY)  # the city is not theirs
    assert BriefIds.DOWNLOAD not in refused
    with session_scope(admin=True) as s:
        uid = s.execute(text("SELECT id FROM app_user WHERE username = 'commander'")).scalar_one()
        who = load_principal(s, uid)
    with unit_of_work(who) as s:
        first = briefings.area_choices(s, who, "zh-CN")[0]
    assert first["value"] == "" and "441500" in first["search"]


# ----------------------------------------------------------------------------- areas list
def test_areas_list_prints_the_city_first_then_the_tree(codes) -> None:  # type: ignore[no-untyped-def]
    result = cli("areas", "list")
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    assert lines[0] == [CITY, "city", t("areas.city", "zh-CN"), "-"]
    with session_scope(admin=True) as s:
        total = s.execute(text("SELECT count(*) FROM area")).scalar_one()
        county_name = s.execute(
            text("SELECT name FROM area WHERE code = :c"), {"c": codes["county"]}
        ).scalar_one()
    assert len(lines) == 1 + total
    assert [codes["county6"], "county", county_name, CITY] in lines
    digits = {"county": 6, "street": 9, "community": 12, "grid": 15}
    for code, level, _name, parent in lines[1:]:
        assert len(code) == digits[level] and code.startswith(CITY[:4])
        if level == "county":
            assert parent == CITY
        else:
            assert code.startswith(parent) and len(parent) == len(code) - 3

    counties = cli("areas", "list", "--level", "county").output.splitlines()
    assert len(counties) == 4 and all(line.split("\t")[1] == "county" for line in counties)
    under = [
        line.split("\t")
        for line in cli("areas", "list", "--under", codes["street"]).output.splitlines()
    ]
    assert under[0][:2] == [codes["street9"], "street"]
    assert all(row[0].startswith(codes["street9"]) for row in under)
    grids = cli("areas", "list", "--under", codes["street9"], "--level", "grid").output.splitlines()
    assert grids and all(line.split("\t")[1] == "grid" for line in grids)
    bad = cli("areas", "list", "--under", "4415")
    assert bad.exit_code != 0 and "全市为 441500" in bad.output
    assert cli("areas", "list", "--level", "city").exit_code != 0


# ----------------------------------------------------------------------------- tokens
def _token_area(token_id: int) -> tuple[Any, ...]:
    with session_scope(admin=True) as s:
        return tuple(
            s.execute(
                text("""SELECT a.code, u.area_id IS NOT DISTINCT FROM t.area_id
                        FROM api_token t LEFT JOIN area a ON a.id = t.area_id
                        LEFT JOIN app_user u ON u.username = 'kiosk-' || t.id
                        WHERE t.id = :i"""),
                {"i": token_id},
            ).one()
        )


def test_token_commands_take_padded_codes_and_the_city(codes) -> None:  # type: ignore[no-untyped-def]
    import re

    for typed, expected in (
        ("441500000000", None),
        (codes["street9"], codes["street"]),
        (codes["county6"] + "000000000", codes["county"]),
    ):
        result = cli("tokens", "add-kiosk", "--area", typed, "--name", "大屏")
        assert result.exit_code == 0, result.output
        token_id = int(re.search(r"#(\d+)", result.output).group(1))  # type: ignore[union-attr]
        assert _token_area(token_id) == (expected, True)
    result = cli(
        "tokens", "add", "--source", "110", "--scope", "layers:read", "--area", codes["county6"]
    )
    assert result.exit_code == 0, result.output
    token_id = int(re.search(r"#(\d+)", result.output).group(1))  # type: ignore[union-attr]
    assert _token_area(token_id)[0] == codes["county"]
    bad = cli("tokens", "add-kiosk", "--area", "44150", "--name", "大屏")
    assert bad.exit_code != 0 and "区域代码“44150”格式不对" in bad.output
    for command in ("add", "add-kiosk"):
        assert "areas list" in cli("tokens", command, "--help").output


# ----------------------------------------------------------------------------- accounts
def test_account_page_and_set_role_take_padded_codes(codes) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.test_users_page import (
        Ids,
        act_body,
        answer,
        make,
        message,
        post,
        seen_for,
    )

    security = signed_in_client("security")
    uid, name, _ = make("commander")

    def save(role: str, area: str) -> str:
        edit = {"role": role, "area": area}
        return message(post(security, act_body(Ids.SAVE, edit=edit, seen=seen_for(security, uid))))

    def scope() -> Any:
        with session_scope(admin=True) as s:
            return s.execute(
                text("""SELECT u.role, a.code FROM app_user u LEFT JOIN area a ON a.id = u.area_id
                        WHERE u.id = :i"""),
                {"i": uid},
            ).one()

    done = t("users.done.change_permissions", "zh-CN", username=name)
    assert save("supervisor", codes["street9"] + "000000") == done
    assert tuple(scope()) == ("supervisor", codes["street"])
    assert save("supervisor", "441500") == t("areas.error.city_for_supervisor", "zh-CN", code=CITY)
    assert save("commander", "441500000000") == done
    assert tuple(scope()) == ("commander", None)
    assert save("grid_worker", codes["grid"].translate(FULL_WIDTH)) == done
    assert tuple(scope()) == ("grid_worker", codes["grid"])
    refused = save("commander", "４４１５")
    assert refused.startswith("区域代码“４４１５”格式不对") and "全市为 441500" in refused
    answer(
        post(security, act_body(Ids.SAVE, edit={"role": "commander"}, seen=seen_for(security, uid)))
    )

    sec_pw = demo_password("security") + "\n"
    args = ["users", "set-role", name, "--role", "supervisor", "--area", codes["county6"]]
    out = cli(*args, "--as", "security", input=sec_pw)
    assert out.exit_code == 0, out.output
    assert tuple(scope()) == ("supervisor", codes["county"])
    assert "areas list" in cli("users", "set-role", "--help").output


# ----------------------------------------------------------------------------- exports
def test_exports_take_the_city_and_padded_codes(codes) -> None:  # type: ignore[no-untyped-def]
    client = signed_in_client("commander")

    def rows(area: str | None) -> list[str]:
        query = "window=365d" + (f"&area={area}" if area is not None else "")
        resp = client.get(f"/export/incidents.csv?{query}")
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        return resp.get_data(as_text=True).splitlines()[1:]

    whole = rows(None)
    assert whole and rows(CITY) == whole and rows("441500000000") == whole
    county = rows(codes["county6"])
    assert county and rows(codes["county"]) == county and len(county) <= len(whole)
    assert rows(codes["street9"]) == rows(codes["street"] + "000")
    bad = client.get("/export/incidents.csv?area=%27%3B%20DROP%20TABLE%20area%3B")
    assert bad.status_code == 400 and "全市为 441500" in bad.get_data(as_text=True)
