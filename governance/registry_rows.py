"""One row of a key-site or key-person register, read cell by cell into clean values and
a WGS84 point, with its row errors and the corrections the import would make.

Used by :mod:`governance.registry_import`. Every message names the row (as the file
numbers it) and the column (as the user mapped it) and says what is wrong; a cell of an
identity field (name, ID number, phone, address) is never quoted, whatever is wrong
with it, so a register's personal data cannot reach a screen, a log line or an
exception through an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from governance import id_numbers
from governance import registry_fields as rf
from governance.file_feedback import Correction, RowError
from governance.file_tables import Table
from governance.registry_places import Communities, Point, read_crs, read_point
from i18n import t

PLACE_FIELDS: Final = ("lon", "lat", "crs", "community", "street")


@dataclass
class Parsed:
    """A row whose cells are all valid: ``values`` by field, its WGS84 point, and (set
    later) its grid."""

    index: int
    number: int
    values: dict[str, Any]
    point: Point
    grid_id: int = 0
    grid_code: str = ""
    fixes: list[Correction] = field(default_factory=list)


def field_label(name: str, lang: str) -> str:
    """A field's name for the user (the catalog's ``registry.field.*``)."""
    return t(f"registry.field.{name}", lang)


class RowReader:
    """Reads the rows of one table under one mapping and one file-wide CRS."""

    def __init__(
        self,
        kind: str,
        table: Table,
        mapping: Mapping[str, str | None],
        crs: str,
        communities: Callable[[], Communities],
        lang: str,
    ) -> None:
        self.kind, self.table, self.mapping, self.crs, self.lang = kind, table, mapping, crs, lang
        self._col = {f: table.headers.index(h) for f, h in mapping.items() if h}
        self._communities = communities

    def column(self, name: str) -> str:
        """The header the user mapped to field ``name`` (its label when unmapped)."""
        return self.mapping.get(name) or field_label(name, self.lang)

    def error(self, number: int, name: str, key: str, **params: object) -> RowError:
        """A row error for field ``name`` (``location``: the columns that place a row)."""
        if name == "location":
            cols = [self.mapping[f] for f in ("lon", "lat", "community") if self.mapping.get(f)]
            column = " / ".join(str(c) for c in cols) or field_label("location", self.lang)
        else:
            column = self.column(name)
        text = t(key, self.lang, field=column, **params)
        return RowError(number, column, text)

    def _fix(self, number: int, name: str, key: str) -> Correction:
        return Correction(number, self.column(name), t(key, self.lang))

    def read(self, index: int) -> tuple[Parsed | None, list[RowError]]:
        """The row at ``index`` of the table, or its errors (each bad cell once)."""
        number, cells = self.table.rows[index]
        raw: dict[str, str] = {}
        for f, j in self._col.items():
            cell = cells[j] if j < len(cells) else None
            if cell is not None:
                raw[f] = cell
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        fixes: list[Correction] = []
        for name in rf.FIELDS[self.kind]:
            if name in PLACE_FIELDS:
                continue
            value = raw.get(name)
            if value is None:
                if name in rf.REQUIRED[self.kind]:
                    errors.append(self.error(number, name, "registry.cell.missing"))
                continue
            try:
                values[name], fixed = self._cell(name, value)
            except rf.CellError as err:
                errors.append(self.error(number, name, err.key, **err.params))
                continue
            if fixed:
                fixes.append(self._fix(number, name, "registry.fix.folded"))
        point = self._place(number, raw, values, errors, fixes)
        if errors or point is None:
            return None, errors
        return Parsed(index, number, values, point, fixes=fixes), []

    def _cell(self, name: str, value: str) -> tuple[Any, bool]:
        """A clean value and whether the import changed the text (full-width folded)."""
        if name == "code":
            code = rf.read_code(value)
            return code, code != value
        if name == "id":
            return _site_id(value), False
        if name == "site_type":
            return rf.read_choice(rf.read_text(value, name), rf.SITE_TYPES, name), False
        if name == "category":
            return rf.read_choice(rf.read_text(value, name), rf.CATEGORIES, name), False
        if name == "risk_grade":
            return rf.read_risk(value), False
        if name == "care_level":
            return rf.read_level(value, 3), False
        if name == "id_number":
            try:
                idn = id_numbers.validate(value)
            except id_numbers.IdNumberError as err:
                raise rf.CellError(err.key) from None
            return idn, idn != value.upper()
        if name == "phone":
            phone = rf.read_phone(value)
            return phone, phone != value
        return rf.read_text(value, name), False

    def _place(
        self,
        number: int,
        raw: Mapping[str, str],
        values: Mapping[str, Any],
        errors: list[RowError],
        fixes: list[Correction],
    ) -> Point | None:
        """The row's point (None: an error was added)."""
        crs = self.crs
        if "crs" in raw:
            try:
                crs = read_crs(raw["crs"])
            except rf.CellError as err:
                errors.append(self.error(number, "crs", err.key, **err.params))
                return None
        try:
            street = rf.read_text(raw["street"], "street") if "street" in raw else None
            if "lon" in raw or "lat" in raw:
                return self._point(number, raw, crs, errors, fixes)
            if "community" in raw:
                name = rf.read_text(raw["community"], "community")
                return self._communities().by_name(name, street)
            address = values.get("address")
            found = self._communities().in_address(address, street) if address else None
        except rf.CellError as err:
            where = "community" if self.mapping.get("community") else "location"
            errors.append(self.error(number, where, err.key, **err.params))
            return None
        if found is None:
            errors.append(self.error(number, "location", "registry.cell.no_place"))
        return found

    def _point(
        self,
        number: int,
        raw: Mapping[str, str],
        crs: str,
        errors: list[RowError],
        fixes: list[Correction],
    ) -> Point | None:
        missing = [f for f in ("lon", "lat") if f not in raw]
        if missing:
            errors.append(self.error(number, missing[0], "registry.cell.missing"))
            return None
        try:
            point = read_point(raw["lon"], raw["lat"], crs)
        except rf.CellError as err:
            errors.append(self.error(number, "location", err.key, **err.params))
            return None
        if point.swapped:
            column = f"{self.column('lon')} / {self.column('lat')}"
            fixes.append(Correction(number, column, t("registry.fix.swapped", self.lang)))
        return point


def _site_id(value: str) -> int:
    """This system's site id, as its export writes it (digits; 12.0 from a spreadsheet)."""
    raw = value.strip().removesuffix(".0")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) == 0:
        raise rf.CellError("registry.cell.site_id")
    return int(raw)
