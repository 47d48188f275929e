"""Numbers that identify a person, found in free text: mobile and landline phones, ID
numbers (居民身份证号码, GB 11643-1999) and bank card numbers.

Used by :mod:`governance.pii`; pure Python, no database.

Why digit groups rather than one regular expression per kind: people write numbers in
every grouping ("138 1234 5678", "440102 19900307 123X", "6222 0212 3456 7890 128",
"(0660)3312345"), with every separator (space, dot, dash, middle dot, em dash) and in
full-width or Chinese-numeral digits. So the text is first normalised character for
character (:func:`normalise`: the same length, every offset unchanged), then cut into
*chunks* of digit groups joined by separators, and every run of consecutive groups of a
chunk is checked against the rules of each kind. A run is kept only if it *validates*:
the 11-digit mobile pattern, an area code plus a local number, an ID number's birth date
and GB 11643 check digit, a card number's Luhn digit. That is what keeps dates
(2026-12-06, 20261206), times, amounts, counts, plate numbers, coordinates, channel
names (12345, 110) and work-order numbers (202612060001) in clear.

Chinese numerals are read as digits only in runs of seven or more digit-like characters
(一三八一二三四五六七八, 幺三八…, 零六六零…): spoken phone numbers are read digit by digit, and a
run that long is not ordinary prose. Positional numerals (十, 百) are never read as digits.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol, TypeVar

# kind names (the values of governance.pii.Kind)
MOBILE: Final = "mobile"
LANDLINE: Final = "landline"
ID_NUMBER: Final = "id_number"
BANK_CARD: Final = "bank_card"

# -- normalisation: one character for one character ---------------------------------------
_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_SEPARATORS = "\u00b7\u30fb\u2027\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_TABLE: Final = str.maketrans(
    {
        **_FULL_WIDTH,
        "\uff38": "X",  # Ｘ
        "\uff58": "x",  # ｘ
        "\uff0b": "+",  # ＋
        "\uff08": "(",  # （
        "\uff09": ")",  # ）
        "\uff0e": ".",  # ．
        "\u3000": " ",  # ideographic space
        "\u00a0": " ",
        "\t": " ",
        **dict.fromkeys(_SEPARATORS, "-"),
    }
)
# Chinese numerals read digit by digit (幺 is "one" on the phone, 洞 "zero" on the radio)
_CN_DIGITS: Final = {
    "〇": "0",
    "零": "0",
    "洞": "0",
    "一": "1",
    "幺": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_CN_ANY: Final = re.compile(f"[{''.join(_CN_DIGITS)}]")
_DIGIT_LIKE = f"[0-9{''.join(_CN_DIGITS)}]"
_CN_RUN: Final = re.compile(f"{_DIGIT_LIKE}(?:[ .\\-]{{0,2}}{_DIGIT_LIKE}){{6,}}")
_CN_TABLE: Final = str.maketrans(_CN_DIGITS)
MIN_CN_RUN: Final = 7  # digit-like characters in a run before Chinese numerals count


def normalise(text: str) -> str:
    """``text`` with full-width digits, letters X, parentheses, dots and spaces made ASCII,
    dashes and middle dots made ``-``, and Chinese numerals in runs of seven or more
    digit-like characters made digits. Same length as ``text``, so an offset in the result
    is the same offset in ``text``."""
    out = text.translate(_TABLE)
    if _CN_ANY.search(out) is None:
        return out
    return _CN_RUN.sub(lambda m: m.group(0).translate(_CN_TABLE), out)


# -- validation ----------------------------------------------------------------------------
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"
_MOBILE: Final = re.compile(r"1[3-9]\d{9}")
# 010 and 02x have three-digit area codes and eight-digit numbers; the rest four + 7 or 8
_LANDLINE: Final = re.compile(r"0(?:10|2\d)[2-9]\d{7}|0[3-9]\d{2}[2-9]\d{6,7}")
_LOCAL: Final = re.compile(r"[2-9]\d{6,7}")
# first two digits of a mainland ID number (province-level divisions; 71 Taiwan, 8x HK/MO)
_PROVINCES: Final = frozenset(
    str(n)
    for lo, hi in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
    for n in range(lo, hi + 1)
) | {"91"}
CARD_FIRST: Final = "34569"  # UnionPay 62/60, Visa 4, Mastercard 5, JCB/Amex 3, old 9xxx


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits of an ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _digits(s: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts "²" and other scripts' digits)."""
    return s.isascii() and s.isdigit()


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def is_id_number(d: str) -> bool:
    """An 18-character ID number (17 digits and a digit or X) with a real birth date and
    the right GB 11643 check character."""
    return (
        len(d) == 18
        and _digits(d[:17])
        and d[0] != "0"
        and _birth_date_ok(d[6:14])
        and id_check_digit(d[:17]) == d[17].upper()
    )


