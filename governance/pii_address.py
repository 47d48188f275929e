"""House-level address detail in free text (门牌号, 栋, 单元, 室 …), for
:mod:`governance.pii`; pure Python, no database.

What is masked and what is kept, and why: an incident's description must still say
*where* to a reader (the road, the community, the village), but not *which door*. So the
place names stay in clear and every number of the house-level units after them is starred,
the unit words kept: "香洲街道东湖社区建设路12号3栋501室" becomes
"香洲街道东湖社区建设路*号*栋*室", "东坑村3组" becomes "东坑村*组", "幸福小区5-2-501"
becomes "幸福小区*". That is the rule the wall applied to house numbers before
(``governance/wall_cases.py``), which additionally replaces the incident's own address,
where the text repeats it, by the masked address column (down to the community).

A number followed by a unit word is house-level when

* its unit is unambiguous (室, 单元, 号楼, 号院, 号房, 号铺, 弄; 房 after three or more
  digits), or
* it directly follows a place word (…路, …街, …道, …巷, …村, …小区, …花园, …苑, …大厦 …), or
* it is one of two or more such numbers in a row ("3栋501室", "5栋3楼", "12号3栋",
  and a bare room number right after 栋, 座, 单元: "5栋1203", "B座2203").

So dates ("12月12号"), counts ("拆除违建3栋", "6层楼", "两室一厅"), metro lines ("地铁3号线")
and floors on their own ("5楼漏水") stay as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_CN_NUM = "零〇一二三四五六七八九十百两"
_UNITS = "号楼|号院|号房|号铺|号商铺|号|单元|室|弄|房|栋|幢|座|楼|层|组|队|梯"
# a run of number-like characters and the unit after it, if any; the run is checked in
# Python (:data:`_NUM`), so that the pattern starts with one character class and the
# engine skips the rest of the text fast
_TOKEN: Final = re.compile(
    rf"(?P<num>[0-9A-Za-z{_CN_NUM}]+(?:-[0-9]+[A-Za-z]?)*)(?: ?(?P<unit>{_UNITS}))?"
)
# a house number: digits (a letter may follow), a letter (A座), or Chinese numerals, with
# "-" joined parts (12-1号)
_NUM: Final = re.compile(rf"(?:[0-9]+[A-Za-z]?|[A-Za-z][0-9]*|[{_CN_NUM}]+)(?:-[0-9]+[A-Za-z]?)*")
_DASHED: Final = re.compile(r"[0-9]+(?:-[0-9]+)+")
_BARE: Final = re.compile(r"[0-9]{3,4}")
_STRONG: Final = frozenset({"单元", "号楼", "号院", "号房", "号铺", "号商铺"})
# the last character of a place name a house number may follow (路, 小区, 花园, 大厦 …)
_ANCHORS: Final = frozenset(
    "路街道巷弄里村苑园庄城厦寓院场坊湾府区舍期座楼邨围寨屯居阁轩庭墅片前下"
)
_SIDES: Final = frozenset("东西南北中段侧")  # 金碣路东26号, 人民路中段8号
# units after which a bare three- or four-digit number is a room (5栋1203, B座2203)
_LETTER_UNITS: Final = frozenset({"座", "栋", "幢", "梯", "号楼", "室"})  # A座, B栋
_ROOM_AFTER: Final = frozenset({"栋", "幢", "座", "单元", "梯", "号楼"})
_TRIGGER: Final = re.compile(rf"[0-9{_CN_NUM}A-Za-z] ?(?:{_UNITS})|[0-9]-[0-9]")


@dataclass(frozen=True, slots=True)
class AddressSpan:
    """House-level detail at ``[start, end)``; ``hidden`` are the number ranges starred."""

    start: int
    end: int
    hidden: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    num: tuple[int, int]
    unit: str | None  # None: a dashed number (3-501) or a bare one (1203) without a unit
    bare: bool  # a bare number: a room only right after 栋, 座, 单元 …
    strong: bool  # an address on its own (module docstring)


def _layout(unit: str | None, num: str) -> bool:
    """ "两室一厅", "3房2厅": rooms of a flat, not a room number."""
    return unit in ("室", "房") and len(num) == 1


def _dashed_room(num: str) -> bool:
    """ "16-3-601": building, unit, room (and not a date such as 06-12-2026)."""
    parts = num.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return False
    a, b, c = parts
    if len(a) > 2 or len(b) > 2 or len(c) not in (3, 4):
        return False
    return not (len(c) == 4 and c[:2] in ("19", "20") and int(a) <= 31 and int(b) <= 31)


def _strong(unit: str | None, num: str) -> bool:
    if unit is None:
        return _dashed_room(num)
    if unit in _STRONG:
        return True
    digits = sum(1 for ch in num if "0" <= ch <= "9")
    if unit == "室":  # "501室"; not "两室一厅", "3室2厅"
        return digits >= 2 or len(num) >= 3
    if unit in ("弄", "房"):  # "88弄", "501房"; not "一弄就坏", "3房"
        return digits >= (1 if unit == "弄" else 3)
    return False


def _anchored(norm: str, start: int) -> bool:
    """Whether a place word ends right before ``start`` (one space allowed)."""
    pos = start - 1
    if pos >= 0 and norm[pos] == " ":
        pos -= 1
    for _ in range(2):  # 中段, 东侧 …
        if pos >= 1 and norm[pos] in _SIDES:
            pos -= 1
    return pos >= 0 and norm[pos] in _ANCHORS


def _tokens(norm: str) -> list[_Token | None]:
    """The number tokens of ``norm``; None where a number breaks a run (a flat's layout)."""
    out: list[_Token | None] = []
    for m in _TOKEN.finditer(norm):
        num, unit = m.groups()
        s, e = m.span()
        if unit is not None:
            if not _NUM.fullmatch(num):
                continue  # "KTV3楼": a name, not a number
            if num[0].isascii() and num[0].isalpha() and unit not in _LETTER_UNITS:
                continue  # "H3单元" is not a unit of a building
            if _layout(unit, num):
                out.append(None)
                continue
            out.append(_Token(s, e, (s, s + len(num)), unit, False, _strong(unit, num)))
        elif _DASHED.fullmatch(num):
            out.append(_Token(s, e, (s, e), None, False, _dashed_room(num)))
        elif _BARE.fullmatch(num):
            out.append(_Token(s, e, (s, e), None, True, False))
    return out


def find_addresses(norm: str) -> list[AddressSpan]:
    """House-level address detail in a normalised text (``pii_numbers.normalise``): runs
    of number-and-unit tokens that the module docstring's rules call an address."""
    if _TRIGGER.search(norm) is None:
        return []
    out: list[AddressSpan] = []
    chain: list[_Token] = []

    def close() -> None:
        if chain:
            first = chain[0]
            floor_only = (  # "小区5楼": no door (but "16-1-1704楼道" has one)
                len(chain) == 1
                and first.unit in ("楼", "层")
                and "-" not in norm[slice(*first.num)]
            )
            anchored = _anchored(norm, first.start) and not floor_only
            if anchored or len(chain) > 1 or any(t.strong for t in chain):
                hidden = tuple(t.num for t in chain)
                out.append(AddressSpan(chain[0].start, chain[-1].end, hidden))
            chain.clear()

    for tok in _tokens(norm):
        if tok is None or (chain and norm[chain[-1].end : tok.start] not in ("", " ", "-")):
            close()
        if tok is None:
            continue
        if tok.bare and (not chain or chain[-1].unit not in _ROOM_AFTER):
            continue  # "1203" only right after "5栋"
        if tok.unit is None and not chain and not (tok.strong or _anchored(norm, tok.start)):
            continue  # a dashed "3-501" after a place word, or "16-3-601"
        chain.append(tok)
    close()
    return out
