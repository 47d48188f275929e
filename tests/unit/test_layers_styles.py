"""Layer style specs, hideouts, the legend and the zoom rules shared with the API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from i18n import CATALOG
from layers import TOGGLES, areas, density, incidents, sites
from layers.common import coords_hook, js
from layers.legend import legend

ROOT = Path(__file__).resolve().parents[2]
JS_SOURCE = (ROOT / "assets" / "js" / "minqing.js").read_text(encoding="utf-8")
HEX = re.compile(r"^#[0-9a-f]{6}$")


def _texts(component: Any) -> list[str]:
    """Every string in a Dash component tree."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [s for c in component for s in _texts(c)]
    children = getattr(component, "children", None)
    return _texts(children) if children is not None else []


def _classes(component: Any) -> list[str]:
    if isinstance(component, list | tuple):
        return [c for x in component for c in _classes(x)]
    own = [getattr(component, "className", "") or ""] if hasattr(component, "className") else []
    children = getattr(component, "children", None)
    return own + (_classes(children) if children is not None else [])


@pytest.mark.parametrize(
    ("zoom", "level", "context"),
    [
        (7, "county", None),
        (9, "county", None),
        (10, "street", "county"),
        (11, "community", "street"),
        (12, "community", "street"),
        (13, "grid", "community"),
        (18, "grid", "community"),
    ],
)
def test_zoom_levels(zoom: int, level: str, context: str | None) -> None:
    assert areas.level_for_zoom(zoom) == level
    assert areas.context_level_for_zoom(zoom) == context


@pytest.mark.parametrize("zoom", range(0, 23))
def test_area_level_rule_matches_the_api(zoom: int) -> None:
    from governance.layers import level_for_zoom

    assert areas.level_for_zoom(zoom) == level_for_zoom(zoom)


def test_line_weights_decrease_down_the_hierarchy() -> None:
    weights = [areas.LEVEL_STYLES[level]["weight"] for level in areas.LEVELS]
    assert weights == sorted(weights, reverse=True) and len(set(weights)) == 4
    for level, style in areas.level_styles().items():
        assert HEX.match(style["color"]) and style["fillColor"] == areas.LAND, level


def test_area_hideout_is_translated_and_carries_the_selection() -> None:
    zh = areas.area_hideout("zh-CN", selected=42)
    en = areas.area_hideout("en")
    assert zh["selected"] == 42 and en["selected"] is None
    assert zh["levels"]["grid"] == "网格" and en["levels"]["grid"] == "Grid"
    assert set(zh["styles"]) == set(areas.LEVELS)


def test_site_hideout_covers_every_type_and_grade() -> None:
    for lang in ("zh-CN", "en"):
        h = sites.site_hideout(lang)
        assert set(h["glyphs"]) == set(h["types"]) == set(sites.SITE_TYPES)
        assert all(len(g) == 1 for g in h["glyphs"].values())
        assert set(h["riskColors"]) == set(h["risks"]) == {"1", "2", "3", "4"}
    assert sites.site_hideout("zh-CN")["glyphs"]["school"] == "学"
    assert all(HEX.match(c) for c in sites.RISK_COLORS.values())


def test_incident_hideout_has_category_names_and_a_count_template() -> None:
    h = incidents.incident_hideout("en", {"safety.fire_hazard": "Fire hazard"})
    assert h["categories"] == {"safety.fire_hazard": "Fire hazard"}
    assert "{n}" in h["clusterTip"] and h["lang"] == "en"
    assert h["statuses"]["closed"] == "Closed"
    assert incidents.SUPERCLUSTER["extent"] == 256  # supercluster pixels = screen pixels


def test_density_classes_and_ranges() -> None:
    assert len(density.COLORS) == density.N_CLASSES == 6
    assert density.class_ranges([21, 56, 130, 253, 569], 1068) == [
        (1, 20),
        (21, 55),
        (56, 129),
        (130, 252),
        (253, 568),
        (569, 1068),
    ]
    assert density.class_ranges([2, 3, 4, 5, 6], None)[-1] == (6, None)


