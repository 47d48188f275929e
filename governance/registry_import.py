"""Import of key sites (重点场所) and key persons (重点人员) from a county's own registers
(CSV in UTF-8 or GBK, XLSX): mapping, preview with row-level errors, all rows or none.

The file is read by :mod:`governance.file_tables` (bounded in memory and time, as the
hotline import), its columns are mapped to fields (:func:`guess` proposes a mapping from
the usual headers, :mod:`governance.registry_fields`), and each row is read
(:mod:`governance.registry_rows`) and placed (:mod:`governance.registry_places`: any of
the four CRSs, or a community named in the row) in a grid by point-in-polygon.

- **Keys.** A row is the stored site or person with the same department code; without a
  code, a site is the one with the same id (this system's own export) or the only
  uncoded site of that name in that grid, and a person the one with the same ID number,
  found by its blind index (the number itself is never compared in clear). So importing
  the same file again changes nothing and a corrected file updates the same rows in place.
- **Preview** (:func:`preview`) counts new, updated and unchanged rows and lists every
  row error (row number as in the file, the column as mapped, what is wrong) and every
  correction the import would make by itself (a swapped pair, full-width characters
  folded). Nothing is written.
- **Commit** (:func:`commit`) writes every row in the caller's unit of work, or none: any
  row error refuses the file (:class:`~governance.file_import.ImportInvalid`), and so
  do corrections not accepted. One ``data_change`` audit record holds the counts only.

Access is checked here: ``SITES_IMPORT`` or ``PERSONS_IMPORT``; a supervisor's rows must
lie in their area (and a person already registered elsewhere stays theirs to update).
Identities are encrypted with their row's id in the associated data
(``key_person_identity.<field>:<id>``), as the demo seed writes them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.orm import Session

from geodata import crs as crs_mod
from geodata.db import ALL_AREAS, scope_within
from geodata.queries import registry_import as q
from governance import audit, registry_plan
from governance import file_uploads as uploads
from governance import registry_fields as rf
from governance.access import PERSONS_IMPORT, SITES_IMPORT, Principal, require
from governance.errors import InvalidInput
from governance.file_import import CorrectionsNotAccepted, ImportInvalid, Upload
from governance.file_mapping import guess_mapping
from governance.file_tables import Table, clean_filename, read_table
from governance.registry_places import Communities
from governance.registry_plan import Outcome, Plan
from governance.registry_rows import Parsed, RowReader, field_label
from i18n import current_lang, t

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_CRS",
    "Outcome",
    "Unmapped",
    "commit",
    "commit_upload",
    "guess",
    "preview",
    "preview_upload",
    "read",
    "upload",
]

# Registers are kept in map apps (AMap, Tencent) far more often than with a surveyed
# WGS84 point, as are the hotline's; a file in another CRS says so in a column or option.
DEFAULT_CRS: Final = "gcj02"
MAX_ERRORS: Final = 200  # errors listed; the count is always complete
PERMISSION: Final = {rf.SITES: SITES_IMPORT, rf.PERSONS: PERSONS_IMPORT}
# A column of this system's site export: only then is an "id" column guessed to hold
# this system's site ids (another register's "ID" column is its own numbering).
EXPORT_MARK: Final = "grid_code"


class Unmapped(InvalidInput):
    """Required fields mapped to no column."""

    def __init__(self, names: list[str], headers: list[str]) -> None:
        shown = ", ".join(headers[:12]) + (" ..." if len(headers) > 12 else "")
        super().__init__("registry.error.unmapped", fields=", ".join(names), headers=shown)
        self.fields = names

    def user_message(self, lang: str | None = None) -> str:
        names = ", ".join(field_label(f, lang or current_lang()) for f in self.fields)
        return t(self.key, lang, fields=names, headers=self.params["headers"])


# ----------------------------------------------------------------------------- input
def read(filename: object, data: bytes) -> Table:
    """The table of a register file (:func:`governance.file_tables.read_table`)."""
    return read_table(clean_filename(filename), data)


def guess(kind: str, headers: list[str]) -> dict[str, str | None]:
    """Field -> the header that most likely holds it, for a register of ``kind``."""
    _kind(kind)
    out = guess_mapping(headers, fields=rf.FIELDS[kind], synonyms=rf.SYNONYMS[kind])
    if "id" in out and EXPORT_MARK not in headers:  # another system's "ID": not our ids
        out["id"] = None
    return out


def _kind(kind: str) -> str:
    if kind not in rf.KINDS:
        raise InvalidInput("registry.error.kind", choices=", ".join(rf.KINDS))
    return kind


def _check(kind: str, table: Table, mapping: Mapping[str, str | None], crs: str) -> None:
    if crs not in crs_mod.SUPPORTED:
        raise InvalidInput("import.error.crs", choices=", ".join(crs_mod.SUPPORTED))
    for f, header in mapping.items():
        if f not in rf.FIELDS[kind]:
            raise InvalidInput("import.error.mapping_field", field=str(f)[:40])
        if header is not None and header not in table.headers:
            raise InvalidInput("import.error.mapping_column", column=str(header)[:60])
    if any(rf.garbled(h) for h in table.headers):
        raise InvalidInput("registry.error.mojibake")
    missing = [f for f in rf.REQUIRED[kind] if not mapping.get(f)]
    has_point = mapping.get("lon") and mapping.get("lat")
    if not (has_point or mapping.get("community") or mapping.get("address")):
        missing.append("location")
    if missing:
        raise Unmapped(missing, table.headers)


# ----------------------------------------------------------------------------- planning
def _plan(
    s: Session,
    principal: Principal,
    kind: str,
    table: Table,
    mapping: Mapping[str, str | None] | None,
    crs: str,
    lang: str,
) -> Plan:
    """Every row read, placed, keyed and compared with what is stored (read only)."""
    mapping = dict(mapping) if mapping is not None else guess(kind, table.headers)
    _check(kind, table, mapping, crs)
    loaded: list[Communities] = []

    def communities() -> Communities:
        if not loaded:
            loaded.append(Communities(q.communities(s)))
        return loaded[0]

    reader = RowReader(kind, table, mapping, crs, communities, lang)
    plan = Plan(Outcome(kind, table.filename, len(table.rows), mapping))
    parsed: list[Parsed] = []
    for i in range(len(table.rows)):
        row, errors = reader.read(i)
        plan.errors += errors
        if row is not None:
            parsed.append(row)
    parsed = _placed(s, principal, reader, parsed, plan)
    if kind == rf.SITES:
        registry_plan.match_sites(s, reader, parsed, plan)
    else:
        registry_plan.match_persons(s, principal, reader, parsed, plan)
    plan.errors.sort(key=lambda e: e.row)
    plan.fixes = [f for p in parsed for f in p.fixes]
    out = plan.outcome
    out.errors, out.error_count = plan.errors[:MAX_ERRORS], len(plan.errors)
    out.corrections, out.correction_count = plan.fixes[:MAX_ERRORS], len(plan.fixes)
    return plan


def _placed(
    s: Session, principal: Principal, reader: RowReader, rows: list[Parsed], plan: Plan
) -> list[Parsed]:
    """The rows in a grid of the principal's area; the others become row errors."""
    grids = q.grids_of(s, [(p.index, p.point.lon, p.point.lat) for p in rows])
    kept = []
    for p in rows:
        grid = grids.get(p.index)
        if grid is None:
            key = (
                "registry.cell.community_no_grid" if p.point.community else "registry.cell.outside"
            )
            plan.errors.append(reader.error(p.number, "location", key))
        elif not principal.covers(grid[1]):
            area = principal.area_name or principal.area_code or ""
            plan.errors.append(reader.error(p.number, "location", "registry.cell.scope", area=area))
        else:
            p.grid_id, p.grid_code = grid
            kept.append(p)
    return kept


