"""Reading hotline export files (CSV, XLSX) into a table of text cells.

Used by :mod:`governance.file_import`. A CSV is UTF-8 (with or without a BOM) or, failing
strict UTF-8, GB18030 (a superset of GBK, what Excel on a Chinese Windows writes); its
delimiter is sniffed among comma, tab, semicolon and bar. An XLSX is read with openpyxl
in read-only mode, first sheet only. The first non-empty row holds the headers; empty
rows are skipped; every row keeps its number in the file (as a spreadsheet shows it).
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from governance.errors import InvalidInput
from governance.intake_checks import PayloadTooLarge

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 200
MAX_HEADER = 60  # characters of a header kept
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = ",\t;|"


@dataclass(frozen=True)
class Table:
    """A file's headers and its non-empty data rows: ``(row number in the file, cells)``."""

    filename: str
    headers: list[str]
    rows: list[tuple[int, list[str | None]]]


def check_size(n_bytes: int) -> None:
    """:class:`PayloadTooLarge` for a file over :data:`MAX_FILE_BYTES` (before parsing)."""
    if n_bytes > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            "import.error.too_large",
            max_mb=MAX_FILE_BYTES // 2**20,
            mb=round(n_bytes / 2**20, 1),
        )


def read_table(filename: str, data: bytes) -> Table:
    """The table of an uploaded file.

    Raises
    ------
    InvalidInput
        Empty, binary, undecodable or malformed files, no header or no data row;
        :class:`PayloadTooLarge` over :data:`MAX_FILE_BYTES` or :data:`MAX_ROWS`.
    """
    check_size(len(data))
    if not data.strip():
        raise InvalidInput("import.error.empty")
    name = filename.lower()
    if data.startswith(ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        rows: Iterable[tuple[int, list[str | None]]] = _xlsx_rows(data)
    elif name.endswith((".xls", ".et", ".numbers", ".ods")):
        raise InvalidInput("import.error.format", name=filename[-40:])
    else:
        rows = _csv_rows(_decode(data))
    return _table(filename, rows)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as err:
            raise InvalidInput("import.error.encoding") from err
    if "\x00" in text:
        raise InvalidInput("import.error.binary")
    return text


def _csv_rows(text: str) -> Iterator[tuple[int, list[str | None]]]:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:8192], delimiters=DELIMITERS
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    start = 1
    try:
        for record in reader:
            yield start, [c for c in record]
            start = reader.line_num + 1
    except csv.Error as err:
        raise InvalidInput("import.error.csv", row=reader.line_num, reason=str(err)[:80]) from err


def _cell(value: object) -> str | None:
    """An XLSX cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # 12345 typed as a number comes back as 12345.0
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str | None]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise InvalidInput("import.error.xlsx") from err
    except Exception as err:  # a damaged archive fails in many ways (XML parse errors ...)
        log.info("unreadable XLSX", exc_info=True)
        raise InvalidInput("import.error.xlsx") from err
    try:
        if not book.worksheets:
            raise InvalidInput("import.error.xlsx")
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values[:MAX_COLUMNS]]
    except InvalidInput:
        raise
    except Exception as err:
        log.info("unreadable XLSX sheet", exc_info=True)
        raise InvalidInput("import.error.xlsx") from err
    finally:
        book.close()


def _table(filename: str, rows: Iterable[tuple[int, list[str | None]]]) -> Table:
    headers: list[str] | None = None
    data: list[tuple[int, list[str | None]]] = []
    for number, raw in rows:
        cells = [(c.strip() or None) if c is not None else None for c in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if headers is None:
            headers = _headers(cells)
            continue
        if len(data) >= MAX_ROWS:
            raise PayloadTooLarge("import.error.too_many_rows", max=MAX_ROWS)
        data.append((number, cells))
    if headers is None or not data:
        raise InvalidInput("import.error.no_rows")
    return Table(filename, headers, data)


def _headers(cells: list[str | None]) -> list[str]:
    """Header texts, blank ones named by position, repeats refused."""
    out = [(c or f"#{i + 1}")[:MAX_HEADER] for i, c in enumerate(cells)]
    seen: set[str] = set()
    for h in out:
        if h in seen:
            raise InvalidInput("import.error.duplicate_header", column=h)
        seen.add(h)
    return out
