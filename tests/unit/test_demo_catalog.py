"""Static catalogues and text helpers of the demo city."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from geodata.demo.catalog import (
    CARE_GROUPS,
    DEPARTMENTS,
    LEAF_CODES,
    PERSON_MIX,
    SITE_MIX,
    category_rows,
    cn_number,
    stem,
)
from geodata.demo.rhythms import HOURLY, SOURCE_SHARE, SOURCES, WEEKLY, Calendar, mix_matrix
from geodata.demo.sites_persons import id_number
from geodata.demo.texts import BODIES, SOURCE_PREFIX
from geodata.models import IncidentSource, PersonCategory, SiteType


def test_departments_and_categories() -> None:
    assert len(DEPARTMENTS) == 14
    assert len({d[0] for d in DEPARTMENTS}) == 14
    rows = category_rows({code: i for i, (code, *_) in enumerate(DEPARTMENTS, start=1)})
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes))
    groups = [r for r in rows if r[1] is None]
    leaves = [r for r in rows if r[1] is not None]
    assert 6 <= len(groups) <= 8 and 23 <= len(leaves) <= 31
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", r[0]) for r in leaves)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", r[4]) for r in rows)
    assert len({r[4] for r in leaves}) == len(leaves)  # distinct leaf colours
    assert all(1 <= r[5] <= 4 and r[6] is not None for r in leaves)
    # the generated incidents draw from LEAF_CODES; the care categories only patrol findings
    care = [leaf.code for *_, group in CARE_GROUPS for leaf in group]
    assert [r[0] for r in leaves] == LEAF_CODES + care


def test_mixes_cover_every_enum_value() -> None:
    assert set(SITE_MIX) == set(SiteType)
    assert set(PERSON_MIX) == set(PersonCategory)
    assert sum(v[0] for v in PERSON_MIX.values()) == 1000
    assert 1900 <= sum(v[0] for v in SITE_MIX.values()) <= 2100
    # every channel but patrol findings (the demo's patrol history raises those)
    assert SOURCES == [s.value for s in IncidentSource if s is not IncidentSource.PATROL]
    assert abs(sum(SOURCE_SHARE.values()) - 1) < 1e-9
    m = mix_matrix()
    assert m.shape == (len(SOURCES), len(LEAF_CODES)) and np.allclose(m.sum(axis=1), 1)
    assert set(BODIES) == set(LEAF_CODES) and set(SOURCE_PREFIX) == set(SOURCES)
    assert all(len(HOURLY[s]) == 24 and len(WEEKLY[s]) == 7 for s in SOURCES)


def test_office_hours_peak() -> None:
    h = HOURLY["hotline_12345"]
    assert h[10] > 3 * h[3] and h[15] > 3 * h[3]
    assert HOURLY["police_110"][21] > HOURLY["police_110"][10]


def test_calendar_local_time() -> None:
    from datetime import UTC, datetime

    cal = Calendar(datetime(2026, 1, 8, 0, tzinfo=UTC))
    assert cal.n_hours == 365 * 24
    # the window starts 2025-01-08 00:00 UTC = 08:00 Wednesday local
    assert cal.local_hour[0] == 8 and cal.weekday[0] == 2
    start = cal.episode_start(10, 1, 7)
    assert start is not None and cal.local_hour[start] == 0


def test_id_numbers_are_fake_and_well_formed() -> None:
    n = id_number("123", date(1950, 3, 9), 7)
    assert len(n) == 18 and n.startswith("990123") and n[6:14] == "19500309"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(n[:17], weights, strict=True))
    assert n[17] == "10X98765432"[total % 11]


def test_names() -> None:
    assert [cn_number(i) for i in (1, 10, 12, 20, 35)] == ["一", "十", "十二", "二十", "三十五"]
    assert stem("香洲街道") == "香洲" and stem("海城镇") == "海城"
