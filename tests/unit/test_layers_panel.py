"""The side panel builders, the click -> selection rule and the page assembly (no database)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import dash_leaflet as dl
import pytest

from callbacks.map_panel import selection_from_click
from layers.urls import LayerFilters
from pages import map_panel as panel
from pages.map_ids import MapIds

CRUMBS = [
    {"id": 1, "name": "城区", "level": "county", "level_label": "县（区）"},
    {"id": 5, "name": "香洲街道", "level": "street", "level_label": "街道（镇）"},
    {"id": 50, "name": "香洲社区", "level": "community", "level_label": "社区（村）"},
    {"id": 705, "name": "<b>第一网格</b>", "level": "grid", "level_label": "网格"},
]
SUMMARY: dict[str, Any] = {
    "area": {
        "id": 705,
        "code": "441502001001001",
        "name": "<b>第一网格</b>",
        "level": "grid",
        "level_label": "网格",
        "bbox": [115.36, 22.78, 115.37, 22.79],
        "population": 1372,
        "worker_name": "张秀晓",
        "worker_phone": "199****0001",
    },
    "breadcrumb": CRUMBS,
    "children": 0,
    "total": 5,
    "by_category": [
        {"code": "a", "name": "邻里纠纷", "color": "#8f1dc9", "count": 3},
        {"code": "b", "name": "占道经营", "color": "#933410", "count": 2},
    ],
    "by_status": [{"status": "closed", "label": "已结案", "count": 5}],
    "trend": {"dates": ["2026-11-01", "2026-11-02"], "counts": [2, 3]},
    "sites": [
        {
            "id": 9,
            "name": "幸福路1号出租屋",
            "site_type": "rental_housing",
            "type_label": "出租屋",
            "risk_grade": 4,
            "risk_label": "重大风险",
        }
    ],
    "sites_total": 3,
}


def _walk(component: Any) -> list[Any]:
    if isinstance(component, list | tuple):
        return [c for x in component for c in _walk(x)]
    if component is None or isinstance(component, str | int | float):
        return []
    children = getattr(component, "children", None)
    return [component, *(_walk(children) if children is not None else [])]


def _texts(component: Any) -> str:
    out = []
    for c in _walk(component):
        ch = getattr(c, "children", None)
        if isinstance(ch, str | int):
            out.append(str(ch))
        elif isinstance(ch, list):
            out.extend(str(x) for x in ch if isinstance(x, str | int))
    return " ".join(out)


def test_area_panel_has_breadcrumb_buttons_with_pattern_ids() -> None:
    body = panel.area_panel(SUMMARY, LayerFilters(window="7d"), "zh-CN")
    crumbs = [c for c in _walk(body) if isinstance(getattr(c, "id", None), dict)]
    assert [c.id for c in crumbs] == [MapIds.crumb(i) for i in (1, 5, 50, 705)]
    assert "mq-crumb-current" in crumbs[-1].className
    assert "mq-crumb-community" in crumbs[2].className
    text = _texts(body)
    assert "近7天" in text and "1,372" in text and "199****0001" in text and "邻里纠纷" in text


def test_data_is_text_not_markup() -> None:
    body = panel.area_panel(SUMMARY, LayerFilters(), "en")
    # the name arrives as a plain string child; Dash renders it as text
    assert "<b>第一网格</b>" in _texts(body)
    assert not any(getattr(c, "dangerously_allow_html", False) for c in _walk(body))


def test_area_panel_without_incidents_or_sites() -> None:
    empty = {
        **SUMMARY,
        "by_category": [],
        "by_status": [],
        "sites": [],
        "sites_total": 0,
        "trend": {"dates": [], "counts": []},
        "total": 0,
    }
    assert "None" in _texts(panel.area_panel(empty, LayerFilters(), "en"))


def test_sites_list_notes_truncation() -> None:
    assert "3 in total" in _texts(panel.site_list(SUMMARY["sites"], 3, "en"))


def test_period_label_for_custom_range() -> None:
    f = LayerFilters.from_inputs("custom", "2026-01-01", "2026-01-31", None, None)
    assert panel.period_label(f, "en") == "2026-01-01 to 2026-01-31"


def test_incident_and_site_panels() -> None:
    detail = {
        "id": 1,
        "source": "grid",
        "source_label": "网格上报",
        "external_id": "x-1",
        "category_code": "dispute.neighbour",
        "category_name": "邻里纠纷",
        "color": "#541093",
        "occurred_at": "2026-11-06 19:27",
        "reported_at": "2026-11-06 20:18",
        "status": "closed",
        "status_label": "已结案",
        "priority": 3,
        "priority_label": "一般",
        "description": "漏水",
        "address": "幸福路61号",
        "lon": 115.3,
        "lat": 22.8,
        "breadcrumb": CRUMBS,
    }
    text = _texts(panel.incident_panel(detail, "zh-CN"))
    assert "邻里纠纷" in text and "2026-11-06 19:27" in text and "幸福路61号" in text
    site = _texts(
        panel.site_panel({"id": 9, "name": "某市场", "site_type": "market", "risk_grade": 3}, "en")
    )
    assert "Market" in site and "High risk" in site


@pytest.mark.parametrize(
    ("trigger", "value", "expected"),
    [
        (
            MapIds.LAYER_AREAS,
            {"properties": {"id": 7, "level": "grid"}},
            {"kind": "area", "id": 7, "fit": True},
        ),
        (
            MapIds.LAYER_INCIDENTS,
            {"properties": {"id": 3, "cluster": False}},
            {"kind": "incident", "id": 3},
        ),
        (MapIds.LAYER_INCIDENTS, {"properties": {"cluster": True, "count": 40}}, None),
        (MapIds.LAYER_INCIDENTS, {"properties": {"cluster": True, "cluster_id": 9}}, None),
        ({"type": MapIds.CRUMB_TYPE, "area": 50}, 1, {"kind": "area", "id": 50, "fit": True}),
        ({"type": MapIds.CRUMB_TYPE, "area": 50}, None, None),  # a new crumb rendered, not clicked
        (MapIds.LAYER_AREAS, None, None),
        # hand-made clicks: whatever JSON arrives selects nothing rather than failing
        (MapIds.LAYER_AREAS, {"properties": {"id": "7; DROP TABLE area"}}, None),
        (MapIds.LAYER_INCIDENTS, {"properties": {"id": [1]}}, None),
        (MapIds.LAYER_SITES, {"properties": {"id": 10**30}}, None),
        (MapIds.LAYER_SITES, {"properties": {"id": True}}, None),
        (MapIds.LAYER_AREAS, {"properties": "x"}, None),
        (MapIds.LAYER_AREAS, ["not", "a", "dict"], None),
        ({"type": MapIds.CRUMB_TYPE, "area": {"x": 1}}, 1, None),
        (MapIds.LAYER_AREAS, {"properties": {"id": "12"}}, {"kind": "area", "id": 12, "fit": True}),
        # the list of what is in view: an area fits, a site or a case flies there
        (MapIds.view_item("area", 4), 1, {"kind": "area", "id": 4, "fit": True}),
        (MapIds.view_item("site", 5), 1, {"kind": "site", "id": 5, "fly": True}),
        (MapIds.view_item("incident", 6), 2, {"kind": "incident", "id": 6, "fly": True}),
        (MapIds.view_item("incident", 6), 0, None),  # drawn, not clicked
        (MapIds.view_item("person", 6), 1, {"kind": "person", "id": 6}),
        ({"type": MapIds.VIEW_ITEM_TYPE, "kind": "reporter", "id": 6}, 1, None),
        ({"type": MapIds.VIEW_ITEM_TYPE, "kind": "area", "id": "x"}, 1, None),
    ],
)
def test_selection_from_click(trigger: Any, value: Any, expected: dict | None) -> None:
    assert selection_from_click(trigger, value) == expected


def test_site_selection_keeps_its_properties() -> None:
    sel = selection_from_click(
        MapIds.LAYER_SITES,
        {
            "properties": {
                "id": 4,
                "name": "学校",
                "site_type": "school",
                "risk_grade": 2,
                "cluster": False,
            }
        },
    )
    assert sel == {
        "kind": "site",
        "id": 4,
        "props": {"id": 4, "name": "学校", "site_type": "school", "risk_grade": 2},
    }


def _layers(m: dl.Map) -> list[Any]:
    return [c for c in _walk(m.children) if isinstance(c, dl.GeoJSON)]


def _page() -> Any:
    """pages/map.py as Dash imported it (register_page needs the app to exist first)."""
    from app import app  # noqa: F401  (builds the Dash app: app.py creates it lazily)

    return sys.modules.get("pages.map") or importlib.import_module("pages.map")


def test_offline_map_has_no_tile_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page()

    monkeypatch.setattr(page, "get_settings", lambda: _settings(None, "wgs84"))
    m = page.leaflet_map("zh-CN", [115.0, 22.6, 116.2, 23.5], {})
    assert not any(isinstance(c, dl.TileLayer) for c in _walk(m.children))
    assert "mq-map-offline" in m.className and len(_layers(m)) == 11  # 9 + playback
    assert m.bounds == [[22.6, 115.0], [23.5, 116.2]] and m.trackViewport is True


def test_gcj02_tiles_shift_every_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page()

    monkeypatch.setattr(
        page, "get_settings", lambda: _settings("https://t/{z}/{x}/{y}.png", "gcj02")
    )
    m = page.leaflet_map("en", [115.0, 22.6, 116.2, 23.5], {})
    tiles = [c for c in _walk(m.children) if isinstance(c, dl.TileLayer)]
    assert len(tiles) == 1 and tiles[0].url == "https://t/{z}/{x}/{y}.png"
    assert all(
        layer.coordsToLatLng == {"variable": "minqing.map.coordsGcj02"} for layer in _layers(m)
    )


def _settings(tile_url: str | None, crs: str) -> Any:
    from settings import Settings

    return Settings(tile_url=tile_url, tile_crs=crs, tile_attribution="© test")  # type: ignore[arg-type]
