"""The columns of a key-site or key-person register and how one cell is read.

Used by :mod:`governance.registry_import`. A county's registers come from many
departments' spreadsheets, so headers are guessed from the usual Chinese names (and
from the field names of this system's own site export, so that an export re-imports
unchanged); types, categories and risk grades are accepted by code or by their name in
either language of the catalog.

Each ``read_*`` function returns the clean value or raises :class:`CellError`, whose
message key and parameters never include the cell's text for identity fields: the
caller decides what may be quoted.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from geodata.models import PersonCategory, SiteType
from governance import inputs
from governance.errors import InvalidInput
from i18n import LANGS, t

SITES: Final = "sites"
PERSONS: Final = "persons"
KINDS: Final = (SITES, PERSONS)

_PLACE: Final = {
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "crs": ("坐标系", "坐标系统", "crs"),
    "community": ("所属社区", "社区", "社区名称", "村社区", "所属村社区", "community"),
    "street": ("所属街道", "街道", "乡镇街道", "街道乡镇", "镇街", "street"),
}
SYNONYMS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    SITES: {
        "code": ("场所编码", "场所编号", "编码", "编号", "code"),
        "id": ("系统编号", "id"),  # this system's own id, as its site export writes it
        "name": ("场所名称", "名称", "单位名称", "name"),
        "site_type": ("场所类型", "场所类别", "类型", "类别", "sitetype"),
        "risk_grade": ("风险等级", "风险级别", "等级", "riskgrade"),
        **{k: _PLACE[k] for k in ("lon", "lat", "crs")},
        "address": ("地址", "详细地址", "场所地址", "address"),
        **{k: _PLACE[k] for k in ("community", "street")},
    },
    PERSONS: {
        "code": ("人员编号", "编号", "code"),
        "full_name": ("姓名", "fullname", "name"),
        "id_number": ("身份证号", "公民身份号码", "身份证号码", "证件号码", "idnumber"),
        "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "phone"),
        "category": ("人员类别", "人员类型", "类别", "category"),
        "care_level": ("关怀等级", "关爱等级", "帮扶等级", "carelevel"),
        **{k: _PLACE[k] for k in ("lon", "lat", "crs")},
        "address": ("住址", "现住址", "居住地址", "地址", "address"),
        **{k: _PLACE[k] for k in ("community", "street")},
    },
}
FIELDS: Final = {kind: tuple(syn) for kind, syn in SYNONYMS.items()}
REQUIRED: Final = {
    SITES: ("name", "site_type", "risk_grade"),
    PERSONS: ("full_name", "id_number", "category"),
}
# Identity fields: stored encrypted, never quoted in a message or a log line.
SECRET: Final = frozenset(("full_name", "id_number", "phone", "address"))
MAX_LEN: Final = {
    "code": 40,
    "name": 120,
    "address": 200,
    "full_name": 40,
    "phone": 20,
    "community": 80,
    "street": 80,
}
_CODE: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.\-/]*")
_PHONE: Final = re.compile(r"\+?[0-9][0-9\-]{4,19}")
_GRADE_WORDS: Final = {"低": 1, "一般": 2, "较大": 3, "重大": 4}
_GRADE_EN: Final = {"low": 1, "moderate": 2, "high": 3, "major": 4}
_LEVEL: Final = re.compile(r"([1-4一二三四])级?")
_NUMERALS: Final = {"一": 1, "二": 2, "三": 3, "四": 4}
# Signs of text decoded with the wrong code page before it reached us: the replacement
# character, "锟斤拷" (U+FFFD encoded as UTF-8 and read as GBK) and Latin-1 letters
# where a Chinese register holds Chinese (GBK bytes read as Windows-1252).
_MOJIBAKE: Final = re.compile(r"\ufffd|锟斤拷|[\u00c0-\u00ff][\u0080-\u00ff]")


class CellError(Exception):
    """One bad cell: ``key`` a catalog key (``registry.cell.*``), ``params`` safe to show."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _names(prefix: str, codes: list[str]) -> dict[str, str]:
    """Code, and its name in each language (lower case, no spaces) -> code."""
    out: dict[str, str] = {}
    for code in codes:
        out[code] = code
        for lang in LANGS:
            out.setdefault(_key(t(f"{prefix}.{code}", lang)), code)
    return out