# ----------------------------------------------------------------------------- use cases
def preview(
    s: Session,
    principal: Principal | None,
    kind: str,
    table: Table,
    mapping: Mapping[str, str | None] | None = None,
    *,
    crs: str = DEFAULT_CRS,
    lang: str | None = None,
) -> Outcome:
    """What importing ``table`` as a register of ``kind`` would do; nothing is written.
    ``mapping`` None: guessed; ``lang`` None: the request's language.

    Raises
    ------
    Forbidden
        Without the kind's import permission; :class:`InvalidInput` for an unknown kind
        or CRS, or a mapping that leaves a required field unmapped.
    """
    principal = require(principal, PERMISSION[_kind(kind)])
    with scope_within(s, ALL_AREAS):
        return _plan(s, principal, kind, table, mapping, crs, lang or current_lang()).outcome


def commit(
    s: Session,
    principal: Principal | None,
    kind: str,
    table: Table,
    mapping: Mapping[str, str | None] | None = None,
    *,
    crs: str = DEFAULT_CRS,
    accept_corrections: bool = False,
    client_addr: str | None = None,
    lang: str | None = None,
) -> Outcome:
    """Import every row of ``table`` in the caller's unit of work ``s``, or none (a
    refusal raises and the caller rolls back).

    Raises
    ------
    ImportInvalid
        Listing every row error; :class:`CorrectionsNotAccepted` when the file needs
        corrections and ``accept_corrections`` is false; as :func:`preview` otherwise.
    """
    principal = require(principal, PERMISSION[_kind(kind)])
    with scope_within(s, ALL_AREAS):
        plan = _plan(s, principal, kind, table, mapping, crs, lang or current_lang())
        if plan.errors:
            raise ImportInvalid(plan.errors, len(table.rows))
        if plan.fixes and not accept_corrections:
            raise CorrectionsNotAccepted(plan.fixes)
        registry_plan.write(s, kind, plan)
    out = plan.outcome
    detail: dict[str, Any] = {"import": kind, "crs": crs, "rows": out.total}
    detail |= {"created": out.new, "updated": out.updated, "unchanged": out.unchanged}
    if kind == rf.SITES:  # a persons file may be named after a person: counts only
        detail["file"] = re.sub(r"[^\w.\- ]", "_", table.filename)[-80:]
    audit.record(
        s,
        action="data_change",
        user_id=principal.user_id or None,
        username=principal.username,
        role=principal.role,
        object_type="key_site" if kind == rf.SITES else "key_person",
        client_addr=client_addr,
        detail=detail,
    )
    log.info(
        "register import (%s) by %s: %d rows, %d new, %d updated, %d unchanged",
        kind,
        principal.username,
        out.total,
        out.new,
        out.updated,
        out.unchanged,
    )
    out.written = True
    return out