def looks_like_id_number(d: str) -> bool:
    """An ID number whose check character is wrong (a typo is still a person's number) or
    the 15-digit pre-1999 form, which has none: a real province code and birth date."""
    if d[:2] not in _PROVINCES:
        return False
    if len(d) == 18:
        return _digits(d[:17]) and (d[17] in "Xx" or d[17].isdigit()) and _birth_date_ok(d[6:14])
    return len(d) == 15 and _digits(d) and _birth_date_ok("19" + d[6:12])


def _birth_date_ok(yyyymmdd: str) -> bool:
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    return 1900 <= year <= 2100 and _valid_date(year, month, day)


def luhn_ok(d: str) -> bool:
    """The Luhn (mod 10) check of a card number."""
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def is_bank_card(d: str) -> bool:
    """16 to 19 digits, a card network's first digit, and a valid Luhn digit."""
    return 16 <= len(d) <= 19 and _digits(d) and d[0] in CARD_FIRST and luhn_ok(d)


# -- chunks of digit groups ---------------------------------------------------------------
_SEP = r"[ .\-]"
_CHUNK: Final = re.compile(
    rf"\(?\+?[0-9]+(?:(?:{_SEP}{{1,3}}|\){_SEP}{{0,2}}|{_SEP}{{0,2}}\({_SEP}{{0,2}})[0-9]+)*(?:{_SEP}?[Xx])?"
)
_ALNUM: Final = re.compile(r"[0-9A-Za-z]")
_LABELS: Final = frozenset({"tel", "phone", "mobile", "mob", "cell", "fax", "no", "id", "card"})
_LONGEST_LABEL: Final = max(map(len, _LABELS))
_PHONE_CUES: Final = (
    "电话",
    "电话号码",
    "手机号码",
    "来电号码",
    "座机",
    "固话",
    "手机",
    "手机号",
    "联系方式",
    "致电",
    "打",
    "tel",
    "Tel",
    "TEL",
)
_NOT_PHONE: Final = (
    "编号",
    "单号",
    "代码",
    "流水号",
    "工单",
    "批号",
    "批次",
    "型号",
    "条码",
    "案号",
    "发票号码",
)
MAX_DIGITS: Final = 19  # the longest card number (0086 + a mobile is 15)
MIN_DIGITS: Final = 7  # nothing shorter is a personal number


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A personal number: ``[start, end)`` in the text, its kind and its ``digits``
    (positions of its digit characters, the country code excluded)."""

    kind: str
    start: int
    end: int
    digits: tuple[int, ...]


def _groups(norm: str, m: re.Match[str]) -> list[list[int]]:
    """Positions of the digits of each group of a chunk (a final X joins the last group)."""
    out: list[list[int]] = []
    current: list[int] = []
    for pos in range(m.start(), m.end()):
        ch = norm[pos]
        if "0" <= ch <= "9":
            current.append(pos)
        elif ch in "Xx":  # "123X" or "123 X": the check character of the last group
            if current:
                current.append(pos)
            elif out:
                out[-1].append(pos)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _left_open(norm: str, start: int) -> bool:
    """Whether a number may begin at ``start``: no letter or digit before it, or letters
    that are a label such as "Tel" or "No"."""
    if start == 0 or not _ALNUM.match(norm, start - 1):
        return True
    if norm[start - 1].isdigit():
        return False
    i = start
    while i > 0 and start - i < _LONGEST_LABEL and norm[i - 1].isascii() and norm[i - 1].isalpha():
        i -= 1
    return norm[i:start].lower() in _LABELS


def _cue(norm: str, start: int) -> int:
    """1 if a phone cue (电话, 座机, 拨打 …) comes right before ``start``, -1 if a code's
    label does (编号, 单号, 发票代码 …), else 0."""
    head = norm[max(0, start - 8) : start].rstrip(" :：-(")
    if head.endswith(_NOT_PHONE):
        return -1
    return 1 if head.endswith(_PHONE_CUES) else 0


def _classify(digits: str, whole_chunk: bool, cue: int) -> tuple[str, int, int] | None:
    """(kind, rank, leading digits to skip: a country code) of a run of digits, or None.
    The rank orders overlapping candidates: the stronger check wins. A landline number has
    no check digit, so after a code's label (``cue`` -1: 发票代码, 编号 …) it is not taken,
    and a local number without its area code only after a phone cue (``cue`` 1)."""
    if digits[-1] in "Xx":
        if is_id_number(digits):
            return ID_NUMBER, 5, 0
        return (ID_NUMBER, 1, 0) if looks_like_id_number(digits) else None
    if is_id_number(digits):
        return ID_NUMBER, 5, 0
    if is_bank_card(digits):
        return BANK_CARD, 4, 0
    for prefix in ("0086", "86", ""):
        if digits.startswith(prefix):
            rest = digits[len(prefix) :]
            if _MOBILE.fullmatch(rest):
                return MOBILE, 3, len(prefix)
            if prefix and cue >= 0 and _LANDLINE.fullmatch("0" + rest):
                return LANDLINE, 2, len(prefix)
    if cue >= 0 and _LANDLINE.fullmatch(digits):
        return LANDLINE, 2, 0
    if looks_like_id_number(digits):
        return ID_NUMBER, 1, 0
    if whole_chunk and cue > 0 and _LOCAL.fullmatch(digits):
        return LANDLINE, 0, 0  # "座机3312345": a local number after a phone cue
    return None


def _candidates(norm: str, m: re.Match[str]) -> Iterator[tuple[int, int, NumberSpan]]:
    """(rank, length, span) of every run of groups of one chunk that validates."""
    groups = _groups(norm, m)
    n = len(groups)
    flat = [p for g in groups for p in g]  # digit positions of the whole chunk
    digits = "".join(norm[p] for p in flat)
    offsets = [0]
    for g in groups:
        offsets.append(offsets[-1] + len(g))
    # a chunk with letters on both sides is part of a code (an H3 cell, a hash): only its
    # inner groups may be numbers; letters on one side only ("13812345678QQ") are allowed
    left_open = _left_open(norm, m.start())
    right_open = m.end() >= len(norm) or not _ALNUM.match(norm, m.end())
    if left_open or right_open:
        left_open = right_open = True
    cue = _cue(norm, m.start())
    for i in range(0 if left_open else 1, n):
        for j in range(i, n):
            size = offsets[j + 1] - offsets[i]
            if size > MAX_DIGITS:
                break
            if size < MIN_DIGITS or (j == n - 1 and not right_open):
                continue
            found = _classify(
                digits[offsets[i] : offsets[j + 1]], i == 0 and j == n - 1, cue if i == 0 else 0
            )
            if found is None:
                continue
            kind, rank, skip = found
            kept = tuple(flat[offsets[i] + skip : offsets[j + 1]])
            yield rank, len(kept), NumberSpan(kind, kept[0], kept[-1] + 1, kept)


def find_numbers(norm: str) -> list[NumberSpan]:
    """Personal numbers in a normalised text (:func:`normalise`), by position; where
    candidates overlap the stronger kind wins, then the longer."""
    found: list[tuple[int, int, NumberSpan]] = []
    for m in _CHUNK.finditer(norm):
        if m.end() - m.start() >= MIN_DIGITS:
            found.extend(_candidates(norm, m))
    if not found:
        return []
    found.sort(key=lambda c: (-c[0], -c[1], c[2].start))
    return disjoint(span for _rank, _len, span in found)


class _Interval(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


T = TypeVar("T", bound=_Interval)


def disjoint(spans: Iterable[T]) -> list[T]:
    """The spans, in the order given, that overlap none taken before them; by position.
    (Sorted starts and bisection: a text with thousands of spans stays linear-ish.)"""
    starts: list[int] = []
    taken: list[T] = []
    for span in spans:
        i = bisect.bisect_right(starts, span.start)
        if i and taken[i - 1].end > span.start:
            continue
        if i < len(taken) and taken[i].start < span.end:
            continue
        starts.insert(i, span.start)
        taken.insert(i, span)
    return taken
