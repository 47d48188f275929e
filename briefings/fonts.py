"""The CJK font for the briefing's map labels (matplotlib), found once.

Debian's ``fonts-noto-cjk`` ships Noto Sans CJK as one .ttc with a face per region;
matplotlib's font manager lists each face by family name, so asking for
"Noto Sans CJK SC" draws simplified-Chinese glyph forms. Without any CJK font the labels
would come out as empty boxes ("tofu"), so the renderer refuses to run instead.
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from governance.errors import Unavailable

log = logging.getLogger(__name__)

# Preferred families, simplified Chinese first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
)
PROBE = "县区镇街道社区网格"  # characters every label font must have


@dataclass(frozen=True)
class FontChoice:
    """A font family matplotlib knows and the file it comes from."""

    family: str
    path: str


def has_glyphs(path: str, chars: str = PROBE) -> bool:
    """Does the font file at ``path`` map every character of ``chars`` to a glyph?"""
    from matplotlib.ft2font import FT2Font

    font = FT2Font(path)
    return all(font.get_char_index(ord(c)) != 0 for c in chars)


def _fc_list() -> list[str]:
    """Font files fontconfig lists for Chinese (a font matplotlib has not indexed yet)."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(":", 1)[0].strip() for line in out.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def cjk_font() -> FontChoice:
    """The CJK font to draw labels with.

    Raises
    ------
    Unavailable
        If no installed font has Chinese glyphs (install fonts-noto-cjk).
    """
    from matplotlib import font_manager

    known = {e.name: e.fname for e in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known and has_glyphs(known[family]):
            return FontChoice(family, known[family])
    for path in _fc_list():  # installed after matplotlib built its cache
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
        name = font_manager.FontProperties(fname=path).get_name()
        if has_glyphs(path):
            return FontChoice(name, path)
    log.error("no CJK font found: install fonts-noto-cjk")
    raise Unavailable("brief.error.no_cjk_font")
