"""File import of hotline exports (CSV, XLSX): column mapping, preview, all rows or none.

A commander or supervisor (``INCIDENT_IMPORT``) uploads an export, maps its columns to
incident fields (:func:`guess_mapping` proposes a mapping for the usual Chinese hotline
headers), chooses the source and the file's coordinate system, previews and imports:

- :func:`upload` reads the file once (:mod:`governance.file_tables`, bounded in memory
  and time) and keeps its table server-side (:mod:`governance.file_uploads`) under an
  id bound to the uploader; the later steps get only that id.
- :func:`preview` validates every row of the upload as intake does and returns the
  first rows as they will be stored (categories by name), every row's errors (row number
  as in the file, the column as the user mapped it, what is wrong and what to change:
  :mod:`governance.file_feedback`), every correction the import makes by itself
  (swapped coordinates, trimmed or normalised text, a day without a time) and the counts
  of new rows and replays of stored external ids. Nothing is written but the upload.
- :func:`commit` does the same and writes every row in one transaction through
  :func:`governance.intake_write.write_items` (the one writer of incidents: idempotency on
  ``(source, external_id)``, CRS conversion, grid and H3 cells, a supervisor's area,
  one ``data_change`` audit record whose ``intake`` names the file), and forgets the
  upload. A single bad row refuses the whole file, and so do corrections the user did
  not accept (``accept_corrections``).

Each use case is one transaction, opened here (it reads the upload in it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata import crs as crs_mod
from geodata.db import ALL_AREAS, scope_within
from geodata.models import IncidentSource
from geodata.queries import intake as q
from governance import file_uploads as uploads
from governance.access import INCIDENT_IMPORT, Principal, require
from governance.errors import InvalidInput
from governance.file_feedback import Categories, Correction, RowError, corrections, row_errors
from governance.file_mapping import FIELDS, REQUIRED, guess_mapping
from governance.file_tables import MAX_FILE_BYTES, MAX_ROWS, Table, clean_filename, read_table
from governance.file_uploads import decode_upload
from governance.intake_checks import IntakeInvalid, Item, validate_items
from governance.intake_write import Actor, write_items
from i18n import current_lang, t

log = logging.getLogger(__name__)

__all__ = [
    "FIELDS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "commit",
    "decode_upload",
    "guess_mapping",
    "preview",
    "upload",
]

SOURCES = tuple(s.value for s in IncidentSource if s is not IncidentSource.PUBLIC)
DEFAULT_SOURCE = IncidentSource.HOTLINE.value
DEFAULT_CRS = "gcj02"  # hotline exports carry map-app (GCJ-02) coordinates
PREVIEW_ROWS = 20
MAX_ERRORS = 200  # errors listed; the count is always complete
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


# ----------------------------------------------------------------------------- results
class ImportInvalid(InvalidInput):
    """Some rows are invalid (or the point is outside the importer's area): nothing was
    written. ``errors`` lists every problem, row by row."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        first = errors[0]
        super().__init__(
            "import.error.invalid_rows",
            n=len({e.row for e in errors}),
            total=total,
            row=first.row,
            column=first.column,
            detail=first.message,
        )
        self.errors = errors


class CorrectionsNotAccepted(InvalidInput):
    """The file is valid only with corrections the import makes by itself (listed by the
    preview), and the user has not accepted them: nothing was written."""

    def __init__(self, fixes: list[Correction]) -> None:
        super().__init__("import.error.corrections", n=len(fixes), rows=len({f.row for f in fixes}))
        self.corrections = fixes


class Unmapped(InvalidInput):
    """Required fields mapped to no column (a file with other columns)."""

    def __init__(self, fields: list[str], headers: str) -> None:
        super().__init__("import.error.unmapped", fields=", ".join(fields), headers=headers)
        self.fields = fields

    def user_message(self, lang: str | None = None) -> str:
        names = ", ".join(t(f"import.field.{f}", lang) for f in self.fields)
        return t(self.key, lang, fields=names, headers=self.params["headers"])


@dataclass(frozen=True)
class Upload:
    """A file read and kept: the id of its table, what the page shows of it."""

    id: str
    filename: str
    headers: list[str]
    rows: int
    mapping: dict[str, str | None]


@dataclass
class Preview:
    """What an import would do: the first rows as stored, every error, the counts."""

    filename: str
    total: int
    rows: list[dict[str, Any]]
    errors: list[RowError]
    error_count: int
    new: int = 0
    replays: int = 0
    repeats: int = 0  # rows repeating an external id seen earlier in the same file
    mapping: dict[str, str | None] = field(default_factory=dict)
    corrections: list[Correction] = field(default_factory=list)  # the first MAX_ERRORS
    correction_count: int = 0


# ----------------------------------------------------------------------------- input
def upload(s: Session, principal: Principal | None, filename: object, data: bytes) -> Upload:
    """Read an uploaded file (the one time it is parsed) and keep its table, stored in the
    caller's unit of work ``s``.

    Raises
    ------
    Forbidden
        Without ``INCIDENT_IMPORT``; :class:`InvalidInput` (:class:`PayloadTooLarge`) for
        a file that is unreadable or over a limit of :mod:`governance.file_limits`.
    """
    principal = require(principal, INCIDENT_IMPORT)
    table = read_table(clean_filename(filename), data)
    token = uploads.store(s, principal, table)
    mapping = guess_mapping(table.headers)
    return Upload(token, table.filename, table.headers, len(table.rows), mapping)


def _check_options(mapping: Mapping[str, object], source: str, crs: str, table: Table) -> None:
    if source not in SOURCES:
        raise InvalidInput("import.error.source", choices=", ".join(SOURCES))
    if crs not in crs_mod.SUPPORTED:
        raise InvalidInput("import.error.crs", choices=", ".join(crs_mod.SUPPORTED))
    for f, header in mapping.items():
        if f not in FIELDS:
            raise InvalidInput("import.error.mapping_field", field=str(f)[:40])
        if header is not None and header not in table.headers:
            raise InvalidInput("import.error.mapping_column", column=str(header)[:60])
    missing = [f for f in REQUIRED if not mapping.get(f)]
    if missing:
        raise Unmapped(missing, _shown(table.headers))


def _shown(headers: list[str]) -> str:
    text = ", ".join(headers[:12])
    return text + (" ..." if len(headers) > 12 else "")


# ----------------------------------------------------------------------------- rows
def _time(value: str | None) -> str | None:
    """A time as intake reads it (ISO 8601), from the usual export spellings."""
    if value is None:
        return None
    try:  # written out again: intake reads the extended form only (2026-05-01T10:00)
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        pass
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).isoformat()
        except ValueError:
            continue
    return value  # intake names the problem


