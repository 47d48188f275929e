"""Bounded reading of the first worksheet of an XLSX file, row by row.

Why not openpyxl or calamine: both trust the file. openpyxl (read-only) pads every row to
the sheet's declared width and yields every row up to its declared height, so a 5 KB
file declaring ``A1:XFD1048576`` costs 11-13 s of CPU, and it loads the shared-string
table whole (a 300 KB file held a 300 MB string). python-calamine 0.9.1 builds a dense
grid from the first to the last cell: the same 5 KB file makes it allocate 512 GB and
abort the process (checked on this machine). So this module reads the few parts a table
needs with :mod:`zipfile` (which never inflates a member past its declared size) and
:mod:`xml.parsers.expat` (no tree is built; DOCTYPEs are refused, so no entity
expansion), and checks every limit of :mod:`governance.file_limits` as it goes:

1. :func:`~governance.xlsx_archive.open_archive`: the zip directory (entries, their
   declared sizes, compression ratios, encryption, compression methods) before anything
   is inflated;
2. the sheet, in one pass: its declared dimension, then each row and cell (row numbers
   counting empty rows, columns, cell lengths, cells, XML elements); shared strings are
   kept as indexes;
3. the shared-string table, keeping only the strings the sheet used.

Members other than the workbook, its relationships, the styles, the shared strings and
the first worksheet (images, embedded objects, nested archives) are never inflated; their
declared size still counts toward the total.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from governance import file_limits as lim
from governance.errors import InvalidInput
from governance.intake_checks import PayloadTooLarge
from governance.xlsx_archive import OLE_MAGIC, Budget, Done, open_archive, parse

log = logging.getLogger(__name__)

Cell = str | int | None  # text, an index into the shared strings, or empty
FORMAT_MAX_CHARS = 255  # Excel's limit on a number format code
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_CORNER = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/"


@dataclass(frozen=True)
class _Parts:
    sheet: str
    strings: str | None
    styles: str | None
    date1904: bool


# ----------------------------------------------------------------------------- the parts
def _rels(archive: zipfile.ZipFile, budget: Budget, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target path in the zip) of ``part``."""
    folder, base = posixpath.split(part)
    out: dict[str, tuple[str, str]] = {}

    def start(tag: str, a: dict[str, str]) -> None:
        if tag == "Relationship" and "Id" in a and "Target" in a:
            target = a["Target"]
            path = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
            out[a["Id"]] = (a.get("Type", ""), posixpath.normpath(path).lstrip("/"))

    rels = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels in archive.NameToInfo:
        parse(archive, budget, rels, lim.MAX_PART_BYTES, start)
    return out


def _kind(rel_type: str) -> str:
    return rel_type.removeprefix(_REL).removeprefix(_STRICT_REL)


def _parts(archive: zipfile.ZipFile, budget: Budget) -> _Parts:
    """Where the first worksheet, the shared strings and the styles are."""
    root = _rels(archive, budget, "")
    book = next((p for t, p in root.values() if _kind(t) == "officeDocument"), "xl/workbook.xml")
    book_rels = _rels(archive, budget, book)
    sheets: list[str] = []
    date1904 = False

    def start(tag: str, a: dict[str, str]) -> None:
        nonlocal date1904
        if tag == "workbookPr":
            date1904 = a.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rid = next((v for k, v in a.items() if k.rpartition(":")[2] == "id"), "")
            rel_type, path = book_rels.get(rid, ("", ""))
            if _kind(rel_type) == "worksheet":
                sheets.append(path)
                raise Done

    parse(archive, budget, book, lim.MAX_PART_BYTES, start)
    if not sheets:
        raise InvalidInput("import.error.xlsx")
    by_kind = {_kind(t): p for t, p in book_rels.values()}
    return _Parts(sheets[0], by_kind.get("sharedStrings"), by_kind.get("styles"), date1904)