def _key(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).lower()


SITE_TYPES: Final = _names("site", [s.value for s in SiteType])
CATEGORIES: Final = _names("person", [c.value for c in PersonCategory])
RISK_NAMES: Final = {_key(t(f"risk.{n}", lang)): n for n in range(1, 5) for lang in LANGS}


def garbled(value: str) -> bool:
    """Does ``value`` look like text decoded with the wrong encoding (mojibake)?"""
    return bool(_MOJIBAKE.search(value))


def read_text(value: str, field: str) -> str:
    """Clean text (NFC, no controls, bounded); mojibake refused."""
    try:
        out = inputs.text(value, field, max_len=MAX_LEN.get(field, 200), required=True)
    except InvalidInput as err:
        if err.key == "error.input.too_long":
            raise CellError("registry.cell.too_long", max=MAX_LEN.get(field, 200)) from None
        raise CellError("registry.cell.control") from None
    assert out is not None  # required=True
    if garbled(out):
        raise CellError("registry.cell.mojibake")
    return out


def read_code(value: str) -> str:
    """A department's code: full-width characters folded to ASCII (NFKC; the caller
    lists that as a correction), no spaces inside, letters, digits and ``_.-/``."""
    folded = unicodedata.normalize("NFKC", value).strip()
    if any(c.isspace() for c in folded):
        raise CellError("registry.cell.code_spaces")
    if len(folded) > MAX_LEN["code"]:
        raise CellError("registry.cell.too_long", max=MAX_LEN["code"])
    if not _CODE.fullmatch(folded):
        raise CellError("registry.cell.code_chars")
    return folded


def read_choice(value: str, names: dict[str, str], field: str) -> str:
    """A site type or person category, by code or name (either language)."""
    code = names.get(_key(value))
    if code is None:
        prefix = "site" if field == "site_type" else "person"
        raise CellError(
            "registry.cell.choice",
            names=", ".join(t(f"{prefix}.{c}") for c in dict.fromkeys(names.values())),
        )
    return code


def read_level(value: str, top: int, words: dict[str, int] | None = None) -> int:
    """A grade or level 1..``top``: a digit, 一..四, with or without 级, or a name."""
    raw = _key(value)
    if words and raw in words:
        return words[raw]
    if raw.endswith(".0"):  # a number cell of a spreadsheet: 2.0
        raw = raw[:-2]
    m = _LEVEL.fullmatch(raw)
    level = (_NUMERALS.get(m[1]) or int(m[1])) if m else None
    if level is None or not 1 <= level <= top:
        raise CellError("registry.cell.level", top=top)
    return level


def read_risk(value: str) -> int:
    """A risk grade 1 (low) .. 4 (major), by number or name (低风险, 重大, major ...)."""
    return read_level(value, 4, {**RISK_NAMES, **_GRADE_WORDS, **_GRADE_EN})


def read_phone(value: str) -> str:
    """A phone number: ASCII digits (full-width folded), an optional + and dashes."""
    folded = "".join(unicodedata.normalize("NFKC", value).split())
    if not _PHONE.fullmatch(folded):
        raise CellError("registry.cell.phone")
    return folded


def read_coordinate(value: str, lo: float, hi: float) -> float:
    """A longitude or latitude in degrees (full-width digits folded)."""
    folded = unicodedata.normalize("NFKC", value).strip()
    try:
        return inputs.number(folded, "coordinate", lo=lo, hi=hi)
    except InvalidInput as err:
        key = "registry.cell.range" if err.key == "error.input.range" else "registry.cell.number"
        raise CellError(key, lo=lo, hi=hi) from None
