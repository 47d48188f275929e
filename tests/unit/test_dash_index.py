"""<html lang> on Dash's page (web/dash_index.py): the request's language, and the
translated words assets/js/a11y.js reads, escaped."""

from __future__ import annotations

import dash
import pytest
from hypothesis import given
from hypothesis import strategies as st

from i18n import t
from web.dash_index import A11Y_WORDS, html_tag, with_lang

DASH_INDEX = dash.dash._default_index  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_page_names_its_language(lang: str) -> None:
    page = with_lang(DASH_INDEX, lang)
    assert f'<html lang="{lang}" ' in page
    assert page.count("<html") == 1
    for attr, key in A11Y_WORDS.items():
        assert f'{attr}="{t(key, lang)}"' in page
    assert page.replace(html_tag(lang), "<html>") == DASH_INDEX


def test_an_index_with_attributes_on_html_is_rewritten_once() -> None:
    page = with_lang('<!DOCTYPE html>\n<html class="x">\n<body><html></body></html>', "en")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en" ')
    assert page.endswith("<body><html></body></html>")


@given(st.text(max_size=40))
def test_a_hostile_language_cannot_break_out_of_the_attribute(lang: str) -> None:
    tag = html_tag(lang)
    assert tag.startswith("<html ") and tag.endswith(">")
    assert tag.count('"') == 2 * (1 + len(A11Y_WORDS))
    assert "<" not in tag[1:] and ">" not in tag[:-1]