def _date_styles(archive: zipfile.ZipFile, budget: Budget, styles: str | None) -> dict[int, bool]:
    """Cell style index -> True for a duration format, False for a date/time format
    (styles that are neither are absent)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    if styles is None or styles not in archive.NameToInfo:
        return {}
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    xf_formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, a: dict[str, str]) -> None:
        if tag == "numFmt" and a.get("numFmtId", "").isdigit():
            code = a.get("formatCode", "")
            formats[int(a["numFmtId"])] = code if len(code) <= FORMAT_MAX_CHARS else ""
        elif tag == "cellXfs":
            depth["cellXfs"] += 1
        elif tag == "xf" and depth["cellXfs"]:
            raw = a.get("numFmtId", "0")
            xf_formats.append(int(raw) if raw.isdigit() and len(raw) < 8 else 0)

    def end(tag: str) -> None:
        if tag == "cellXfs":
            raise Done

    parse(archive, budget, styles, lim.MAX_PART_BYTES, start, end)
    out: dict[int, bool] = {}
    for index, fmt_id in enumerate(xf_formats):
        code = formats.get(fmt_id)
        if code and is_date_format(code):
            out[index] = bool(is_timedelta_format(code))
    return out


# ----------------------------------------------------------------------------- values
def as_text(value: object) -> str | None:
    """A cell value as the text a CSV export would hold."""
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # 12345 typed as a number comes back as 12345.0
    return str(value)


def _number(text: str, duration: bool | None, date1904: bool) -> str:
    """A numeric cell's text: integers without ``.0``; a date style gives ISO 8601."""
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

    text = text.strip()
    if len(text) > 40:
        return text
    try:
        value: float | int = float(text) if any(c in text for c in ".eEnN") else int(text)
    except ValueError:
        return text
    if duration is None:
        return as_text(value) or ""
    try:
        when = from_excel(value, MAC_EPOCH if date1904 else WINDOWS_EPOCH, timedelta=duration)
    except (OverflowError, ValueError):
        return text
    return as_text(when) or ""


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _check_dimension(ref: str) -> None:
    """Refuse a sheet whose declared used range exceeds the limits (before its rows)."""
    m = _CORNER.fullmatch(ref.rpartition(":")[2].strip().upper())  # "A1:XFD1048576"
    if m is None:
        return  # absent or malformed: the rows are checked one by one anyway
    if _column(m[1]) > lim.MAX_COLUMNS or int(m[2]) > lim.MAX_SPAN:
        raise PayloadTooLarge(
            "import.error.dimension", ref=ref[:40], rows=lim.MAX_SPAN, columns=lim.MAX_COLUMNS
        )


# ----------------------------------------------------------------------------- the sheet
class _SheetReader:
    """The expat handlers of a worksheet; completed rows collect in ``done``."""

    def __init__(self, dates: dict[int, bool], date1904: bool) -> None:
        self.dates, self.date1904 = dates, date1904
        self.done: list[tuple[int, list[Cell]]] = []
        self.row = 0
        self.col = 0
        self.cells: dict[int, Cell] = {}
        self.kept = 0
        self.kind = "n"
        self.style = 0
        self.capture = False  # inside <v>, or <t> of an inline string (not phonetic)
        self.inline = False
        self.phonetic = 0
        self.buf: list[str] = []
        self.length = 0

    def start(self, tag: str, a: dict[str, str]) -> None:
        if tag == "c":
            m = _REF.fullmatch(a.get("r", ""))
            self.col = _column(m[1]) if m else self.col + 1
            self.kind, self.buf, self.length = a.get("t", "n"), [], 0
            style = a.get("s", "0")
            self.style = int(style) if style.isdigit() and len(style) < 8 else 0
        elif tag == "v" or (tag == "t" and self.inline and not self.phonetic):
            self.capture = True
        elif tag == "is":
            self.inline = True
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "row":
            raw = a.get("r", "")
            self.row = int(raw) if raw.isdigit() and len(raw) < 8 else self.row + 1
            if self.row > lim.MAX_SPAN:
                raise PayloadTooLarge("import.error.span", row=self.row, max=lim.MAX_SPAN)
            self.col, self.cells = 0, {}
        elif tag == "dimension":
            _check_dimension(a.get("ref", ""))

    def text(self, data: str) -> None:
        if self.capture:
            self.length += len(data)
            if self.length > lim.MAX_CELL_CHARS:
                raise PayloadTooLarge(
                    "import.error.cell_too_long", row=self.row, max=lim.MAX_CELL_CHARS
                )
            self.buf.append(data)

    def end(self, tag: str) -> None:
        if tag in ("v", "t"):
            self.capture = False
        elif tag == "is":
            self.inline = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c":
            self._cell()
        elif tag == "row":
            width = max(self.cells, default=0)
            self.done.append((self.row, [self.cells.get(i) for i in range(1, width + 1)]))
        elif tag == "sheetData":
            raise Done  # the rest (merged cells, print settings ...) is not the table

    def _cell(self) -> None:
        text = "".join(self.buf)
        value: Cell
        if self.kind == "s":
            value = int(text) if text.strip().isdigit() and len(text) < 10 else None
        elif self.kind == "b":
            value = "TRUE" if text.strip() == "1" else "FALSE" if text.strip() else None
        elif self.kind in ("n", ""):
            value = _number(text, self.dates.get(self.style), self.date1904) if text else None
        else:  # inlineStr, str (a formula's text), e (#N/A ...), d (ISO 8601)
            value = text
        if value is None or value == "":
            return
        if self.col > lim.MAX_COLUMNS:
            raise PayloadTooLarge(
                "import.error.too_many_columns", row=self.row, max=lim.MAX_COLUMNS
            )
        self.kept += 1
        if self.kept > lim.MAX_CELLS:
            raise PayloadTooLarge("import.error.too_many_cells", max=lim.MAX_CELLS)
        self.cells[self.col] = value


