"""GB 11643 ID numbers: the check character, the date of birth, what Excel does to them,
and errors that never carry the number."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import id_numbers
from governance.id_numbers import IdNumberError, check_char, validate

# The standard's own example (GB 11643-1999, appendix): 11010519491231002X.
EXAMPLE = "11010519491231002X"


def _with_check(body: str) -> str:
    return body + check_char(body)


def test_the_standards_example_is_valid() -> None:
    assert check_char(EXAMPLE[:17]) == "X"
    assert validate(EXAMPLE) == EXAMPLE


def test_known_check_digits() -> None:
    # 4*7+4*9+0*10+5*5+2*8+4*4+1*2+9*1+8*6+0*3+0*7+1*9+0*10+1*5+0*8+0*4+1*2 = 196;
    # 196 mod 11 = 9 -> "3"
    assert check_char("44052419800101001") == "3"
    assert validate("440524198001010013") == "440524198001010013"


def test_lower_case_x_full_width_and_spaces_are_normalised() -> None:
    assert validate(EXAMPLE.lower()) == EXAMPLE
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in EXAMPLE)
    assert validate(full_width) == EXAMPLE
    assert validate("110105 19491231 002X") == EXAMPLE


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("1.2E+17", "registry.id.excel"),
        ("4.41521199001011E+17", "registry.id.excel"),
        ("4.41521199001011e+17", "registry.id.excel"),
        ("４.４１５２１Ｅ＋１７", "registry.id.excel"),
        ("11010519491231002", "registry.id.length"),
        ("11010519491231002XX", "registry.id.length"),
        ("1101051949123100AX", "registry.id.chars"),
        ("11010519491331002X", "registry.id.birth"),  # month 13
        ("11010519490230002X", "registry.id.birth"),  # 30 February
        ("110105189912310021", "registry.id.birth"),  # before 1900
        ("110105194912310021", "registry.id.check"),
    ],
)
def test_bad_numbers_name_the_problem(raw: str, key: str) -> None:
    with pytest.raises(IdNumberError) as err:
        validate(raw)
    assert err.value.key == key
    assert raw not in str(err.value) and raw not in repr(err.value)


def test_a_birth_date_in_the_future_is_refused() -> None:
    number = _with_check("44052420300101001")
    with pytest.raises(IdNumberError) as err:
        validate(number, today=date(2026, 1, 1))
    assert err.value.key == "registry.id.birth"


@given(
    region=st.integers(110000, 659999),
    birth=st.dates(date(1900, 1, 1), date(2020, 12, 31)),
    seq=st.integers(0, 999),
    wrong=st.integers(1, 10),
)
def test_one_wrong_check_character_is_always_caught(
    region: int, birth: date, seq: int, wrong: int
) -> None:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    good = _with_check(body)
    assert validate(good) == good
    chars = id_numbers.CHECK_CHARS
    bad = body + chars[(chars.index(good[-1]) + wrong) % 11]
    with pytest.raises(IdNumberError):
        validate(bad)


@given(st.text(max_size=40))
def test_any_text_is_valid_or_an_id_number_error(raw: str) -> None:
    try:
        validate(raw)
    except IdNumberError as err:
        assert err.key.startswith("registry.id.")
