"""The area-code resolver's pure parts: cleaning a typed code, the stored codes it may stand
for, the city's code in any padding, and the messages (governance/area_codes.py)."""

from __future__ import annotations

import pytest

from governance import area_codes
from governance.errors import InvalidInput
from i18n import t
from settings import get_settings


@pytest.fixture(autouse=True)
def _city(monkeypatch: pytest.MonkeyPatch) -> None:
    """The city's code from the setting, so no test here reads the database."""
    monkeypatch.setattr(get_settings(), "city_code", "441500")


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("441502", "441502"),
        ("  441502001  ", "441502001"),
        ("\u3000441502001001\u3000", "441502001001"),  # ideographic spaces
        ("４４１５００", "441500"),  # full-width digits
        ("４４１５０２００１００１００１", "441502001001001"),
        (441500, "441500"),  # a JSON number from a hand-made request
        ("\u202e441502", "441502"),  # direction controls are dropped (governance/inputs.py)
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_normalise_accepts_codes_as_typed(typed: object, digits: str | None) -> None:
    assert area_codes.normalise(typed) == digits


@pytest.mark.parametrize(
    "typed",
    [
        "4415",  # too short
        "4415021",  # 7 digits: no level
        "4" * 16,
        "4" * 1000,  # too long
        "12ab",
        "441 502",  # a space inside
        "٤٤١٥٠٠",  # Arabic-Indic digits
        "441502²",
        "-441502",
        "'; DROP TABLE area; --",
        "<script>alert(1)</script>",
        "441502\x00",
        "\ud800441502",  # a lone surrogate
        True,
        -441500,
        4.415e5,
        ["441502"],
        {"code": "441502"},
    ],
)
def test_normalise_refuses_anything_else_with_the_codes_that_exist(typed: object) -> None:
    with pytest.raises(InvalidInput) as err:
        area_codes.normalise(typed)
    assert err.value.key == "areas.error.malformed"
    shown = err.value.params["value"]
    assert isinstance(shown, str) and len(shown) <= area_codes.MAX_SHOWN
    assert all(c.isprintable() for c in shown)
    zh, en = err.value.user_message("zh-CN"), err.value.user_message("en")
    assert "6 位（区县）" in zh and "全市为 441500" in zh and "areas list" in zh
    assert "6 (county), 9 (street/town), 12 (community) or 15 (grid)" in en
    assert "the city is 441500" in en


def test_the_city_in_any_padding_and_the_stored_codes_a_code_may_stand_for() -> None:
    for typed in ("441500", "441500000", "441500000000", "441500000000000"):
        assert area_codes._significant(typed) == "441500"
    assert area_codes._significant("441502001000") == "441502001"
    assert area_codes._significant("441502001001001") == "441502001001001"
    assert area_codes._candidates("441502") == ["441502000000"]
    assert area_codes._candidates("441502001") == ["441502001000"]
    assert area_codes._candidates("441502001001") == ["441502001001"]
    assert area_codes._candidates("441502001001000") == ["441502001001000", "441502001001"]
    assert area_codes._candidates("441502001001002") == ["441502001001002"]


def test_picker_options_are_found_by_every_form_of_their_code() -> None:
    options = [
        {"label": "全市", "value": ""},
        {"label": "城区", "value": "441502000000"},
        {"label": "· 香洲街道", "value": "441502001000"},
    ]
    city, county, street = area_codes.searchable(options)
    assert city["search"] == "全市 441500 441500000000" and city["value"] == ""
    assert county["search"] == "城区 441502 441502000000"
    assert street["search"] == "香洲街道 441502001 441502001000"
    assert street["label"] == "· 香洲街道"


def test_messages_in_both_languages() -> None:
    for key in ("unknown", "malformed"):
        for lang in ("zh-CN", "en"):
            full = t(f"areas.error.{key}", lang, value="4415", city="441500")
            assert "4415" in full and "441500" in full
            assert "{" not in t(f"areas.error.{key}_no_city", lang, value="4415")
    assert "网格" in t("areas.error.city_for_grid_worker", "zh-CN", code="441500")
    assert "supervisor" in t("areas.error.city_for_supervisor", "en", code="441500")