def _shared_strings(
    archive: zipfile.ZipFile, budget: Budget, part: str | None, needed: set[int]
) -> dict[int, str]:
    """Index -> text of the shared strings the sheet uses (others are read past)."""
    out: dict[int, str] = {}
    if not needed:
        return out
    if part is None or part not in archive.NameToInfo:
        raise InvalidInput("import.error.xlsx")
    last = max(needed)
    state = {"index": -1, "capture": False, "phonetic": 0, "length": 0}
    buf: list[str] = []

    def start(tag: str, _a: dict[str, str]) -> None:
        if tag == "si":
            state["index"] += 1
            state["length"] = 0
            buf.clear()
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "t" and not state["phonetic"]:
            state["capture"] = True

    def text(data: str) -> None:
        if state["capture"]:
            state["length"] += len(data)
            if state["length"] > lim.MAX_CELL_CHARS:
                raise PayloadTooLarge("import.error.string_too_long", max=lim.MAX_CELL_CHARS)
            if state["index"] in needed:
                buf.append(data)

    def end(tag: str) -> None:
        if tag == "t":
            state["capture"] = False
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "si":
            if state["index"] in needed:
                out[state["index"]] = "".join(buf)
            if state["index"] >= last:
                raise Done

    parse(archive, budget, part, lim.MAX_SHARED_STRINGS_BYTES, start, end, text)
    return out


def read_rows(data: bytes) -> Iterator[tuple[int, list[str | None]]]:
    """The rows of the first worksheet: ``(row number, cells)``, empty cells None.

    Raises
    ------
    InvalidInput
        A damaged or encrypted file; :class:`PayloadTooLarge` when a limit of
        :mod:`governance.file_limits` is exceeded (nothing large is read first).
    """
    if data.startswith(OLE_MAGIC):
        raise InvalidInput("import.error.xlsx_encrypted")
    budget = Budget()
    with open_archive(data) as archive:
        parts = _parts(archive, budget)
        sheet = _SheetReader(_date_styles(archive, budget, parts.styles), parts.date1904)
        parse(
            archive,
            budget,
            parts.sheet,
            lim.MAX_UNZIPPED_BYTES,
            sheet.start,
            sheet.end,
            sheet.text,
        )
        needed = {c for _n, cells in sheet.done for c in cells if isinstance(c, int)}
        strings = _shared_strings(archive, budget, parts.strings, needed)
    for number, cells in sheet.done:
        yield number, [strings.get(c, "") if isinstance(c, int) else c for c in cells]
