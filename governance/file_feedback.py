"""What the file import tells the person importing, in their words.

Used by :mod:`governance.file_import`. Two things:

- **Row errors.** Intake's field errors (``intake.field.*``) are written for the API's
  clients ("send a leaf code from GET /api/v1/categories"). A person importing a file
  knows the column they mapped, not the API: :func:`cell_message` says what is wrong with
  the cell and what to change, quoting the cell as the file holds it and naming
  categories by their names (with the nearest names to a misspelt one).
- **Corrections.** What the import changes by itself is listed, row by row, for the
  person to accept before anything is written (:func:`corrections`): a latitude/longitude
  pair given the wrong way round and swapped, spaces around a cell trimmed, text
  normalised (Unicode NFC, direction controls dropped), a day without a time taken as
  00:00.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from governance.file_mapping import FIELDS
from governance.file_tables import Table
from governance.intake_checks import SWAPPED, FieldError, Item
from i18n import current_lang, t

MAX_SHOWN: Final = 40  # characters of a cell quoted in a message
SUGGESTIONS: Final = 3
# Intake's field error -> the import's message for the same cell.
CELL_KEYS: Final = {
    "intake.field.missing": "import.cell.missing",
    "intake.field.category": "import.cell.category",
    "intake.field.time_format": "import.cell.time_format",
    "intake.field.time_future": "import.cell.time_future",
    "intake.field.time_past": "import.cell.time_past",
    "intake.field.not_number": "import.cell.not_number",
    "intake.field.not_finite": "import.cell.not_number",
    "intake.field.lon_range": "import.cell.lon_range",
    "intake.field.lat_range": "import.cell.lat_range",
    "intake.field.crs": "import.cell.crs",
    "intake.field.priority": "import.cell.priority",
    "intake.field.phone": "import.cell.phone",
    "intake.field.too_long": "import.cell.too_long",
    "intake.field.external_id": "import.cell.external_id",
    "intake.field.control_chars": "import.cell.control_chars",
    "intake.field.encoding": "import.cell.control_chars",
    "intake.field.not_text": "import.cell.not_text",
    "intake.field.outside": "import.cell.outside",
    "intake.field.out_of_area": "import.cell.out_of_area",
}
TEXT_FIELDS: Final = ("external_id", "description", "address", "reporter_name")
_HAS_TIME: Final = re.compile(r"\d[:：时]\d|T\d")
_CRS_NAMES: Final = "WGS84, CGCS2000, GCJ-02, BD-09"


@dataclass(frozen=True)
class Correction:
    """A change the import makes by itself: ``row`` as the file numbers it, ``column``
    the header(s) concerned, ``message`` what was changed (the request's language)."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class RowError:
    """One problem of one row: ``row`` as the file numbers it, ``column`` its header."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class Categories:
    """The leaf categories as the import reads them: code -> names (zh-CN, en)."""

    names: Mapping[str, tuple[str, str]]
    _nearest: dict[tuple[str, str], list[str]] = field(default_factory=dict, compare=False)

    def name(self, code: str, lang: str) -> str:
        """The category's name in ``lang`` (the code if it has none)."""
        zh, en = self.names.get(code, (code, code))
        return (en or zh) if lang == "en" else (zh or en)

    def nearest(self, value: str, lang: str) -> list[str]:
        """The names closest to a misspelt ``value``, in ``lang`` (once per value: a file
        may repeat one wrong category on every row)."""
        key = (value[:MAX_SHOWN].lower(), lang)
        if key not in self._nearest:
            self._nearest[key] = self._closest(key[0], lang)
        return self._nearest[key]

    def _closest(self, value: str, lang: str) -> list[str]:
        by_name: dict[str, str] = {}
        for code, (zh, en) in self.names.items():
            for n in (zh, en):
                if n:
                    by_name.setdefault(n.lower(), code)
        close = difflib.get_close_matches(value, list(by_name), SUGGESTIONS, 0.4)
        out: list[str] = []
        for n in close:
            shown = self.name(by_name[n], lang)
            if shown not in out:
                out.append(shown)
        return out or [self.name(c, lang) for c in list(self.names)[:SUGGESTIONS]]


def shown(value: str | None) -> str:
    """A cell quoted in a message: bounded, on one line."""
    text = " ".join((value or "").split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def cell_message(
    err: FieldError, field: str, value: str | None, categories: Categories, lang: str | None
) -> str:
    """The message for one bad cell (``value`` as the file holds it): what is wrong and
    what to change, with no API names."""
    lang_ = lang or current_lang()
    key = CELL_KEYS.get(err.key)
    if key is None:  # not one a file can cause: intake's own words
        return err.message(lang_)
    params: dict[str, object] = {
        **err.params,
        "value": shown(value),
        "field": t(f"import.field.{field}", lang_) if field in FIELDS else field,
        "choices": _CRS_NAMES,
    }
    if key == "import.cell.category":
        names = categories.nearest(str(value or ""), lang_)
        params["names"] = t("import.list_sep", lang_).join(names)
    return t(key, lang_, **params)


def corrections(
    table: Table,
    mapping: Mapping[str, str | None],
    items: Sequence[Item],
    lang: str | None = None,
) -> list[Correction]:
    """Every change the import makes by itself to the valid rows, row by row."""
    lang_ = lang or current_lang()
    col = {f: table.headers.index(h) for f, h in mapping.items() if h}
    fields_of: dict[int, list[str]] = {}
    for f, j in col.items():
        fields_of.setdefault(j, []).append(f)
    trimmed: dict[int, list[int]] = {}  # row position -> trimmed mapped columns
    for i, j in table.trimmed:
        if j in fields_of:
            trimmed.setdefault(i, []).append(j)
    said = {k: t(f"import.fix.{k}", lang_) for k in ("trimmed", "normalised", "day")}
    swapped = t("import.fix.swapped", lang_, lon="{lon}", lat="{lat}")  # filled per row
    out: list[Correction] = []
    for it in items:
        number, cells = table.rows[it.index]

        def cell(f: str, cells: list[str | None] = cells) -> str | None:
            j = col.get(f)
            return cells[j] if j is not None and j < len(cells) else None

        if it.location_flag == SWAPPED:
            out.append(
                Correction(
                    number,
                    f"{mapping.get('lon')} / {mapping.get('lat')}",
                    swapped.format(lon=shown(cell("lon")), lat=shown(cell("lat"))),
                )
            )
        for j in sorted(trimmed.get(it.index, ())):
            out.append(Correction(number, table.headers[j], said["trimmed"]))
        for f in TEXT_FIELDS:
            raw = cell(f)
            kept = getattr(it, f, None)
            if raw is not None and kept is not None and raw != kept:
                out.append(Correction(number, str(mapping[f]), said["normalised"]))
        when = cell("occurred_at")
        if when is not None and not _HAS_TIME.search(when):
            out.append(Correction(number, str(mapping["occurred_at"]), said["day"]))
    return out


def row_errors(
    table: Table,
    mapping: Mapping[str, str | None],
    errors: list[FieldError],
    categories: Categories,
) -> list[RowError]:
    """Intake's item errors with the file's row numbers, the headers the user mapped and
    messages in the user's words (:func:`governance.file_feedback.cell_message`)."""
    out = []
    lang = current_lang()
    for e in errors:
        f = e.field.replace("reporter.", "reporter_")
        value = None
        if f == "location":
            column = " / ".join(h for h in (mapping.get("lon"), mapping.get("lat")) if h)
        elif f == "reporter":
            column = " / ".join(
                h for h in (mapping.get("reporter_name"), mapping.get("reporter_phone")) if h
            )
        else:
            header = mapping.get(f)
            column = header or t(f"import.field.{f}", lang)
            cells = table.rows[e.index][1]
            at = table.headers.index(header) if header else None
            value = cells[at] if at is not None and at < len(cells) else None
        message = cell_message(e, f, value, categories, lang)
        out.append(RowError(table.rows[e.index][0], column, message))
    return out
