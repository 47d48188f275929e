"""Request shapes declared once (DESIGN rule 11): field types for pydantic models that
validate through :mod:`governance.inputs` and state the same rule in their JSON Schema.

A request model (:mod:`governance.request_model`: the intake item, a transition, a reveal,
a layer query) is a pydantic model whose fields are annotated with one of these shapes. The shape is the rule: its
``check`` decides what the server accepts, and its ``json_schema`` says exactly that in
the OpenAPI document (``maxLength`` on the text as sent, a ``pattern`` for the characters
it may hold, number ranges, enums), so that the document is neither looser nor stricter
than the server. Each shape refuses by raising :class:`~governance.errors.InvalidInput`
with a catalog key (a model may rename the keys, e.g. to intake's row-level keys); pydantic
lets such an error through unchanged, so the first problem of a request is the answer.

The patterns use only constructs on which ECMA-262 (JSON Schema), Python's ``re`` and
Hypothesis agree: explicit ``\\uXXXX`` ranges, ``[0-9]`` (never ``\\d``, which is Unicode
in Python), no look-arounds.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, Final

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from governance import inputs
from governance.errors import InvalidInput

# Character classes, in the form both regex dialects read.
CONTROL: Final = r"\u0000-\u001f\u007f-\u009f"
CONTROL_MULTILINE: Final = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
BIDI: Final = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # removed by inputs.text
SPACE: Final = r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # str.strip()
# Characters (besides controls) that make an identifier look like another one or like
# nothing: spaces other than " ", line separators, format characters, private use.
INVISIBLE: Final = (
    r"\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f"
    r"\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ue000-\uf8ff\ufe00-\ufe0f"
    r"\ufeff\uffa0\ufff0-\ufffb"
)
# A decimal as inputs.number reads it (ASCII digits, optional exponent).
DECIMAL: Final = inputs.DECIMAL_PATTERN


def instant_pattern(year: str = "[0-9]{4}") -> str:
    """An ISO 8601 day with an optional time and zone (what ``datetime.fromisoformat``
    reads of it); the calendar and the bounds are checked after parsing."""
    return (
        year + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
        r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
        r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?"
    )


INSTANT_PATTERN: Final = instant_pattern()
CENTURY_PATTERN: Final = instant_pattern("20[0-9]{2}")  # 2000-01-01 .. 2099-12-31
MAX_ID: Final = 999_999_999_999_999_999  # 18 digits: every id below 2**63


def keyed(keys: Mapping[str, str], err: InvalidInput, **params: object) -> InvalidInput:
    """``err`` under the model's own key for it (``keys`` maps generic -> specific)."""
    return InvalidInput(keys.get(err.key, err.key), **{**err.params, **params})


@dataclass(frozen=True, kw_only=True)
class Shape(ABC):
    """A field type: ``check(value, field)`` returns the clean value or raises
    :class:`InvalidInput`; ``json_schema()`` is the same rule for the document."""

    required: bool = False
    keys: Mapping[str, str] = field(default_factory=dict)
    description: str | None = None
    null_ok: ClassVar[bool] = True  # an absent or null optional field is None

    def check(self, value: object, name: str) -> Any:
        if value is None and not self.required:
            return None
        try:
            return self._check(value, name)
        except InvalidInput as err:
            shown = {} if "value" in err.params else {"value": _shown(value)}
            raise keyed(self.keys, err, field=name, **shown) from None

    @abstractmethod
    def _check(self, value: object, name: str) -> Any:
        """The clean value of a present ``value``, or :class:`InvalidInput`."""

    @abstractmethod
    def schema(self) -> dict[str, Any]:
        """The field's JSON Schema (without the null an optional field allows)."""

    def json_schema(self) -> dict[str, Any]:
        """The schema of the field in a JSON body: null allowed where it means absent."""
        out = self.schema()
        if not self.required and self.null_ok:
            if "anyOf" in out:
                out["anyOf"].append({"type": "null"})
            elif isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
                if "enum" in out:
                    out["enum"].append(None)
        if self.description:
            out["description"] = self.description
        return out

    def _fail(self, key: str, where: str, /, **params: object) -> InvalidInput:
        return InvalidInput(key, **{"field": where, **params})

    # pydantic integration: the shape is the whole validator of its field
    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def run(value: object, info: core_schema.ValidationInfo) -> Any:
            return self.check(value, info.field_name or "value")

        return core_schema.with_info_plain_validator_function(run)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return self.json_schema()


def _shown(value: object) -> str:
    """A refused value as a message may quote it: short, printable."""
    text = value if isinstance(value, str) else repr(value)
    return re.sub(rf"[{CONTROL}\ud800-\udfff]", "?", text[:40])


@lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str]:
    """A shape's pattern, compiled once (they are checked on every item of a batch)."""
    return re.compile(pattern)


_BIDI_RE: Final = re.compile(f"[{BIDI}]")


def _charset(multiline: bool) -> str:
    return CONTROL_MULTILINE if multiline else CONTROL


@dataclass(frozen=True, kw_only=True)
class Text(Shape):
    """Free text, through :func:`inputs.text`: as sent, at most ``max_len`` characters and
    no control character (tab and line breaks when ``multiline``); stored stripped, NFC,
    without direction controls. ``min_len``: characters of the stripped text, refused
    with ``short_key`` (a required text has at least one)."""

    max_len: int = 200
    multiline: bool = False
    min_len: int = 0
    short_key: str = "error.input.required"
    refuse: str = ""  # a character class (regex ranges) also refused, with refuse_key
    refuse_key: str = "error.input.control"

    @property
    def least(self) -> int:
        return max(self.min_len, 1 if self.required else 0)

    def check(self, value: object, name: str) -> Any:
        if value is None and self.required:
            raise keyed(self.keys, self._fail(self.short_key, name, n=self.least))
        return super().check(value, name)

    def _check(self, value: object, name: str) -> str | None:
        if not isinstance(value, str):
            raise self._fail("error.input.type", name)
        if len(value) > self.max_len:
            raise self._fail("error.input.too_long", name, max=self.max_len, n=len(value))
        if inputs.has_control(value, multiline=self.multiline):
            raise self._fail("error.input.control", name)
        if self.refuse and _regex(f"[{self.refuse}]").search(value):
            raise self._fail(self.refuse_key, name)
        if self.least and len(_BIDI_RE.sub("", value).strip()) < self.least:
            raise self._fail(self.short_key, name, n=self.least)
        return inputs.text(value, name, max_len=self.max_len, multiline=self.multiline)

    def pattern(self) -> str:
        """No control character; at least :attr:`least` characters once stripped."""
        ctrl = _charset(self.multiline) + self.refuse
        space = SPACE + (r"\t\n\r" if self.multiline else "")
        allowed, solid = f"[^{ctrl}]", f"[^{ctrl}{space}{BIDI}]"
        if self.least == 0:
            return f"^{allowed}*$"
        if self.least == 1:
            return f"^{allowed}*{solid}{allowed}*$"
        blank, inner = f"[{space}{BIDI}]", f"[^{ctrl}{BIDI}]"
        middle = f"(?:[{BIDI}]*{inner}){{{self.least - 2},}}[{BIDI}]*"
        return f"^{blank}*{solid}{middle}{solid}{blank}*$"

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_len, "pattern": self.pattern()}


@dataclass(frozen=True, kw_only=True)
class Pattern(Shape):
    """A string that must match ``regex`` as sent (no normalisation but ``str.strip()``
    of spaces the regex allows at its ends), at most ``max_len`` characters; refused
    with ``key``. ``blank_ok``: a string of spaces only counts as absent."""

    regex: str = ".*"
    max_len: int = 200
    key: str = "error.input.type"
    blank_ok: bool = False

    def _check(self, value: object, name: str) -> str | None:
        if not isinstance(value, str):
            raise self._fail("error.input.type", name)
        if len(value) > self.max_len:
            raise self._fail("error.input.too_long", name, max=self.max_len, n=len(value))
        if not _regex(self.full()).fullmatch(value):
            raise self._fail(self.key, name, value=value[:40])
        out = value.strip(" ")
        return out or None

    def full(self) -> str:
        return f"(?:{self.regex})|(?: *)" if self.blank_ok else self.regex

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_len, "pattern": f"^(?:{self.full()})$"}


@dataclass(frozen=True, kw_only=True)
class Choice(Shape):
    """One of ``values``, exactly as listed (``fold``: any letter case, surrounding spaces
    allowed; the value returned is the listed one)."""

    values: Sequence[str] = ()
    fold: bool = False
    key: str = "error.unknown_value"
    value_param: str = "value"  # the name of the refused value in the message
    empty_ok: bool = False  # "" counts as absent

    def _check(self, value: object, name: str) -> str | None:
        if isinstance(value, str) and value == "" and self.empty_ok:
            return None
        if isinstance(value, str):
            wanted = value.strip(" ").lower() if self.fold else value
            for v in self.values:
                if wanted == (v.lower() if self.fold else v):
                    return v
        shown = (value if isinstance(value, str) else str(value))[:40]
        raise self._fail(
            self.key,
            name,
            **{"name": name, self.value_param: shown},
            choices=", ".join(self.values),
        )

    def schema(self) -> dict[str, Any]:
        if not self.fold:
            out: dict[str, Any] = {"type": "string", "enum": list(self.values)}
            if self.empty_ok:
                out["enum"].append("")
            return out
        alts = "|".join(_folded(v) for v in self.values)
        empty = "|" if self.empty_ok else ""
        return {"type": "string", "pattern": f"^(?:{empty} *(?:{alts}) *)$"}


