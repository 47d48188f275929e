"""The emerging hot-spot layer's pieces: palette, switch, URL, legend, hideout words."""

from __future__ import annotations

from typing import Any

import pytest

from governance.emerging_stats import CATEGORIES
from layers import TOGGLES, emerging
from pages.map_controls import layer_switches


def _texts(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        return [t for c in node for t in _texts(c)]
    kids = getattr(node, "children", None)
    return _texts(kids) if kids is not None else []


def test_every_category_but_none_has_a_distinct_colour() -> None:
    assert set(emerging.COLORS) == set(CATEGORIES) - {"none"}
    assert len(set(emerging.COLORS.values())) == len(emerging.COLORS)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_legend_names_each_category_and_states_period_and_method(lang: str) -> None:
    meta = {"period": "P-words", "method": "M-words", "computed": "C-words"}
    text = _texts(emerging.legend_section(lang, meta))
    hideout = emerging.emerging_hideout(lang)
    for cat in emerging.COLORS:
        assert hideout["names"][cat] in text and hideout["names"][cat] != f"emerging.cat.{cat}"
    assert {"P-words", "M-words", "C-words"} <= set(text)
    assert len(_texts(emerging.legend_section(lang, None))) == len(emerging.COLORS) + 2


def test_the_switch_is_offered_only_with_analytics() -> None:
    def values(allowed: bool) -> list[str]:
        return [o["value"] for o in layer_switches("en", None, False, allowed).options]

    assert "emerging" in TOGGLES and "emerging" in values(True)
    assert "emerging" not in values(False)


def test_the_url_is_the_api_layer_with_viewport_only() -> None:
    url = emerging.emerging_url((115.0, 22.5, 116.0, 23.5), 11)
    assert url == "/api/v1/layers/emerging?bbox=115,22.5,116,23.5&z=11"
