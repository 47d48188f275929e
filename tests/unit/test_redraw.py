"""pages/redraw.py: a list is drawn again only when what it draws changed."""

from __future__ import annotations

from typing import Any

from dash import html
from hypothesis import given
from hypothesis import strategies as st

from pages.redraw import fingerprint, unchanged

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _rows(texts: list[str]) -> list[Any]:
    return [
        html.Button([html.Span(x), html.Span(x[::-1])], id={"i": k}) for k, x in enumerate(texts)
    ]


@given(st.lists(st.text(), max_size=8), st.lists(st.text(), max_size=8))
def test_equal_digests_for_equal_screens_only(a: list[str], b: list[str]) -> None:
    assert fingerprint(_rows(a)) == fingerprint(_rows(list(a)))
    assert (fingerprint(_rows(a)) == fingerprint(_rows(b))) == (a == b)


def test_a_changed_attribute_changes_the_digest() -> None:
    one = html.Div("x", className="mq-sla-red")
    assert fingerprint(one) != fingerprint(html.Div("x", className="mq-sla-green"))
    assert fingerprint([one]) != fingerprint(one)


@given(JSON)
def test_whatever_the_browser_sends_only_the_same_digest_counts(shown: Any) -> None:
    mark = fingerprint(html.Div("x"))
    assert unchanged(shown, mark) is (shown == mark)
    assert unchanged(mark, mark)
