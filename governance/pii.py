"""Personal data in free text: one detector, used wherever free text leaves the system
(the wall, exports, the public tracking page, briefings, the dispatch board, the weekly
packet, timeline notes shown to source systems).

What it finds (:class:`Kind`) and how it masks it, always in the original text, every
other character kept as written:

* **Phone numbers, ID numbers, bank cards** (``governance/pii_numbers.py``), in any
  grouping, with spaces, dots, dashes or middle dots, in full-width digits or Chinese
  numerals (一三八…, 幺三八…: read as digits in runs of seven or more), with or without
  +86 / 0086. Only numbers that validate are taken (ID numbers: birth date and the
  GB 11643 check character, or a real province code and date; cards: Luhn), so dates,
  amounts, counts, case and work-order numbers stay in clear. Digits are starred in place,
  separators kept: the first 3 and last 4 digits of a phone or ID number stay, as
  :func:`governance.masking.mask_phone` shows them (138 **** 5678, 440***********1236),
  the first 4 and last 4 of a card; at least four digits are always starred.
* **Addresses** (``governance/pii_address.py``): house-level detail is starred and the
  place kept (建设路12号3栋501室 -> 建设路*号*栋*室).
* **Names** (``governance/pii_names.py``): every occurrence of a name the caller knows
  (an incident's reporter, the key persons of its area), and names next to strong cues
  (联系人：…, …女士), masked like :func:`governance.masking.mask_name` (张*丰).

:func:`redact` searches its own output again while something may be left (digits kept in
clear next to other digits, a candidate that lost to an overlapping one), so it is
idempotent: what it leaves in clear can never be read as a new number. Text without personal data is returned unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, overload

from governance.pii_address import find_addresses
from governance.pii_names import EMPTY, KnownNames, clean_name, cued_names
from governance.pii_numbers import disjoint, find_numbers, normalise

__all__ = ["NUMBER_KINDS", "Kind", "KnownNames", "Span", "clean_name", "find", "redact"]


class Kind(enum.StrEnum):
    """Kinds of personal data in free text."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    ID_NUMBER = "id_number"
    BANK_CARD = "bank_card"
    ADDRESS = "address"
    NAME = "name"


NUMBER_KINDS: Final = frozenset({Kind.MOBILE, Kind.LANDLINE, Kind.ID_NUMBER, Kind.BANK_CARD})
# digits kept in clear at the head and the tail of a number, by kind
_KEEP: Final = {
    Kind.MOBILE: (3, 4),
    Kind.LANDLINE: (3, 4),
    Kind.ID_NUMBER: (3, 4),
    Kind.BANK_CARD: (4, 4),
}
_KINDS: Final = {k.value: k for k in Kind}
MIN_HIDDEN: Final = 4  # digits of a number always starred
_PRECEDENCE: Final = {Kind.NAME: 2, Kind.ADDRESS: 1}  # numbers: 3
MAX_PASSES: Final = 8  # each pass stars at least one more character; real texts need two


@dataclass(frozen=True, slots=True)
class Span:
    """Personal data at ``[start, end)`` of a text: its kind, the text as written, and the
    ``hidden`` ranges that masking replaces (each digit of a number and each character
    of a name by a ``*``; each house number of an address by one ``*``)."""

    kind: Kind
    start: int
    end: int
    text: str
    hidden: tuple[tuple[int, int], ...]


def _number_hidden(kind: str, digits: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    head, tail = _KEEP[_KINDS[kind]]
    n = len(digits)
    while n - head - tail < MIN_HIDDEN and (head or tail):
        if head:
            head -= 1
        else:
            tail -= 1
    return tuple((p, p + 1) for p in digits[head : n - tail])


def _name_hidden(start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The characters :func:`governance.masking.mask_name` stars: all but the first (and,
    from three characters on, the last)."""
    return ((start + 1, end - 1 if end - start > 2 else end),)


def _matcher(names: KnownNames | Iterable[str | None]) -> KnownNames:
    if isinstance(names, KnownNames):
        return names
    if isinstance(names, str):
        names = (names,)
    return EMPTY.plus(names)


def _names(text: str, matcher: KnownNames) -> list[Span]:
    found = set(matcher.finditer(text)) if matcher else set()
    found.update(cued_names(text))
    return [Span(Kind.NAME, s, e, text[s:e], _name_hidden(s, e)) for s, e in found]


def find(text: str, names: KnownNames | Iterable[str | None] = ()) -> list[Span]:
    """The personal data in ``text``, in order, without overlaps (where candidates
    overlap, a number wins over a name and a name over an address, then the longer).

    ``names``: the names the system knows for this text (a :class:`KnownNames` built once
    for many texts, or a few strings).
    """
    return _find(text, _matcher(names))[0] if text else []


def _find(text: str, matcher: KnownNames) -> tuple[list[Span], bool]:
    """:func:`find`, and whether a later pass may find more: a number was found (its
    digits kept in clear may join others) or a candidate lost to an overlapping one."""
    norm = normalise(text)
    spans = [
        Span(
            _KINDS[n.kind], n.start, n.end, text[n.start : n.end], _number_hidden(n.kind, n.digits)
        )
        for n in find_numbers(norm)
    ]
    again = bool(spans)
    spans += _names(text, matcher)
    spans += [
        Span(Kind.ADDRESS, a.start, a.end, text[a.start : a.end], a.hidden)
        for a in find_addresses(norm)
    ]
    if len(spans) < 2:
        return spans, again
    spans.sort(key=lambda s: (-_PRECEDENCE.get(s.kind, 3), s.start - s.end, s.start))
    taken = disjoint(spans)
    return taken, again or len(taken) < len(spans)


def _apply(text: str, spans: list[Span]) -> str:
    parts: list[str] = []
    at = 0
    for span in spans:
        for s, e in span.hidden:
            parts.append(text[at:s])
            parts.append("*" if span.kind is Kind.ADDRESS else "*" * (e - s))
            at = e
    parts.append(text[at:])
    return "".join(parts)


@overload
def redact(text: str, names: KnownNames | Iterable[str | None] = ()) -> str: ...
@overload
def redact(text: None, names: KnownNames | Iterable[str | None] = ()) -> None: ...
def redact(text: str | None, names: KnownNames | Iterable[str | None] = ()) -> str | None:
    """``text`` with its personal data masked in place (module docstring); None and ""
    are returned as they are. Never raises on any ``str``."""
    if not text:
        return text
    matcher = _matcher(names)
    for _ in range(MAX_PASSES):
        spans, again = _find(text, matcher)
        if spans:
            text = _apply(text, spans)
        if not again:
            break
    return text