def test_every_js_function_referenced_exists() -> None:
    names = [
        "areaStyle",
        "areaContextStyle",
        "areaEach",
        "areaContextEach",
        "labelPoint",
        "sitePoint",
        "siteFilter",
        "incidentPoint",
        "incidentCluster",
        "densityStyle",
        "coordsGcj02",
    ]
    for name in names:
        assert js(name) == {"variable": f"minqing.map.{name}"}
        assert re.search(rf"\b{name}: \w+,", JS_SOURCE), name
    for name in ["switchLang", "toggleCollapsed", "datesStyle", "densityStats"]:
        assert re.search(rf"\b{name}: function", JS_SOURCE), name


def test_js_never_writes_html_from_data() -> None:
    assert "innerHTML" not in JS_SOURCE and "insertAdjacentHTML" not in JS_SOURCE
    # divIcon html is always a DOM node built with textContent
    assert not re.search(r"html:\s*['\"`]", JS_SOURCE)


def test_every_layer_feature_gets_a_test_selector_class() -> None:
    for cls in [
        "mq-area mq-area-",
        "mq-area-context",
        "mq-label mq-label-",
        "mq-site mq-site-",
        "mq-incident mq-priority-",
        "mq-incident-cluster",
        "mq-hex mq-hex-",
    ]:
        assert cls in JS_SOURCE, cls


def test_gcj02_hook_only_for_gcj02_tiles() -> None:
    assert coords_hook("gcj02") == {"coordsToLatLng": js("coordsGcj02")}
    assert coords_hook("wgs84") == {} and coords_hook(None) == {}
    layer = areas.areas_layer("x", "zh-CN", "gcj02")
    assert layer.coordsToLatLng == js("coordsGcj02")
    assert not hasattr(areas.areas_layer("x", "zh-CN", None), "coordsToLatLng")


def test_layers_start_without_url_and_areas_use_geobuf() -> None:
    built = [
        areas.areas_layer("a", "en"),
        areas.context_layer("c", "en"),
        areas.labels_layer("l"),
        sites.sites_layer("s", "en"),
        incidents.incidents_layer("i", "en", {}),
        density.density_layer("d"),
    ]
    assert all(getattr(layer, "url", None) is None for layer in built)
    assert built[0].format == built[1].format == "geobuf"
    assert built[4].cluster is True


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_legend_sections_follow_visible_layers(lang: str) -> None:
    stats = {"res": 8, "max": 300, "total": 5000, "breaks": [3, 8, 20, 60, 150], "truncated": True}
    full = legend(lang, TOGGLES, stats, coverage_allowed=True)
    classes = " ".join(_classes(full))
    for (
        key
    ) in TOGGLES:  # the emerging hot spots have their own (tests/unit/test_layers_emerging.py)
        assert key == "emerging" or f"mq-legend-{key}" in classes
    for k in range(6):
        assert f"mq-legend-class-{k}" in classes
    text = " ".join(_texts(full))
    assert "150" in text and "300" in text and "5000" in text and "8" in text
    assert " ".join(_texts(legend(lang, ["areas"], None))).count("—") == 0
    assert "mq-legend-coverage" not in " ".join(_classes(legend(lang, TOGGLES, stats)))
    only_density = legend(lang, ["density"], None)
    assert len(only_density) == 1 and "mq-legend-density" in " ".join(_classes(only_density))


def test_ui_messages_have_both_languages() -> None:
    from i18n.messages_ui import UI

    for key, entry in UI.items():
        assert set(entry) == {"zh-CN", "en"} and all(entry.values()), key
        assert key.split(".")[0] in {"map", "layer", "filter", "panel", "legend", "lang", "nav"}, (
            key
        )
    assert all(key in CATALOG for key in UI)
