"""The key-persons layer (layers/persons.py), its legend, switch and side panel (no database)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from callbacks.map_panel import selection_from_click
from geodata.models import PersonCategory, Role
from governance.access import Principal
from governance.persons import MIN_REASON
from layers import DEFAULT_ON, TOGGLES, persons
from layers.common import Panes, js
from layers.legend import legend
from layers.urls import LayerFilters
from layers.view import view_urls
from pages import map_person
from pages.map_controls import layer_switches, persons_mode
from pages.map_ids import MapIds
from pages.reveal_dialog import RevealDialog

ROOT = Path(__file__).resolve().parents[2]
JS_SOURCE = (ROOT / "assets" / "js" / "minqing.js").read_text(encoding="utf-8")
HEX = re.compile(r"^#[0-9a-f]{6}$")
BOUNDS = [[22.76, 115.31], [22.83, 115.43]]
IDENTITY_KEYS = ("full_name", "id_number", "phone", "address")

MASKED: dict[str, Any] = {
    "id": 17,
    "category": "elderly_alone",
    "category_label": "独居老人",
    "care_level": 3,
    "masked": True,
    "full_name": "陈***）",
    "id_number": "990***********123X",
    "phone": "199****0017",
    "address": "香洲社区***",
    "can_reveal": True,
    "breadcrumb": [
        {"id": 1, "name": "城区", "level": "county", "level_label": "县（区）"},
        {"id": 705, "name": "第一网格", "level": "grid", "level_label": "网格"},
    ],
}
CLEAR = {
    **MASKED,
    "masked": False,
    "full_name": "陈志伟（演示）",
    "id_number": "990001193201011234",
    "phone": "19900050017",
    "address": "幸福路1号",
}


def _walk(component: Any) -> list[Any]:
    if isinstance(component, list | tuple):
        return [c for x in component for c in _walk(x)]
    if component is None or isinstance(component, str | int | float):
        return []
    children = getattr(component, "children", None)
    return [component, *(_walk(children) if children is not None else [])]


def _texts(component: Any) -> str:
    out: list[str] = []
    for c in _walk(component):
        ch = getattr(c, "children", None)
        if isinstance(ch, str | int):
            out.append(str(ch))
        elif isinstance(ch, list):
            out.extend(str(x) for x in ch if isinstance(x, str | int))
    return " ".join(out)


def _classes(component: Any) -> str:
    return " ".join(str(getattr(c, "className", "") or "") for c in _walk(component))


def _principal(role: str) -> Principal:
    return Principal(user_id=1, username="u", display_name="U", role=role)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# ----------------------------------------------------------------------------- the layer
def test_categories_follow_the_model_and_have_colours() -> None:
    assert set(persons.CATEGORIES) == {c.value for c in PersonCategory}
    assert set(persons.CATEGORY_COLORS) == set(persons.CATEGORIES)
    colours = list(persons.CATEGORY_COLORS.values())
    assert all(HEX.match(c) for c in colours) and len(set(colours)) == len(colours)
    assert HEX.match(persons.COUNT_COLOR)


@pytest.mark.parametrize(
    ("points", "counts", "mode"),
    [
        (True, True, "points"),
        (True, False, "points"),
        (False, True, "counts"),
        (False, False, None),
    ],
)
def test_mode_for_capabilities(points: bool, counts: bool, mode: str | None) -> None:
    assert persons.mode_for(points, counts) == mode


@pytest.mark.parametrize(
    ("role", "mode"),
    [
        (Role.SUPERVISOR, "points"),
        (Role.GRID_WORKER, "points"),
        (Role.COMMANDER, "counts"),
        (Role.DEPT_STAFF, None),
        (Role.SYSADMIN, None),
        (Role.AUDITOR, None),
        (Role.WALL, None),
    ],
)
def test_persons_mode_by_role(role: str, mode: str | None) -> None:
    assert persons_mode(_principal(role)) == mode


def test_no_principal_no_persons() -> None:
    assert persons_mode(None) is None


def test_persons_url_by_mode() -> None:
    bbox = (115.0, 22.5, 116.0, 23.5)
    points = persons.persons_url(bbox, 14, "points")
    counts = persons.persons_url(bbox, 14, "counts")
    assert points and points.startswith("/api/v1/layers/persons?")
    assert _query(points) == {"bbox": "115,22.5,116,23.5", "z": "14"}
    assert counts and _query(counts)["mode"] == "counts"
    assert persons.persons_url(bbox, 14, None) is None
    assert persons.persons_url(bbox, 14, "everything") is None


def test_view_urls_feed_persons_only_when_on_and_permitted() -> None:
    on = ["areas", "persons"]
    assert view_urls(BOUNDS, 13, LayerFilters(), on).persons is None  # no mode: nothing
    assert view_urls(BOUNDS, 13, LayerFilters(), ["areas"], persons_mode="points").persons is None
    url = view_urls(BOUNDS, 13, LayerFilters(), on, persons_mode="counts").persons
    assert url and _query(url)["mode"] == "counts"
    urls = view_urls(BOUNDS, 13, LayerFilters(), on, persons_mode="points")
    assert len(urls.as_tuple()) == 8 and urls.as_tuple()[-2] == urls.persons
    # filters of the incident layers do not change the persons URL
    other = view_urls(BOUNDS, 13, LayerFilters(window="7d"), on, persons_mode="points")
    assert other.persons == urls.persons


def test_persons_is_a_toggle_but_off_by_default() -> None:
    assert "persons" in TOGGLES and "persons" not in DEFAULT_ON


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_hideout_is_translated_and_carries_no_personal_data(lang: str) -> None:
    h = persons.person_hideout(lang)
    assert set(h["categories"]) == set(h["colors"]) == set(persons.CATEGORIES)
    assert set(h["care"]) == {"1", "2", "3"} and all(h["care"].values())
    assert "{n}" in h["countTip"] and h["pane"] == Panes.PERSONS and h["lang"] == lang
    assert not set(IDENTITY_KEYS) & set(h)
    zh = persons.person_hideout("zh-CN")
    assert zh["categories"]["elderly_alone"] == "独居老人"
    assert persons.person_hideout("en")["categories"]["elderly_alone"] == "Elderly living alone"


def test_layer_component() -> None:
    layer = persons.persons_layer("p", "zh-CN")
    assert layer.url is None and layer.cluster is True
    assert layer.pointToLayer == js("personPoint") and layer.clusterToLayer == js("personCluster")
    assert persons.SUPERCLUSTER["extent"] == 256
    assert not hasattr(layer, "coordsToLatLng")
    assert persons.persons_layer("p", "en", "gcj02").coordsToLatLng == js("coordsGcj02")


def test_js_functions_exist_and_draw_no_identity() -> None:
    for name in ("personPoint", "personCluster"):
        assert re.search(rf"\b{name}: \w+,", JS_SOURCE), name
    for cls in ("mq-person-point", "mq-person-count", "mq-person-cluster"):
        assert cls in JS_SOURCE
    start = JS_SOURCE.index("function personCountMarker")
    end = JS_SOURCE.index(
        "// ------------------------------------------------------------------ density"
    )
    section = JS_SOURCE[start:end]
    assert not any(key in section for key in IDENTITY_KEYS)


# ----------------------------------------------------------------------------- legend, switch
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_legend_points_counts_and_none(lang: str) -> None:
    points = legend(lang, ["persons"], None, "points")
    assert len(points) == 1 and "mq-legend-persons" in _classes(points)
    for c in persons.CATEGORIES:
        assert f"mq-legend-person-{c}" in _classes(points)
    counts = legend(lang, ["persons"], None, "counts")
    assert "mq-swatch-person-count" in _classes(counts)
    assert "mq-legend-person-elderly_alone" not in _classes(counts)
    assert legend(lang, ["persons"], None, None) == []
    assert legend(lang, ["areas"], None, "points")[0].className.endswith("mq-legend-areas")
    zh = _texts(legend("zh-CN", ["persons"], None, "points"))
    assert "独居老人" in zh and "身份" in zh


def test_layer_switch_only_for_roles_that_see_persons() -> None:
    def values(mode: str | None) -> list[str]:
        switches: Any = layer_switches("zh-CN", mode)
        return [o["value"] for o in switches.options]

    assert "persons" in values("points") and "persons" in values("counts")
    assert values(None) == [k for k in TOGGLES if k not in ("persons", "coverage", "emerging")]
    with_coverage: Any = layer_switches("zh-CN", None, True)
    assert "coverage" in [o["value"] for o in with_coverage.options]


# ----------------------------------------------------------------------------- clicks, panel
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            {"properties": {"id": 5, "category": "disabled", "care_level": 2, "grid_id": 9}},
            {"kind": "person", "id": 5},
        ),
        ({"properties": {"grid_id": 9, "name": "第一网格", "count": 4}}, {"kind": "area", "id": 9}),
        ({"properties": {"cluster": True, "cluster_id": 3, "point_count": 7}}, None),
        ({"properties": {}}, None),
        (None, None),
    ],
)
def test_clicks_on_the_persons_layer(value: Any, expected: dict | None) -> None:
    assert selection_from_click(MapIds.LAYER_PERSONS, value) == expected


def test_masked_panel_with_the_reveal_form() -> None:
    body = map_person.person_panel(MASKED, "zh-CN")
    assert body[0].id == RevealDialog.ids.view("person", 17)
    text = _texts(body)
    assert "陈***）" in text and "独居老人" in text and "高度关注" in text and "已脱敏" in text
    ids = [c.id for c in _walk(body) if isinstance(getattr(c, "id", None), dict)]
    for part in (RevealDialog.ids.reason, RevealDialog.ids.button, RevealDialog.ids.message):
        assert part("person", 17) in ids
    assert all(str(i["type"]).startswith("map-") for i in ids)  # the callback guard's prefix
    reason = next(
        c for c in _walk(body) if getattr(c, "id", None) == RevealDialog.ids.reason("person", 17)
    )
    assert reason.minLength == MIN_REASON and reason.required is True
    assert not getattr(reason, "persistence", None)  # a reason is never kept in the browser
    assert str(MIN_REASON) in text
    assert not any(getattr(c, "dangerously_allow_html", False) for c in _walk(body))
    assert not any(v in text for k, v in CLEAR.items() if k in IDENTITY_KEYS)


def test_no_reveal_form_without_the_capability() -> None:
    body = map_person.person_panel({**MASKED, "can_reveal": False}, "en")
    assert "mq-reveal" not in _classes(body)
    assert "Masked" in _texts(body)


def test_clear_view_says_it_is_audited_and_has_no_form() -> None:
    body = map_person.person_view(CLEAR, "en")
    text = _texts(body)
    assert "陈志伟（演示）" in text and "990001193201011234" in text and "audit log" in text
    assert "mq-reveal-button" not in _classes(body) and "mq-person-clear" in _classes(body)


def test_reveal_error_is_an_alert_text() -> None:
    err: Any = RevealDialog.error("<b>x</b>")
    assert err.children == "<b>x</b>" and "mq-error" in err.className
