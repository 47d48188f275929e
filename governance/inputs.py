"""One way in for text, numbers, dates and JSON from outside (DESIGN rule 11).

Everything a client sends (a query string, a form field, a JSON body, a Dash callback's
values, a file's cells) is hostile until it has passed one of these functions. Each
either returns a clean Python value or raises :class:`~governance.errors.InvalidInput`
naming the field, which every route and callback turns into a translated 4xx. They
exist because the fault test found the same classes of 500 in many places:

* a lone surrogate (``"\\ud800"``, legal in JSON, not in UTF-8) passed validation and
  failed in the INSERT, the COPY or the encryption;
* a NUL byte reached PostgreSQL ("A string literal cannot contain NUL");
* ``"²".isdigit()`` is True and ``int("²")`` fails; ``int("١٢")`` succeeds (Arabic-Indic);
* a number with thousands of digits overflowed (and Python refuses more than 4,300
  digits inside ``json.loads``); ``9999-12-31`` plus a day overflowed a date;
* JSON nested 100,000 deep raised RecursionError.

Text is NFC-normalised; Unicode direction controls (the "Trojan Source" characters, which
can make a file name or a note display as something else) are removed.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import date
from typing import Any, Final

from governance.errors import InvalidInput

# C0 and C1 controls and DEL; tab, line feed and carriage return are allowed only where
# text may span lines.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
# Bidirectional formatting characters: LRM, RLM, ALM, LRE..RLO, LRI..PDI.
_BIDI: Final = re.compile(r"[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_INTEGER: Final = re.compile(r"[+-]?[0-9]{1,18}")  # ASCII only, below 2**63
# A decimal: at most 15 digits before the point (lon/lat, zoom and ranges need far fewer)
# and 24 after it (a float printed in full, 0.000123456789012345678, has 21).
DECIMAL_PATTERN: Final = (
    r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,24})?|\.[0-9]{1,24})(?:[eE][+-]?[0-9]{1,3})?"
)
_DECIMAL: Final = re.compile(DECIMAL_PATTERN)
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST_DAY: Final = date(2000, 1, 1)
LATEST_DAY: Final = date(2099, 12, 31)
MAX_JSON_DEPTH: Final = 32
MAX_JSON_DIGITS: Final = 40  # an integer literal longer than this is refused while parsing


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Does ``value`` hold a control character (tab and line breaks allowed if multiline)?"""
    return bool((_CONTROL_MULTILINE if multiline else _CONTROL).search(value))


def is_clean(value: str) -> bool:
    """Valid UTF-8 (no lone surrogate) and no control character at all."""
    return not _SURROGATE.search(value) and not _CONTROL.search(value)


def text(
    value: object,
    field: str,
    *,
    max_len: int,
    multiline: bool = False,
    required: bool = False,
) -> str | None:
    """A clean string (stripped; None when empty and not ``required``).

    Refused: a non-string, a lone surrogate, a control character (but tab and line
    breaks when ``multiline``), more than ``max_len`` characters."""
    if value is None or value == "":
        if required:
            raise InvalidInput("error.input.required", field=field)
        return None
    if not isinstance(value, str):
        raise InvalidInput("error.input.type", field=field)
    if _SURROGATE.search(value):
        raise InvalidInput("error.input.encoding", field=field)
    value = _BIDI.sub("", unicodedata.normalize("NFC", value)).strip()
    if has_control(value, multiline=multiline):
        raise InvalidInput("error.input.control", field=field)
    if len(value) > max_len:
        raise InvalidInput("error.input.too_long", field=field, max=max_len)
    if not value:
        if required:
            raise InvalidInput("error.input.required", field=field)
        return None
    return value


def file_name(value: object, *, max_len: int = 200) -> str:
    """A file name as it may be stored and shown: clean text, no path, no direction
    controls; "file" when nothing is left."""
    name = text(value, "filename", max_len=10_000) or ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip(" .")
    return name[:max_len] or "file"


