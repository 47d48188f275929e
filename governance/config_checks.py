"""Reading a reference-data file (``python app.py config import``): bounded YAML, then
every entry checked field by field into plain rows, with every error collected.

Why a module of its own: the checks need no database (area codes are resolved through a
function the caller passes), so a whole file is judged before a single statement is
written (DESIGN: no validation mixed into an open session with placeholder values), and
the property tests can throw anything at them.

The file is YAML, read with :func:`yaml.safe_load` semantics only (no Python objects),
and bounded before anything is built from it: at most :data:`MAX_BYTES` bytes, no
aliases (``*name``; a "billion laughs" document expands a few hundred bytes into
gigabytes through them, and a hand-edited reference file never needs them), at most
:data:`MAX_DEPTH` levels of nesting and :data:`MAX_NODES` values (:func:`_scan`). Each section holds at most :data:`MAX_ENTRIES`
entries, and at most :data:`MAX_ERRORS` errors are kept.

Codes (departments, categories) are taken as typed after surrounding spaces are removed:
ASCII letters, digits, ``_``, ``.`` and ``-``. A full-width character or a space inside is
refused, with a message that says what to change, rather than folded silently: a code is
a key other systems and files repeat, and a silently corrected one would not match them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import yaml

from governance import config_rows as rows
from governance.config_rows import RowError, bad, too_many_errors
from governance.errors import InvalidInput

FORMAT_VERSION: Final = 1
VERSION_KEY: Final = "minqing_config"
MAX_BYTES: Final = 5 * 1024 * 1024
MAX_DEPTH: Final = 12  # document > section > group > children > child > assist list ...
MAX_ENTRIES: Final = 10_000
MAX_NODES: Final = 150_000  # values in all (a county's reference data: some tens of thousands)
MAX_ERRORS: Final = 200
SECTIONS: Final = ("departments", "categories", "routing_rules", "sla_policies", "calendar")
PRIORITIES: Final = (1, 4)  # 1 urgent .. 4 low (incident.priority's CHECK)

_CODE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")
_GBT: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,19}")
_COLOR: Final = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FULL_WIDTH: Final = re.compile(r"[\u3000\uff01-\uff5e]")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

AreaResolver = Callable[[object], "str | None"]


# ----------------------------------------------------------------------------- reading
#: libyaml's loader when PyYAML has it (its wheels do): the same safe schema, ten times
#: faster than the pure-Python one.
_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scan(stream: str) -> None:
    """Read the document's events one by one, none kept, and refuse it at the first
    alias, at more than :data:`MAX_DEPTH` levels of nesting or more than
    :data:`MAX_NODES` values: before any of it is built. (Built, 5 MB of ``0,`` are 2.5
    million nodes, 1.7 GB of memory and most of a minute in the pure-Python loader.)"""
    depth = nodes = 0
    loader = _LOADER(stream)
    try:
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.AliasEvent):
                raise _Refused("config.error.yaml_alias", line=line)
            if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise _Refused("config.error.yaml_nodes", max=MAX_NODES, line=line)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Refused("config.error.yaml_depth", max=MAX_DEPTH, line=line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


class _Refused(Exception):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.error = RowError(None, None, None, key, params)


def check_size(size: int) -> None:
    """Refuse a file of more than :data:`MAX_BYTES` bytes (before reading it, if the
    caller knows its size)."""
    if size > MAX_BYTES:
        raise _rejected("config.error.too_large", size=size, max=MAX_BYTES)


def parse(data: bytes) -> Any:
    """The document in ``data`` (plain YAML values), or :class:`~governance.config_rows.
    ConfigRejected` with one error: too large, not UTF-8, not YAML, aliases, too deep."""
    check_size(len(data))
    try:
        stream = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _rejected("config.error.encoding") from None
    try:
        _scan(stream)
        return yaml.load(stream, Loader=_LOADER)
    except _Refused as refused:
        raise rows.ConfigRejected([refused.error]) from None
    except yaml.reader.ReaderError as err:
        char = f"U+{err.character:04X}" if isinstance(err.character, int) else "?"
        raise _rejected("config.error.yaml_char", char=char, position=err.position) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 0
        problem = rows.shown(err.problem or err.context or "")
        raise _rejected("config.error.yaml", line=line, problem=problem) from None
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        # a bad date (2026-13-45), an integer of thousands of digits
        raise _rejected("config.error.yaml_value") from None


def _rejected(key: str, **params: object) -> rows.ConfigRejected:
    return rows.ConfigRejected([RowError(None, None, None, key, params)])


# ----------------------------------------------------------------------------- fields
def code(value: object) -> str:
    """A code as typed, without surrounding spaces; refused with what to change."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad("config.error.not_text")
    if isinstance(value, int):
        raise bad("config.error.quote_number", value=value)
    s = value.strip()
    if not s:
        raise bad("config.error.required")
    if m := _FULL_WIDTH.search(s):
        raise bad("config.error.code_full_width", value=rows.shown(s), char=m.group())
    if re.search(r"\s", s):
        raise bad("config.error.code_space", value=rows.shown(s))
    if not _CODE.fullmatch(s):
        raise bad("config.error.code_chars", value=rows.shown(s))
    return s


