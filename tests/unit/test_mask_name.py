"""A masked name never leaves stray punctuation and never shows more than the rule:
the first character and, from three on, the last, of the name itself (issue 14: a
reporter "王先生（演示）" was shown as "王*****）")."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.masking import mask_name, name_core

BRACKETS = set("（()）[]【】〔〕［］｛｝{}<>《》〈〉「」『』")
PIECES = st.sampled_from(
    [
        "王",
        "欧阳",
        "先生",
        "明",
        "（",
        "）",
        "(",
        ")",
        "【",
        "】",
        "演示",
        " ",
        "·",
        "，",
        "A",
        "*",
        "\u3000",
    ]
)
NAMES = st.one_of(st.text(max_size=40), st.lists(PIECES, max_size=12).map("".join))


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王先生（演示）", "王*生"),
        ("陈志（演示）", "陈*"),
        ("李明(租户) ", "李*"),
        ("欧阳娜娜", "欧**娜"),
        ("张三丰", "张*丰"),
        ("  王 五 ", "王*五"),
        ("王女士（未写完", "王*士"),
        ("【匿名】", "*"),
        ("（演示）陈志强", "陈*强"),
        ("阿卜杜·热合曼", "阿*****曼"),
        ("王)明", "王*"),
        ("", ""),
        (None, None),
    ],
)
def test_examples(name: str | None, masked: str | None) -> None:
    assert mask_name(name) == masked


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_no_stray_bracket_and_no_more_than_the_rule(name: str) -> None:
    masked = mask_name(name)
    if not name:
        assert masked == name
        return
    assert masked is not None
    assert not BRACKETS & set(masked)  # no bracket at all: none can be unbalanced
    core = name_core(name)
    shown = [ch for ch in masked if ch != "*"] if masked != "*" else []
    # at most the first and the last character, each of the name's own letters
    assert len(shown) <= (0 if len(core) <= 1 else 1 if len(core) == 2 else 2)
    assert all(ch.isalnum() for ch in shown)
    if core and len(core) > 1:
        assert masked[0] == core[0] and len(masked) == len(core)
        assert masked[1:-1] == "*" * (len(core) - 2)
    # nothing of a bracketed note shows
    for note in ("（演示）", "(租户)", "【内部】"):
        assert mask_name(name + note) == mask_name(name) or not name_core(name)
