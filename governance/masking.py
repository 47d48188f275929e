"""Masking of personal data for display (张*三, 138****1234, 110***********1234)."""

from __future__ import annotations

import re
from typing import Final

from governance import pii

# Brackets that may hold a note beside a name ("王先生（演示）", "李明(租户)", "【匿名】"):
# the note goes with them, so that a masked name never ends in a stray "）" and shows
# nothing of the note. Opening and closing characters are listed pairwise.
_OPEN: Final = "（([【〔［｛{<《〈「『"
_CLOSE: Final = "）)]】〕］｝}>》〉」』"
_BRACKETS: Final = frozenset(_OPEN + _CLOSE)
_NOTE: Final = re.compile(
    f"[{re.escape(_OPEN)}][^{re.escape(_OPEN + _CLOSE)}]*[{re.escape(_CLOSE)}]"
)


def name_core(name: str) -> str:
    """The part of a stored name that is the person's name: bracketed notes dropped
    (nested ones too; an opening bracket that is never closed drops the rest), stray
    closing brackets dropped, and no punctuation or space left at either end."""
    core, previous = name, None
    while core != previous:  # innermost notes first: each pass removes at least one
        previous, core = core, _NOTE.sub("", core)
    opened = [i for i, ch in enumerate(core) if ch in _OPEN]
    if opened:
        core = core[: opened[0]]
    core = "".join(ch for ch in core if ch not in _BRACKETS)
    start, end = 0, len(core)
    while start < end and not core[start].isalnum():
        start += 1
    while end > start and not core[end - 1].isalnum():
        end -= 1
    return core[start:end]


def mask_name(name: str | None) -> str | None:
    """张*三: the first character and, from three on, the last, of the name's core
    (:func:`name_core`; a bracketed note never shows); "*" when nothing is left."""
    if not name:
        return name
    core = name_core(name)
    if len(core) <= 1:
        return "*"
    if len(core) == 2:
        return core[0] + "*"
    return core[0] + "*" * (len(core) - 2) + core[-1]


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(idn: str | None) -> str | None:
    if not idn:
        return idn
    if len(idn) < 8:
        return "*" * len(idn)
    return idn[:3] + "*" * (len(idn) - 7) + idn[-4:]


def redact_contacts(text: str | None) -> str | None:
    """Free text with personal data masked: phone, ID and bank card numbers in any written
    form, house numbers, names next to cues. Kept for its callers; the detector is
    :func:`governance.pii.redact`, which also takes the names the system knows."""
    return pii.redact(text)
