"""Reading hotline export files (CSV, XLSX) into a table of text cells, in bounded memory
and time.

Used by :mod:`governance.file_import`. A CSV is UTF-8 (with or without a BOM) or, failing
strict UTF-8, GB18030 (a superset of GBK, what Excel on a Chinese Windows writes); its
delimiter is sniffed among comma, tab, semicolon and bar. An XLSX is read by
:mod:`governance.xlsx_reader`, first worksheet only. The first non-empty row holds the
headers; empty rows are skipped but counted; every row keeps its number in the file (as
a spreadsheet shows it).

Both readers stream: a CSV line at a time (``readline`` with a limit, so a 20 MB line is
never held whole), an XLSX sheet an XML event at a time. Every limit is in
:mod:`governance.file_limits` and every refusal is a translated :class:`InvalidInput`
(a size limit: :class:`PayloadTooLarge`), never a server error.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from governance import file_limits as lim
from governance.errors import InvalidInput
from governance.intake_checks import PayloadTooLarge
from governance.xlsx_archive import OLE_MAGIC
from governance.xlsx_reader import read_rows

log = logging.getLogger(__name__)

MAX_FILE_BYTES = lim.MAX_FILE_BYTES
MAX_ROWS = lim.MAX_ROWS
MAX_COLUMNS = lim.MAX_COLUMNS
MAX_HEADER = lim.MAX_HEADER
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = ",\t;|"
SNIFF_CHARS = 4096  # csv.Sniffer is quadratic on crafted quotes: ~0.3 s here at worst
DEFAULT_NAME = "upload.csv"
MAX_NAME = 200
_NAME_DROPPED = frozenset(("Cc", "Cf", "Cs", "Co", "Cn"))  # controls, bidi/format, surrogates


@dataclass(frozen=True)
class Table:
    """A file's headers and its non-empty data rows: ``(row number in the file, cells)``."""

    filename: str
    headers: list[str]
    rows: list[tuple[int, list[str | None]]]
    # (row position in ``rows``, column index) of cells whose text had spaces around it,
    # trimmed here: the import lists them as corrections for the user to accept
    trimmed: frozenset[tuple[int, int]] = frozenset()


def clean_filename(name: object) -> str:
    """A file name fit to show, log and store: no control, format (bidi overrides,
    zero-width) or surrogate characters, at most :data:`MAX_NAME` characters (the end
    kept, with the extension); :data:`DEFAULT_NAME` when nothing is left."""
    if not isinstance(name, str):
        return DEFAULT_NAME
    kept = "".join(c for c in name[-4 * MAX_NAME :] if unicodedata.category(c) not in _NAME_DROPPED)
    return kept.strip()[-MAX_NAME:] or DEFAULT_NAME


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
        :class:`PayloadTooLarge` over a limit of :mod:`governance.file_limits`.
    """
    check_size(len(data))
    if not data.strip():
        raise InvalidInput("import.error.empty")
    name = filename.lower()
    if data.startswith(ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        rows: Iterable[tuple[int, list[str | None]]] = read_rows(data)
    elif data.startswith(OLE_MAGIC) or name.endswith((".xls", ".et", ".numbers", ".ods")):
        raise InvalidInput("import.error.format", name=filename[-40:])
    else:
        rows = _csv_rows(data)
    return _table(filename, rows)


# ----------------------------------------------------------------------------- CSV
def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _encoding(data: bytes) -> str:
    """UTF-8 if the whole file decodes strictly as UTF-8, else GB18030; checked in chunks,
    the text thrown away (the file is decoded again as it is read). When neither fits,
    the line named is where the encoding that got further failed: most likely the file's
    own encoding, and its one bad byte."""
    view = memoryview(data)
    failed = 0
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        done = 0
        try:
            for done in range(0, len(data), 2**20):
                decoder.decode(view[done : done + 2**20])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            failed = max(failed, done + err.start)
            continue
        return "utf-8-sig" if encoding == "utf-8" else encoding
    raise InvalidInput("import.error.encoding_at", row=_line_of(data, failed))


def _lines(stream: io.TextIOBase) -> Iterator[str]:
    """Physical lines (with their ends), each at most :data:`MAX_LINE_CHARS` long."""
    number = 0
    while line := stream.readline(lim.MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > lim.MAX_LINE_CHARS:
            raise PayloadTooLarge("import.error.line_too_long", row=number, max=lim.MAX_LINE_CHARS)
        yield line


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str | None]]]:
    if b"\x00" in data:
        raise InvalidInput("import.error.binary")
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")
    sample = stream.read(SNIFF_CHARS)
    stream.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(_lines(stream), dialect)
    start = records = 1
    try:
        for record in reader:
            if records > lim.MAX_SPAN:
                raise PayloadTooLarge("import.error.span", row=start, max=lim.MAX_SPAN)
            if len(record) > MAX_COLUMNS and any(c.strip() for c in record[MAX_COLUMNS:]):
                raise PayloadTooLarge("import.error.too_many_columns", row=start, max=MAX_COLUMNS)
            if any(len(c) > lim.MAX_CELL_CHARS for c in record):
                raise PayloadTooLarge(
                    "import.error.cell_too_long", row=start, max=lim.MAX_CELL_CHARS
                )
            yield start, list[str | None](record[:MAX_COLUMNS])
            start = reader.line_num + 1
            records += 1
    except csv.Error as err:
        raise InvalidInput("import.error.csv", row=reader.line_num, reason=str(err)[:80]) from err


# ----------------------------------------------------------------------------- the table
def _table(filename: str, rows: Iterable[tuple[int, list[str | None]]]) -> Table:
    """Headers and data rows, counting rows, cells and characters against the limits."""
    headers: list[str] | None = None
    data: list[tuple[int, list[str | None]]] = []
    trimmed: set[tuple[int, int]] = set()
    cells_kept = chars = 0
    for number, raw in rows:
        cells = [(c.strip() or None) if c is not None else None for c in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if headers is None:
            headers = _headers(cells)
            continue
        trimmed.update((len(data), j) for j, c in enumerate(cells) if c is not None and c != raw[j])
        if len(data) >= MAX_ROWS:
            raise PayloadTooLarge("import.error.too_many_rows", max=MAX_ROWS)
        filled = [c for c in cells if c is not None]
        cells_kept += len(filled)
        chars += sum(len(c) for c in filled)
        if cells_kept > lim.MAX_CELLS:
            raise PayloadTooLarge("import.error.too_many_cells", max=lim.MAX_CELLS)
        if chars > lim.MAX_TEXT_CHARS:
            raise PayloadTooLarge("import.error.too_much_text", max=lim.MAX_TEXT_CHARS)
        data.append((number, cells))
    if headers is None or not data:
        raise InvalidInput("import.error.no_rows")
    width = max(len(cells) for _n, cells in data)
    if width > len(headers):  # data under blank header cells: named by position
        headers = _headers([*headers, *([None] * (width - len(headers)))])
    return Table(filename, headers, data, frozenset(trimmed))


def _headers(cells: list[str | None]) -> list[str]:
    """Header texts, blank ones named by position, repeats refused."""
    out = [(c or f"#{i + 1}")[:MAX_HEADER] for i, c in enumerate(cells)]
    seen: set[str] = set()
    for h in out:
        if h in seen:
            raise InvalidInput("import.error.duplicate_header", column=h)
        seen.add(h)
    return out
