"""Pure helpers: CRS conversions, H3 cells, masking, the message catalog."""

from __future__ import annotations

import math

import h3
import pytest

from geodata import crs
from geodata.hexagons import cells_for_points, resolution_for_zoom
from governance.masking import mask_id_number, mask_name, mask_phone
from i18n import CATALOG, t


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[1] - a[1])
    dlon = math.radians(b[0] - a[0]) * math.cos(math.radians(a[1]))
    return 6_371_000 * math.hypot(dlat, dlon)


@pytest.mark.parametrize("pt", [(115.3475, 22.78199), (115.64204, 22.94593), (116.07, 22.88)])
def test_gcj02_and_bd09_round_trip(pt: tuple[float, float]) -> None:
    g = crs.from_wgs84(*pt, "gcj02")
    assert 100 < metres(pt, g) < 1000  # the GCJ-02 offset in Guangdong is a few hundred m
    assert metres(pt, crs.to_wgs84(*g, "gcj02")) < 0.05
    b = crs.from_wgs84(*pt, "bd09")
    assert metres(pt, crs.to_wgs84(*b, "bd09")) < 0.5
    assert crs.to_wgs84(*pt, "cgcs2000") == pt


def test_unknown_crs_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown CRS"):
        crs.to_wgs84(115, 22, "mars")


def test_cells_match_h3_at_every_resolution() -> None:
    lats, lons = [22.78, 22.95, 23.3], [115.34, 115.64, 115.65]
    cells = cells_for_points(lats, lons)
    for res, arr in cells.items():
        for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
            assert int(arr[i]) == h3.str_to_int(h3.latlng_to_cell(lat, lon, res))
            assert int(arr[i]) < 2**63


def test_resolution_follows_zoom() -> None:
    assert [resolution_for_zoom(z) for z in (3, 9, 10, 11, 12, 13, 14, 15, 19)] == [
        6,
        6,
        7,
        8,
        8,
        9,
        9,
        10,
        10,
    ]


def test_masking() -> None:
    assert mask_name("张三") == "张*" and mask_name("欧阳小明") == "欧**明"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("110101199001011234") == "110***********1234"


def test_catalog_complete_and_formatted() -> None:
    for key, entry in CATALOG.items():
        assert entry.get("zh-CN") and entry.get("en"), key
    assert (
        t("error.unknown_layer", "en", layer="x", choices="a") == "Unknown layer 'x'; available: a"
    )
    assert t("level.grid", "zh-CN") == "网格"


def test_contacts_in_free_text_are_redacted() -> None:
    from governance.masking import redact_contacts

    text = "居民王先生（电话13812345678，身份证44150219800101123X）反映，座机0660-3312345也打不通"
    out = redact_contacts(text) or ""
    assert "13812345678" not in out and "138****5678" in out
    assert "44150219800101123X" not in out and "441***********123X" in out
    assert "3312345" not in out and out.startswith("居民王先生")
    assert redact_contacts("路灯 3 盏不亮，编号 20240101") == "路灯 3 盏不亮，编号 20240101"
    assert redact_contacts("+86 138-1234-5678") == "+86 138-****-5678"  # separators kept
    assert redact_contacts(None) is None and redact_contacts("") == ""