def _folded(value: str) -> str:
    """A regex matching ``value`` in any letter case."""
    out = []
    for c in value:
        if c.lower() != c.upper():
            out.append(f"[{c.lower()}{c.upper()}]")
        else:
            out.append(re.escape(c))
    return "".join(out)


@dataclass(frozen=True, kw_only=True)
class Integer(Shape):
    """A whole number in [lo, hi] through :func:`inputs.integer`: a JSON number, or when
    ``strings`` also a string of ASCII digits (query strings, spreadsheet cells)."""

    lo: int = 0
    hi: int = MAX_ID
    strings: bool = False

    def _check(self, value: object, name: str) -> int:
        if isinstance(value, str) and not self.strings:
            raise self._fail("error.input.integer", name)
        if isinstance(value, str) and inputs.has_control(value):
            raise self._fail("error.input.integer", name)
        return inputs.integer(value, name, lo=self.lo, hi=self.hi)

    def schema(self) -> dict[str, Any]:
        number = {"type": "integer", "minimum": self.lo, "maximum": self.hi}
        if not self.strings:
            return number
        return {"anyOf": [number, {"type": "string", "pattern": self.string_pattern()}]}

    def string_pattern(self) -> str:
        """A numeral of at most 18 digits (its range is the number's, checked after)."""
        return f"^[{SPACE}]*[+-]?[0-9]{{1,18}}[{SPACE}]*$"


@dataclass(frozen=True, kw_only=True)
class Number(Shape):
    """A finite number in [lo, hi] through :func:`inputs.number`: a JSON number, or when
    ``strings`` also an ASCII decimal string. A non-finite JSON value (``NaN``) is refused
    with ``error.input.finite``."""

    lo: float = -math.inf
    hi: float = math.inf
    strings: bool = False

    def _check(self, value: object, name: str) -> float:
        if isinstance(value, float) and not math.isfinite(value):
            raise self._fail("error.input.finite", name)
        if isinstance(value, str) and (
            not self.strings or not _regex(self.string_pattern()).fullmatch(value)
        ):
            raise self._fail("error.input.number", name)
        try:
            return inputs.number(value, name, lo=self.lo, hi=self.hi)
        except InvalidInput as err:
            if err.key == "error.input.range":  # say which value (it parsed)
                err.params["value"] = value
            raise

    def string_pattern(self) -> str:
        return f"[{SPACE}]*{DECIMAL}[{SPACE}]*"

    def schema(self) -> dict[str, Any]:
        number: dict[str, Any] = {"type": "number"}
        if math.isfinite(self.lo):
            number["minimum"] = self.lo
        if math.isfinite(self.hi):
            number["maximum"] = self.hi
        if not self.strings:
            return number
        return {"anyOf": [number, {"type": "string", "pattern": f"^{self.string_pattern()}$"}]}


@dataclass(frozen=True, kw_only=True)
class Instant(Shape):
    """An ISO 8601 day or time (:func:`instant_pattern`), returned as the string; the
    caller parses it and checks its bounds (they depend on the clock or the record).
    ``century``: years 2000..2099 only."""

    key: str = "error.input.date"
    century: bool = False

    def pattern(self) -> str:
        return CENTURY_PATTERN if self.century else INSTANT_PATTERN

    def _check(self, value: object, name: str) -> str:
        if not isinstance(value, str) or not _regex(self.pattern()).fullmatch(value):
            raise self._fail(self.key, name, name=name)
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{self.pattern()}$"}


@dataclass(frozen=True, kw_only=True)
class Custom(Shape):
    """A field checked by ``parse`` (which raises :class:`InvalidInput`) and documented by
    ``doc`` (a JSON Schema)."""

    parse: Callable[[object, str], Any] = lambda v, _n: v
    doc: Mapping[str, Any] = field(default_factory=dict)
    null_ok: ClassVar[bool] = False

    def _check(self, value: object, name: str) -> Any:
        return self.parse(value, name)

    def schema(self) -> dict[str, Any]:
        return dict(self.doc)