def _categories(session: Session) -> tuple[dict[str, int], dict[str, str], Categories]:
    """Leaf code -> default priority; code or name (zh, en; lower case) -> leaf code; the
    leaves' names."""
    leaves = [r for r in q.categories(session) if r["leaf"]]
    names: dict[str, str] = {}
    for r in leaves:
        for key in (r["name_zh"], r["name_en"], r["code"]):
            if key:
                names.setdefault(str(key).strip().lower(), r["code"])
    shown = Categories({r["code"]: (r["name_zh"] or "", r["name_en"] or "") for r in leaves})
    return {r["code"]: int(r["default_priority"]) for r in leaves}, names, shown


def _raw_items(
    table: Table, mapping: Mapping[str, str | None], crs: str, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each row as the intake item it stands for."""
    col = {f: table.headers.index(h) for f, h in mapping.items() if h}

    def cell(cells: list[str | None], f: str) -> str | None:
        i = col.get(f)
        return cells[i] if i is not None and i < len(cells) else None

    out = []
    for _number, cells in table.rows:
        category = cell(cells, "category")
        raw: dict[str, Any] = {
            "external_id": cell(cells, "external_id"),
            "category": names.get(category.lower(), category) if category else None,
            "occurred_at": _time(cell(cells, "occurred_at")),
            "lon": cell(cells, "lon"),
            "lat": cell(cells, "lat"),
            "crs": (cell(cells, "crs") or crs).lower(),
        }
        for f in ("description", "address", "priority"):
            if (value := cell(cells, f)) is not None:
                raw[f] = value
        name, phone = cell(cells, "reporter_name"), cell(cells, "reporter_phone")
        if name or phone:
            raw["reporter"] = {"name": name, "phone": phone}
        out.append(raw)
    return out


def _validate(
    table: Table, mapping: Mapping[str, str | None], source: str, crs: str, session: Session
) -> tuple[list[Item], list[RowError], Categories]:
    """The valid rows as items (``index``: the row's position), every row error and the
    categories' names."""
    leaves, names, categories = _categories(session)
    raws = _raw_items(table, mapping, crs, names)
    try:
        return validate_items(list[object](raws), leaves, source, bulk=True), [], categories
    except IntakeInvalid as err:
        errors = row_errors(table, mapping, err.errors, categories)
        bad = {e.index for e in err.errors}
        good = [i for i in range(len(raws)) if i not in bad]
        kept: list[object] = [raws[i] for i in good]
        items = validate_items(kept, leaves, source, bulk=True) if good else []
        for item, i in zip(items, good, strict=True):
            item.index = i
        return items, errors, categories


def _stored_view(
    table: Table, it: Item, categories: Categories, fixes: list[str]
) -> dict[str, Any]:
    return {
        "row": table.rows[it.index][0],
        "external_id": it.external_id,
        "category": categories.name(it.category, current_lang()),
        "corrections": fixes,
        "occurred_at": it.occurred_at.isoformat(sep=" ", timespec="minutes"),
        "lon": round(it.lon, 6),
        "lat": round(it.lat, 6),
        "priority": it.priority,
        "address": it.address or "",
        "description": it.description[:80],
    }


def _prepared(
    s: Session,
    principal: Principal,
    upload_id: object,
    mapping: Mapping[str, str | None] | None,
    source: str,
    crs: str,
) -> tuple[Table, dict[str, str | None], list[Item], list[RowError], Categories]:
    """The upload's table, the mapping (None: guessed), its valid items, row errors and
    the categories' names."""
    table = uploads.load(s, principal, upload_id)
    mapping = dict(mapping) if mapping is not None else guess_mapping(table.headers)
    _check_options(mapping, source, crs, table)
    return table, mapping, *_validate(table, mapping, source, crs, s)


# ----------------------------------------------------------------------------- use cases
def preview(
    s: Session,
    principal: Principal | None,
    upload_id: object,
    mapping: Mapping[str, str | None] | None = None,
    *,
    source: str = DEFAULT_SOURCE,
    crs: str = DEFAULT_CRS,
) -> Preview:
    """What importing the upload would do (nothing is written), read in the caller's unit
    of work ``s`` (in every area: the grid is found from each point). ``mapping`` None:
    guessed.

    Raises
    ------
    Forbidden
        Without ``INCIDENT_IMPORT``, or another account's upload; :class:`NotFound` for
        an expired upload; :class:`InvalidInput` for an unknown source or CRS, or a
        mapping that leaves a required field unmapped.
    """
    principal = require(principal, INCIDENT_IMPORT)
    with scope_within(s, ALL_AREAS):
        prepared = _prepared(s, principal, upload_id, mapping, source, crs)
        table, mapping, items, errors, categories = prepared
        stored = q.existing_ids(s, source, sorted({it.external_id for it in items}))
    fixes = corrections(table, mapping, items)
    fixes_of: dict[int, list[str]] = {}
    for fix in fixes:
        fixes_of.setdefault(fix.row, []).append(f"{fix.column}: {fix.message}")
    by_index = {it.index: it for it in items}
    rows: list[dict[str, Any]] = []
    for i, (number, _cells) in enumerate(table.rows[:PREVIEW_ROWS]):
        it = by_index.get(i)
        rows.append(
            {"row": number, "error": True}
            if it is None
            else _stored_view(table, it, categories, fixes_of.get(number, []))
        )
    seen: set[str] = set()
    out = Preview(table.filename, len(table.rows), rows, errors[:MAX_ERRORS], len(errors))
    out.mapping = mapping
    out.corrections, out.correction_count = fixes[:MAX_ERRORS], len(fixes)
    for it in items:
        if it.external_id in seen:
            out.repeats += 1
        elif it.external_id in stored:
            out.replays += 1
        else:
            out.new += 1
        seen.add(it.external_id)
    return out


def commit(
    s: Session,
    principal: Principal | None,
    upload_id: object,
    mapping: Mapping[str, str | None] | None = None,
    *,
    source: str = DEFAULT_SOURCE,
    crs: str = DEFAULT_CRS,
    client_addr: str | None = None,
    accept_corrections: bool = False,
) -> dict[str, int]:
    """Import every row of the upload in the caller's unit of work ``s`` (read and written
    in every area, as :func:`preview`), or none (a refusal raises and the unit rolls
    back); the counts. The upload is forgotten once imported. The corrections the
    preview listed are made only with ``accept_corrections``; without it a file that
    needs any is refused (:class:`CorrectionsNotAccepted`).

    Raises
    ------
    Forbidden
        Without ``INCIDENT_IMPORT``; :class:`ImportInvalid` listing every bad row (also
        points outside a supervisor's area); :class:`CorrectionsNotAccepted`;
        :class:`InvalidInput` as :func:`preview`.
    """
    principal = require(principal, INCIDENT_IMPORT)
    actor = Actor.from_user(principal, source=source)
    with scope_within(s, ALL_AREAS):
        prepared = _prepared(s, principal, upload_id, mapping, source, crs)
        table, mapping, items, errors, categories = prepared
        via = "file:" + re.sub(r"[^\w.\- ]", "_", table.filename)[-80:]
        if errors:
            raise ImportInvalid(errors, len(table.rows))
        fixes = corrections(table, mapping, items)
        if fixes and not accept_corrections:
            raise CorrectionsNotAccepted(fixes)
        try:
            written = write_items(s, actor, items, via=via, client_addr=client_addr)
        except IntakeInvalid as err:
            bad = row_errors(table, mapping, err.errors, categories)
            raise ImportInvalid(bad, len(table.rows)) from err
        uploads.discard(s, str(upload_id))
    created = len(written.created)
    log.info("file import %s by %s: %d rows, %d new", via, principal.username, len(items), created)
    return {
        "rows": len(items),
        "created": created,
        "replayed": len(items) - created - len(written.duplicate_of),
        "repeats": len(written.duplicate_of),
    }
