"""The one input normaliser (governance/inputs.py): every value from outside either
comes out clean or is refused as InvalidInput; nothing else ever escapes it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import inputs
from governance.errors import InvalidInput

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.one_of(st.text(), JSONISH), st.booleans())
def test_text_is_clean_or_refused(value: object, multiline: bool) -> None:
    try:
        out = inputs.text(value, "f", max_len=50, multiline=multiline)
    except InvalidInput:
        return
    assert out is None or (isinstance(out, str) and 0 < len(out) <= 50)
    if out is not None:
        out.encode("utf-8")  # no lone surrogate
        assert not inputs.has_control(out, multiline=multiline)
        assert out == out.strip()


@pytest.mark.parametrize(
    "bad",
    ["a\ud800b", "x\x00y", "tab\there", "\x1b[31m", "\u009b", 5, [], {"a": 1}],
)
def test_single_line_text_refuses(bad: object) -> None:
    with pytest.raises(InvalidInput):
        inputs.text(bad, "f", max_len=50)


def test_text_keeps_line_breaks_only_when_multiline_and_drops_direction_controls() -> None:
    assert inputs.text("第一行\n第二行", "f", max_len=50, multiline=True) == "第一行\n第二行"
    with pytest.raises(InvalidInput):
        inputs.text("第一行\n第二行", "f", max_len=50)
    assert inputs.text("invoice\u202egpj.exe", "f", max_len=50) == "invoicegpj.exe"
    assert inputs.file_name("../../etc/\u202epasswd") == "passwd"
    assert inputs.file_name("..") == "file"


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none()))
def test_integer_is_ascii_and_in_range_or_refused(value: object) -> None:
    try:
        out = inputs.integer(value, "n", lo=-100, hi=100)
    except InvalidInput:
        return
    assert isinstance(out, int) and not isinstance(out, bool) and -100 <= out <= 100


@pytest.mark.parametrize("bad", ["²", "١٢", "12.5", "1e3", "", " ", True, 2.5, "9" * 400, None])
def test_integer_refuses(bad: object) -> None:
    with pytest.raises(InvalidInput):
        inputs.integer(bad, "n", lo=0, hi=10**12)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans()))
def test_number_is_finite_and_in_range_or_refused(value: object) -> None:
    try:
        out = inputs.number(value, "x", lo=-180, hi=180)
    except InvalidInput:
        return
    assert isinstance(out, float) and -180 <= out <= 180


@pytest.mark.parametrize("bad", ["9999-12-31", "0001-01-01", "2026-02-30", "２０２６-01-01", 7])
def test_day_is_bounded(bad: object) -> None:
    with pytest.raises(InvalidInput):
        inputs.day(bad, "d")
    assert inputs.day("2026-12-06", "d") == date(2026, 12, 6)


@given(JSONISH)
def test_json_round_trips_what_it_accepts(doc: object) -> None:
    raw = json.dumps(doc)
    try:
        back = inputs.read_json(raw.encode(), max_bytes=10**6)
    except inputs.JSONRefused:
        return
    assert json.dumps(back) == raw


@given(st.binary(max_size=200))
def test_json_reader_never_raises_anything_else(raw: bytes) -> None:
    try:
        inputs.read_json(raw, max_bytes=10**6)
    except inputs.JSONRefused as err:
        assert isinstance(err.error, InvalidInput)


@settings(max_examples=20)
@given(st.integers(min_value=33, max_value=200_000))
def test_json_depth_is_bounded(depth: int) -> None:
    with pytest.raises(inputs.JSONRefused):
        inputs.read_json(("[" * depth + "]" * depth).encode(), max_bytes=10**6)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": "\\ud800"}',
        b'{"\\udfff": 1}',
        b"1" * 5000,
        b'{"n": ' + b"9" * 41 + b"}",
        b"\xff\xfe",
        b"",
        b"   ",
    ],
)
def test_json_refuses_hostile_documents(raw: bytes) -> None:
    with pytest.raises(inputs.JSONRefused):
        inputs.read_json(raw, max_bytes=10**6)
    with pytest.raises(inputs.JSONRefused):
        inputs.read_json(b"[" + b"0," * 600_000 + b"0]", max_bytes=10**6)
