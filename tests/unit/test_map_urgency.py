"""The map's urgency filter and colour (pure parts): the filter's values, the "what
needs me now" switch kept in step with the filter and the colour, the legend's keys."""

from __future__ import annotations

from typing import Any

from dash import html
from hypothesis import given
from hypothesis import strategies as st

from geodata.queries import case_state
from governance import layer_query
from layers import incidents, urls
from layers.legend import IncidentKey, incidents_section
from layers.urls import LayerFilters

GROUPS = (("city", "城市管理", "#c9731d"), ("safety", "公共安全", "#c91d1d"))


def test_the_map_speaks_the_apis_vocabulary() -> None:
    """layers/ may not import the database side: its copies must stay the API's."""
    assert urls.URGENCY == case_state.URGENCY_FILTERS
    assert incidents.URGENCY_STATES == case_state.URGENCY
    assert urls.DEFAULT_DUE_HOURS == layer_query.DEFAULT_DUE_HOURS
    assert set(urls.DUE_HOURS) <= set(range(1, layer_query.MAX_DUE_HOURS + 1))
    assert set(urls.NEEDS_NOW) <= set(urls.URGENCY)


def test_filters_send_urgency_and_hours_only_when_chosen() -> None:
    none = LayerFilters.from_inputs("30d", None, None, [], [])
    assert "urgency" not in none.params() and "due" not in none.params()
    chosen = LayerFilters.from_inputs("30d", None, None, [], [], ["closed", "overdue"], 8)
    assert chosen.params()["urgency"] == "overdue,closed"  # the filter's own order
    assert "due" not in chosen.params()  # no "due soon" chosen: the hours mean nothing
    soon = LayerFilters.from_inputs("30d", None, None, [], [], ["due_soon"], "72")
    assert soon.params()["due"] == "72"


@given(st.one_of(st.none(), st.lists(st.text(max_size=12), max_size=8), st.integers(), st.text()))
def test_hand_made_urgency_values_are_ignored(raw: Any) -> None:
    f = LayerFilters.from_inputs("30d", None, None, None, None, raw, raw)
    assert set(f.urgency) <= set(urls.URGENCY)
    assert f.due in urls.DUE_HOURS


@given(
    switched=st.booleans(),
    now=st.one_of(st.none(), st.just(["now"]), st.just([]), st.integers(), st.text(max_size=5)),
    urgency=st.one_of(st.none(), st.lists(st.sampled_from([*urls.URGENCY, "x"]), max_size=6)),
    colour=st.one_of(st.none(), st.sampled_from(["category", "urgency", "pink"])),
)
def test_switch_filter_and_colour_stay_in_step(
    switched: bool, now: Any, urgency: Any, colour: Any
) -> None:
    view = incidents.urgency_view(switched, now, urgency, colour)
    assert view.colour in incidents.COLOUR_MODES
    on = view.switch == ["now"]
    if on:  # the switch on means exactly its preset
        assert set(view.urgency) == set(urls.NEEDS_NOW) and view.colour == "urgency"
    if switched:
        assert on == (isinstance(now, list) and "now" in now)
        assert view.colour == ("urgency" if on else "category")
        assert view.urgency == (urls.NEEDS_NOW if on else ())


def _texts(node: Any) -> list[str]:
    out: list[str] = []
    children = getattr(node, "children", None)
    if isinstance(node, str):
        return [node]
    for child in children if isinstance(children, list) else [children]:
        if child is not None:
            out += _texts(child)
    return out


def _classes(node: Any) -> list[str]:
    out = [str(getattr(node, "className", "") or "")]
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if isinstance(child, html.Div | html.Span):
            out += _classes(child)
    return out


def test_legend_explains_urgency_colour_and_category_ring() -> None:
    by_urgency = incidents_section("en", IncidentKey("urgency", 8, GROUPS))
    texts = _texts(by_urgency)
    assert "Overdue" in texts and "Due within 8 h" in texts
    assert "Ring: category" in texts and "城市管理" in texts
    classes = " ".join(_classes(by_urgency))
    for u in incidents.URGENCY_STATES:
        assert f"mq-legend-urgency-{u}" in classes
    by_category = incidents_section("zh-CN", IncidentKey("category", 24, GROUPS))
    texts = _texts(by_category)
    assert "填充色：类别" in texts and "公共安全" in texts
    assert "mq-legend-urgency-overdue" not in " ".join(_classes(by_category))
