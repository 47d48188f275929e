"""Citizen ID numbers (公民身份号码) as GB 11643-1999 defines them, and how spreadsheets
spoil them.

An ID number is 18 characters: a 6-digit region, the date of birth (YYYYMMDD), a 3-digit
sequence and an ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``). A register
import checks all of it before the number is encrypted, because a wrong number stored
encrypted cannot be found again by its blind index: the same person imported later with
the right number would become a second person.

Nothing here logs or returns the number inside an error: :class:`IdNumberError` carries
only a message key, so no caller can quote it by accident.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS: Final = "10X98765432"
EARLIEST_BIRTH: Final = date(1900, 1, 1)
# What Excel shows or exports for an 18-digit number typed into a General cell:
# 4.41521E+17, 4.41521199001011E+17 (the last three digits are lost for good).
_SCIENTIFIC: Final = re.compile(r"[0-9]+(?:\.[0-9]*)?[eE][+]?[0-9]{1,3}")
_SHAPE: Final = re.compile(r"[0-9]{17}[0-9X]")


class IdNumberError(ValueError):
    """Why a cell is not a valid ID number: ``key`` is a catalog key
    (``registry.id.*``); the value itself is never part of the error."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def check_char(body: str) -> str:
    """The check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(raw: str) -> str:
    """The cell as an ID number is compared: NFKC (full-width digits and letters become
    ASCII), without spaces, in upper case (a lower-case ``x`` check character)."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def validate(raw: str, today: date | None = None) -> str:
    """The normalised ID number (:func:`normalise`) if it is valid.

    Raises
    ------
    IdNumberError
        ``registry.id.excel`` (Excel turned it into a number), ``registry.id.length``,
        ``registry.id.chars``, ``registry.id.birth`` or ``registry.id.check``.
    """
    value = normalise(raw)
    if _SCIENTIFIC.fullmatch(value):
        raise IdNumberError("registry.id.excel")
    if len(value) != 18:
        raise IdNumberError("registry.id.length")
    if not _SHAPE.fullmatch(value):
        raise IdNumberError("registry.id.chars")
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("registry.id.birth") from None
    if not EARLIEST_BIRTH <= birth <= (today or date.today()):
        raise IdNumberError("registry.id.birth")
    if check_char(value[:17]) != value[17]:
        raise IdNumberError("registry.id.check")
    return value


def looks_like_excel_number(raw: str) -> bool:
    """Is ``raw`` in the scientific notation Excel gives long numbers (1.2E+17)?"""
    return bool(_SCIENTIFIC.fullmatch(normalise(raw)))
