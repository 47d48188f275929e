"""Parsing of shared filters: every bad value is an InvalidInput with a catalog key."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ, parse_bbox, parse_list, parse_time, parse_zoom
from governance.layers import class_breaks, class_of, label_levels_for_zoom, level_for_zoom

NOW = datetime(2026, 11, 28, 15, 30, tzinfo=LOCAL_TZ)


def test_bbox_ok() -> None:
    assert parse_bbox("115,22.5,116,23.5").as_tuple() == (115, 22.5, 116, 23.5)


@pytest.mark.parametrize("raw", [None, "", "1,2,3", "1,2,3,4,5", "a,b,c,d"])
def test_bbox_malformed(raw: str | None) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_bbox(raw)
    assert e.value.key == "error.bbox_format"


@pytest.mark.parametrize(
    "raw", ["116,22,115,23", "115,23,116,22", "-181,0,0,1", "0,-91,1,0", "inf,0,1,1", "1,1,1,2"]
)
def test_bbox_out_of_range(raw: str) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_bbox(raw)
    assert e.value.key == "error.bbox_range"


@pytest.mark.parametrize("raw", [None, "", "x", "-0.5", "22.5", "nan"])
def test_zoom_invalid(raw: str | None) -> None:
    with pytest.raises(InvalidInput):
        parse_zoom(raw)


def test_time_windows() -> None:
    assert parse_time("7d", now=NOW).start == NOW - timedelta(days=7)
    today = parse_time("today", now=NOW)
    assert today.start == datetime(2026, 11, 28, tzinfo=LOCAL_TZ) and today.end == NOW
    custom = parse_time(None, "2026-11-01", "2026-11-01", now=NOW)
    assert custom.end - custom.start == timedelta(days=1)  # end day is inclusive
    with pytest.raises(InvalidInput) as e:
        parse_time(None, "2026-11-02", "2026-11-01", now=NOW)
    assert e.value.key == "error.time_inverted"
    with pytest.raises(InvalidInput):
        parse_time("forever", now=NOW)


def test_parse_list() -> None:
    assert parse_list("b,a,,a") == ("a", "b")
    assert parse_list("") is None and parse_list(None) is None


def test_levels_by_zoom() -> None:
    assert [level_for_zoom(z) for z in (5, 9, 10, 11, 12, 13, 18)] == [
        "county",
        "county",
        "street",
        "community",
        "community",
        "grid",
        "grid",
    ]
    assert label_levels_for_zoom(8) == ["county"]
    assert label_levels_for_zoom(13) == ["community", "grid"]


def test_class_breaks_increase_and_classify() -> None:
    counts = list(range(1, 200)) + [1] * 300
    breaks = class_breaks(counts)
    assert len(breaks) == 5 and breaks == sorted(set(breaks))
    assert class_of(1, breaks) == 0 and class_of(10_000, breaks) == 5
    assert class_breaks([]) == [1, 2, 3, 4, 5]
    assert class_breaks([1, 1, 1]) == sorted(set(class_breaks([1, 1, 1])))
