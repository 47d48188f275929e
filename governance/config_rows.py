"""The errors of a reference-data file, one per entry and field, as data.

Why data and not exceptions: an import reports every error of a file at once (a county's
officer fixes them in one pass, not one per run), so the checks collect
:class:`RowError` values, and only the end of the check raises one
:class:`ConfigRejected` holding them all. Each error names the section, the entry (its
number in the file, and its code when it has one) and the field, and its reason is a key
of the message catalog, so the same error reads in Chinese or English.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from governance.errors import InvalidInput
from i18n import t

MAX_SHOWN: Final = 40  # characters of a bad value repeated in a message


def shown(value: object) -> str:
    """A value as a message repeats it: printable characters only, cut short."""
    s = value if isinstance(value, str) else repr(value)
    s = "".join(c if c.isprintable() else "?" for c in s.strip()[: MAX_SHOWN + 1])
    return s if len(s) <= MAX_SHOWN else s[: MAX_SHOWN - 1] + "…"


@dataclass(frozen=True)
class RowError:
    """One error: where (section, entry number from 1, field) and why (a catalog key).

    ``section`` None is the document itself; ``child`` the number of a sub-category
    within its group; ``code`` the entry's code as the file gave it, to find it by."""

    section: str | None
    index: int | None
    field: str | None
    key: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)
    code: str | None = None
    child: int | None = None

    def where(self, lang: str | None = None) -> str:
        """``部门第 3 条（urban_mgmt），字段 name_zh`` / ``Departments, entry 3 (...)``."""
        if self.section is None:
            out = t("config.where.document", lang)
        elif self.index is None:
            out = t(f"config.section.{self.section}", lang)
        else:
            section = t(f"config.section.{self.section}", lang)
            out = t("config.where.entry", lang, section=section, index=self.index)
            if self.child is not None:
                out += t("config.where.child", lang, index=self.child)
        if self.code:
            out += t("config.where.code", lang, code=self.code)
        if self.field:
            out += t("config.where.field", lang, field=self.field)
        return out

    def message(self, lang: str | None = None) -> str:
        """The whole error as a sentence: where, then why."""
        return t("config.where.joined", lang, where=self.where(lang),
                 why=t(self.key, lang, **self.params))  # fmt: skip


class Bad(Exception):
    """A field's value refused (raised by a field converter, caught by its entry)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def bad(key: str, **params: object) -> Bad:
    return Bad(key, **params)


@dataclass(frozen=True)
class Where:
    """The entry being checked, to make its errors."""

    section: str
    index: int
    code: str | None = None
    child: int | None = None

    def error(self, field_: str | None, key: str, **params: object) -> RowError:
        return RowError(self.section, self.index, field_, key, params, self.code, self.child)


def too_many_errors(limit: int) -> RowError:
    return RowError(None, None, None, "config.error.too_many_errors", {"max": limit})


class ConfigRejected(InvalidInput):
    """A file refused: nothing was written. ``errors`` holds every error found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("config.error.rejected", count=len(errors))
        self.errors = errors

    def messages(self, lang: str | None = None) -> list[str]:
        """Each error as a sentence, in file order."""
        return [e.message(lang) for e in self.errors]

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        return {**super().to_dict(lang), "errors": self.messages(lang)}