def integer(value: object, field: str, *, lo: int, hi: int) -> int:
    """An integer in [lo, hi] from an int or a string of ASCII digits (never a bool,
    never "²" or "١٢", never a float that is not whole)."""
    if isinstance(value, bool):
        raise InvalidInput("error.input.integer", field=field)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise InvalidInput("error.input.integer", field=field)
        value = int(value)
    elif isinstance(value, str):
        raw = value.strip()
        if not _INTEGER.fullmatch(raw):
            raise InvalidInput("error.input.integer", field=field)
        value = int(raw)
    if not isinstance(value, int):
        raise InvalidInput("error.input.integer", field=field)
    if not lo <= value <= hi:
        raise InvalidInput("error.input.range", field=field, lo=lo, hi=hi)
    return value


def number(value: object, field: str, *, lo: float, hi: float) -> float:
    """A finite number in [lo, hi] from an int, a float or an ASCII decimal string."""
    if isinstance(value, bool):
        raise InvalidInput("error.input.number", field=field)
    if isinstance(value, str):
        raw = value.strip()
        if not _DECIMAL.fullmatch(raw):
            raise InvalidInput("error.input.number", field=field)
        value = float(raw)
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise InvalidInput("error.input.range", field=field, lo=lo, hi=hi)
        value = float(value)
    if not isinstance(value, float) or not math.isfinite(value):
        raise InvalidInput("error.input.number", field=field)
    if not lo <= value <= hi:
        raise InvalidInput("error.input.range", field=field, lo=lo, hi=hi)
    return value


def day(value: object, field: str, *, lo: date = EARLIEST_DAY, hi: date = LATEST_DAY) -> date:
    """A calendar day ``YYYY-MM-DD`` (ASCII) in [lo, hi]: far enough from ``date.max``
    that a query can add a day, a week or a month to it."""
    if isinstance(value, date):
        parsed = value
    else:
        raw = text(value, field, max_len=10, required=True) or ""
        if not _DAY.fullmatch(raw):
            raise InvalidInput("error.input.date", field=field)
        try:
            parsed = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput("error.input.date", field=field) from None
    if not lo <= parsed <= hi:
        raise InvalidInput("error.input.date_range", field=field, lo=lo, hi=hi)
    return parsed


class JSONRefused(ValueError):
    """A JSON document that is not one, or is too deep, too large or not valid UTF-8
    (a ValueError: Flask answers 400 to it while reading a request body)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.error = InvalidInput(key, **params)


def _bounded_int(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > MAX_JSON_DIGITS:
        raise JSONRefused("error.input.json_number", max=MAX_JSON_DIGITS)
    return int(literal)


def read_json(raw: bytes | str, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON document of a request body: strict UTF-8, at most ``max_bytes``, at most
    ``max_depth`` levels, no lone surrogate in any string or key, integers of at most
    :data:`MAX_JSON_DIGITS` digits. ``NaN`` / ``Infinity`` parse (callers check numbers
    with :func:`number`, which refuses them naming the field). Raises
    :class:`JSONRefused`."""
    if len(raw) > max_bytes:
        raise JSONRefused("error.input.json_size", max_kb=max_bytes // 1024)
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise JSONRefused("error.input.json_encoding") from None
    if not raw.strip():
        raise JSONRefused("error.input.json_empty")
    try:
        doc = json.loads(raw, parse_int=_bounded_int)
    except JSONRefused:
        raise
    except RecursionError:
        raise JSONRefused("error.input.json_depth", max=max_depth) from None
    except json.JSONDecodeError as err:
        raise JSONRefused(
            "error.input.json", line=err.lineno, column=err.colno, reason=err.msg
        ) from None
    except ValueError:  # a float literal too long to read, say
        raise JSONRefused("error.input.json", line=0, column=0, reason="value") from None
    _check_tree(doc, max_depth)
    return doc


def _check_tree(doc: Any, max_depth: int) -> None:
    """Depth and strings of a parsed document, without recursion."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise JSONRefused("error.input.json_encoding")
            continue
        if isinstance(node, dict):
            if depth > max_depth:
                raise JSONRefused("error.input.json_depth", max=max_depth)
            for k, v in node.items():
                if _SURROGATE.search(k):
                    raise JSONRefused("error.input.json_encoding")
                stack.append((v, depth + 1))
        elif isinstance(node, list):
            if depth > max_depth:
                raise JSONRefused("error.input.json_depth", max=max_depth)
            stack.extend((v, depth + 1) for v in node)