# ----------------------------------------------------------------------------- the page
# A page sends the file once: it is read here and its table kept server-side, bound to
# the uploader (governance/file_uploads.py, as the hotline import's); the preview and
# the import then send only the upload's id.
def upload(
    s: Session, principal: Principal | None, kind: str, filename: object, data: bytes
) -> Upload:
    """Read an uploaded register and keep its table in the caller's unit of work ``s``."""
    principal = require(principal, PERMISSION[_kind(kind)])
    table = read(filename, data)
    token = uploads.store(s, principal, table)
    return Upload(token, table.filename, table.headers, len(table.rows), guess(kind, table.headers))


def preview_upload(
    s: Session,
    principal: Principal | None,
    kind: str,
    upload_id: object,
    mapping: Mapping[str, str | None] | None = None,
    *,
    crs: str = DEFAULT_CRS,
) -> Outcome:
    """:func:`preview` of a kept upload (another account's: :class:`Forbidden`)."""
    principal = require(principal, PERMISSION[_kind(kind)])
    return preview(s, principal, kind, uploads.load(s, principal, upload_id), mapping, crs=crs)


def commit_upload(
    s: Session,
    principal: Principal | None,
    kind: str,
    upload_id: object,
    mapping: Mapping[str, str | None] | None = None,
    *,
    crs: str = DEFAULT_CRS,
    accept_corrections: bool = False,
    client_addr: str | None = None,
) -> Outcome:
    """:func:`commit` of a kept upload, which is then forgotten."""
    principal = require(principal, PERMISSION[_kind(kind)])
    table = uploads.load(s, principal, upload_id)
    out = commit(
        s,
        principal,
        kind,
        table,
        mapping,
        crs=crs,
        accept_corrections=accept_corrections,
        client_addr=client_addr,
    )
    uploads.discard(s, str(upload_id))
    return out