def text(value: object, max_len: int, multiline: bool = False) -> str | None:
    """Stripped text, None when empty."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise bad("config.error.not_text")
    s = str(value).strip()
    probe = re.sub(r"[\t\r\n]", "", s) if multiline else s
    if _CONTROL.search(probe):
        raise bad("config.error.control")
    if len(s) > max_len:
        raise bad("config.error.too_long", max=max_len)
    return s or None


def integer(value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad("config.error.not_int")
    if not lo <= value <= hi:
        raise bad("config.error.out_of_range", lo=lo, hi=hi)
    return value


def flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise bad("config.error.not_bool")
    return value


def day(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise bad("config.error.bad_day")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()) if len(value) <= 12 else None
        except ValueError:
            value = None
        if value is None:
            raise bad("config.error.bad_day")
    if not date(2000, 1, 1) <= value <= date(2099, 12, 31):
        raise bad("config.error.day_range", lo="2000-01-01", hi="2099-12-31")
    return value


def color(value: object) -> str:
    if not isinstance(value, str) or not _COLOR.fullmatch(value.strip()):
        raise bad("config.error.bad_color")
    return value.strip().lower()


def gbt_code(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        raise bad("config.error.quote_number", value=value)
    if not isinstance(value, str) or not _GBT.fullmatch(value.strip()):
        raise bad("config.error.bad_gbt")
    return value.strip()


# ----------------------------------------------------------------------------- entries
@dataclass
class Checked:
    """A file's entries as rows (dicts keyed as :func:`governance.config_io.snapshot`
    keys them), in file order, and the errors found."""

    departments: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    routing_rules: dict[tuple[str | None, str | None], dict[str, Any]] = field(default_factory=dict)
    sla_policies: dict[tuple[str | None, int | None], dict[str, Any]] = field(default_factory=dict)
    calendar: dict[date, dict[str, Any]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    sections: set[str] = field(default_factory=set)  # the sections the file has
    positions: dict[tuple[str, Any], rows.Where] = field(default_factory=dict)  # entry -> where

    def add(self, error: RowError) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append(too_many_errors(MAX_ERRORS))


Spec = Mapping[str, tuple[bool, Callable[[Any], Any], Any]]  # field -> required, convert, default


def convert(raw: object, spec: Spec, where: rows.Where, out: Checked) -> dict[str, Any] | None:
    """``raw`` (an entry) as a row: each field of ``spec`` converted (its default when
    absent or empty); None, with every error added to ``out``, when any field is wrong,
    missing though required, or unknown."""
    if not isinstance(raw, dict):
        out.add(where.error(None, "config.error.entry_not_mapping"))
        return None
    ok = True
    for key in raw:
        if not isinstance(key, str) or key not in spec:
            ok = False
            out.add(where.error(rows.shown(key), "config.error.unknown_field",
                                name=rows.shown(key), allowed=", ".join(spec)))  # fmt: skip
    row: dict[str, Any] = {}
    for key, (required, conv, default) in spec.items():
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                ok = False
                out.add(where.error(key, "config.error.required"))
            row[key] = default
            continue
        try:
            row[key] = conv(value)
        except rows.Bad as err:
            ok = False
            out.add(where.error(key, err.key, **err.params))
        except InvalidInput as err:  # an area code (governance/area_codes.py)
            ok = False
            out.add(where.error(key, err.key, **err.params))
    return row if ok else None
