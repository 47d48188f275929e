"""The codes of imported areas: normalised, their level, their parent's code.

Codes follow 统计用区划代码: a county has 6 digits, a street/town 9 (county + 3), a
community 12 (street + 3), a grid 15 (community + 3). The database stores the first three
levels padded to 12 digits (``441502000000`` for 城区) and grids in 15
(:class:`geodata.models.Area`). Files carry either form; both are accepted.

Strict where a silent guess would hurt: a code with a space inside or full-width digits is
refused with what to change, not repaired, because the same code typed two ways would
become two areas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LEVELS: Final = ("county", "street", "community", "grid")
STORED_DIGITS: Final = {"county": 12, "street": 12, "community": 12, "grid": 15}
OWN_DIGITS: Final = {"county": 6, "street": 9, "community": 12, "grid": 15}
PARENT: Final = {"street": "county", "community": "street", "grid": "community"}
FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True)
class CodeError:
    """Why a code is refused: an i18n key under ``areas.code.``."""

    kind: str


def clean(raw: str | None) -> str | CodeError:
    """The code's digits, or why not (``missing``, ``space``, ``full_width``, ``digits``)."""
    if raw is None or not raw.strip():
        return CodeError("missing")
    text = raw.strip()
    if any(ch.isspace() for ch in text):
        return CodeError("space")
    if text.translate(FULL_WIDTH) != text:
        return CodeError("full_width")
    if not (text.isascii() and text.isdigit()):
        return CodeError("digits")
    return text


def level_of(digits: str) -> str | None:
    """The level a code's length and padding say (``--level auto``), None if neither."""
    if len(digits) == 6:
        return "county"
    if len(digits) == 9:
        return "street"
    if len(digits) == 15:
        return "grid"
    if len(digits) == 12:
        if digits.endswith("000000"):
            return "county"
        if digits.endswith("000"):
            return "street"
        return "community"
    return None


def stored(digits: str, level: str) -> str | CodeError:
    """The code as the database keeps it, if ``digits`` is a code of ``level``."""
    own = OWN_DIGITS[level]
    if len(digits) == own or (
        len(digits) == STORED_DIGITS[level] and digits[own:] == "0" * (len(digits) - own)
    ):
        core = digits[:own]
        if level != "county" and core.endswith("000"):
            return CodeError("zero_serial")  # 441502000 is the county padded, not a town
        return core.ljust(STORED_DIGITS[level], "0")
    return CodeError("length")


def parent_of(code: str, level: str) -> str | None:
    """The stored code of the parent a stored ``code`` of ``level`` extends."""
    parent = PARENT.get(level)
    if parent is None:
        return None
    return code[: OWN_DIGITS[parent]].ljust(STORED_DIGITS[parent], "0")


def short(code: str, level: str) -> str:
    """A stored code as people write it (6 / 9 / 12 / 15 digits)."""
    return code[: OWN_DIGITS[level]]
