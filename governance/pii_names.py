"""Names of people in free text, for :mod:`governance.pii`; pure Python, no database.

Two sources, and why both:

* **Known names.** The system knows who an incident is about: its reporter and the key
  persons of its area. Every occurrence of one of those names is found, whatever stands
  around it (:class:`KnownNames`: one compiled matcher for a set of names, reused across
  many rows; a few per-row names, such as the reporter's, are added without compiling).
* **Strong cues.** A name the system does not know is found only where the text all but
  says "this is a name": after a label (联系人、报案人、来电人、反映人、姓名：…), before an
  honorific (先生、女士、小姐、同志) or before a sex-and-age note ("（男，45岁）"); and only if
  it starts with a common surname and ends where a name can end (punctuation, a digit, or
  a word such as 反映、称、电话、家住). "王先生", "张某" and "居民反映" are not names: a
  surname on its own or with an honorific is already how operators anonymise a caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

# common single-character surnames (function words such as 于、向、和 left out: "位于", "向")
_SURNAMES: Final = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔汤庄温柯洪欧翁甘植麦伍骆巫赖詹卓凌岑饶利池官涂邝关揭古"
)
_COMPOUND: Final = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "令狐",
    "端木",
)
_CJK: Final = re.compile(r"[\u4e00-\u9fff]")
# right after a surname, these say there is no given name (王先生, 张某, 李氏, 陈称 …)
_NO_GIVEN: Final = re.compile(
    "先生|女士|小姐|同志|老师|师傅|阿姨|大爷|大妈|阿婆|阿公|伯|叔|婶|奶奶|爷爷|老人|某|氏|"
    "反映|称|说|讲|来电|致电|打电话|电话|手机|联系|身份|家住|居住|现住|住|表示|报称|报警|投诉|"
    "举报|求助|要求|诉求|请求|希望|等|夫妇|一家|男|女"
)
# what may follow a name: not a Chinese character, or one of these words
_STOPS = (
    "先生|女士|小姐|同志|老师|师傅|阿姨|大爷|大妈|阿婆|阿公|伯|叔|婶|奶奶|爷爷|老人|夫妇|一家|"
    "反映|称|说|讲|来电|致电|打电话|电话|手机|联系|身份|家住|居住|现住|住|家|在|于|表示|报称|报警|"
    "投诉|举报|求助|要求|诉求|请求|希望|等|和|与|及|的|是|为|今天|昨天|今日|昨日|近日|近期|"
    "上午|下午|晚上|凌晨|中午|户|儿子|女儿|丈夫|妻子|父亲|母亲|老伴|本人|因|由于|发现|上报|"
    "巡查|走访|入户|核实|核查|登记|到场|处理|"
    "到|去|被|把|向|对|门口|所|也|又|已|曾|没|未|不|都|就|还|带|帮|让|给|跟|同|男|女|年|岁"
)
_STOP: Final = re.compile(rf"(?:[^\u4e00-\u9fff]|{_STOPS})")
_CUE: Final = re.compile(
    r"(?:联系人|报案人|报警人|来电人|反映人|投诉人|举报人|当事人|求助人|申请人|监护人|"
    r"来访人|信访人|户主|业主|房东|租户|住户|车主|店主|摊主|失主|伤者|患者|肇事者|司机|"
    r"姓名|名叫|叫做|自称|居民|村民|市民|群众|老人|家属|网格员)"
    r"(?:[:：]\s*|\s)?"
)
_AFTER: Final = re.compile(r"先生|女士|小姐|同志|[（(，,]\s*[男女][，,）)\s0-9]")
_NAME_BRACKETS: Final = re.compile(r"\s*[（(][^（()）]*[)）]\s*$")


def _surname_at(text: str, pos: int) -> int:
    """Length of the surname at ``pos`` (2 for 欧阳 …), 0 if none."""
    if text.startswith(_COMPOUND, pos):
        return 2
    return 1 if pos < len(text) and text[pos] in _SURNAMES else 0


def _given_ok(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` can be a given name: Chinese characters, and not a word
    that says there is none (王先生, 张某)."""
    if end > len(text) or start >= end or _NO_GIVEN.match(text, start):
        return False
    return all(_CJK.match(ch) and not _NO_GIVEN.match(ch) for ch in text[start:end])


def _name_from(text: str, pos: int) -> tuple[int, int] | None:
    """A name starting at ``pos`` that ends where a name can end, longest first."""
    sur = _surname_at(text, pos)
    if not sur:
        return None
    for given in (2, 1):
        end = pos + sur + given
        if _given_ok(text, pos + sur, end) and (end == len(text) or _STOP.match(text, end)):
            return pos, end
    return None


def _name_before(text: str, end: int) -> tuple[int, int] | None:
    """A name ending at ``end`` (before 先生 …), longest first."""
    for length in (4, 3, 2):
        start = end - length
        if start < 0:
            continue
        sur = _surname_at(text, start)
        if sur and length - sur in (1, 2) and _given_ok(text, start + sur, end):
            return start, end
    return None


def cued_names(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of names next to a strong cue (module docstring)."""
    for m in _CUE.finditer(text):
        found = _name_from(text, m.end())
        if found:
            yield found
    for m in _AFTER.finditer(text):
        found = _name_before(text, m.start())
        if found:
            yield found


def clean_name(name: str | None) -> str | None:
    """A known name as it may appear in a text: trimmed, without a bracketed note
    ("陈志（演示）" -> "陈志"); None when nothing of two characters or more is left."""
    if not name:
        return None
    name = _NAME_BRACKETS.sub("", name.strip()).strip()
    return name if len(name) >= 2 else None


def _trie_pattern(names: list[str]) -> str:
    """One regular expression for many literal names, factored as a trie so that the
    engine tests one character class per position instead of every name in turn."""
    trie: dict[str, dict] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


class KnownNames:
    """A compiled matcher for a set of names the system knows, for use on many texts.

    ``plus(extra)`` gives a matcher with a few more names (an incident's reporter) that
    shares the compiled part: adding per-row names costs no compilation.
    """

    __slots__ = ("_extra", "_names", "_pattern")

    def __init__(self, names: Iterable[str | None] = ()) -> None:
        cleaned = sorted({n for n in map(clean_name, names) if n}, key=lambda n: (-len(n), n))
        self._names: tuple[str, ...] = tuple(cleaned)
        self._pattern = re.compile(_trie_pattern(cleaned)) if cleaned else None
        self._extra: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The names matched (cleaned), longest first."""
        return self._names + self._extra

    def plus(self, extra: Iterable[str | None]) -> KnownNames:
        """This matcher with ``extra`` names too (found by plain substring search)."""
        more = tuple(n for n in map(clean_name, extra) if n and n not in self._names)
        if not more:
            return self
        out = KnownNames.__new__(KnownNames)
        out._names, out._pattern = self._names, self._pattern
        out._extra = tuple(sorted(set(self._extra + more), key=lambda n: (-len(n), n)))
        return out

    def finditer(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of every occurrence of a known name (may overlap)."""
        if self._pattern is not None:
            for m in self._pattern.finditer(text):
                yield m.span()
        for name in self._extra:
            at = text.find(name)
            while at >= 0:
                yield at, at + len(name)
                at = text.find(name, at + len(name))

    def __bool__(self) -> bool:
        return bool(self._names or self._extra)

    def __repr__(self) -> str:
        return f"KnownNames({len(self._names)} + {len(self._extra)} names)"


EMPTY: Final = KnownNames()
