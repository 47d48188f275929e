"""Hostile spreadsheets, built in the test (nothing large is kept in the repository).

Each builder returns the bytes of a file that is small on the wire and expensive to read
naively (finding 15 of issue 10):

- :func:`far_corner_xlsx`: ~5 KB, a real 5-row export whose sheet declares
  ``A1:XFD1048576`` and holds one cell at the far corner (openpyxl pads every row to
  16,384 columns and yields a million empty rows: 11-13 s of CPU);
- :func:`shared_string_xlsx`: ~300 KB, one 300 MB shared string;
- :func:`zip_bomb_xlsx`: ~1 MB, an extra member that inflates to 1 GB;
- :func:`lying_header_xlsx`: the sheet's zip headers declare a few KB, its data inflates
  to 200 MB, one inline string (a reader that trusts the stream, not the header, reads
  it all);
- :func:`empty_rows_xlsx` / :func:`empty_rows_csv`: a header, a million empty rows, a
  data row;
- :func:`element_flood_xlsx`: two million XML elements that are not cells;
- :func:`long_line_csv`: one line of ``n`` bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterable

HEADERS = ["工单编号", "诉求类型", "受理时间", "经度", "纬度", "诉求内容"]
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
TYPES = "[Content_Types].xml"
RELS = "xl/_rels/workbook.xml.rels"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
CHUNK = 2**20


def base_xlsx(rows: int = 5) -> bytes:
    """A small, ordinary export written by openpyxl (shared strings, one sheet)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append([f"B-{i}", "路灯", f"2025/3/{i + 1} 9:00", 115.37, 22.78, f"描述 {i}"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


Writer = Callable[[Callable[[bytes], object]], None]


def _rewrite(
    data: bytes,
    replace: dict[str, bytes | Writer],
    extra: dict[str, bytes | Writer] | None = None,
) -> bytes:
    """``data`` with some members replaced (bytes, or a function writing chunks) and
    some added, every member deflated at level 9."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        members = [(i.filename, replace.get(i.filename)) for i in src.infolist()]
        members += list((extra or {}).items())
        for name, new in members:
            if new is None:
                dst.writestr(name, src.read(name))
            elif isinstance(new, bytes):
                dst.writestr(name, new)
            else:
                with dst.open(name, "w", force_zip64=True) as fh:
                    new(fh.write)
    return out.getvalue()


def _sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(SHEET).decode()


def far_corner_xlsx() -> bytes:
    """The 5-row export, its dimension ``A1:XFD1048576`` and a cell at XFD1048576."""
    base = base_xlsx()
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', _sheet(base))
    corner = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    sheet = sheet.replace("</sheetData>", corner)
    return _rewrite(base, {SHEET: sheet.encode()})


def shared_string_xlsx(n_bytes: int = 300 * 2**20) -> bytes:
    """The export with a shared-string table of one string of ``n_bytes`` letters, used
    by a cell (openpyxl writes inline strings: the table, its content type and its
    relationship are added)."""
    base = base_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        types = z.read(TYPES).decode()
        rels = z.read(RELS).decode()
    types = types.replace(
        "</Types>", f'<Override PartName="/{STRINGS}" ContentType="{SST_TYPE}"/></Types>'
    )
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdSst" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>',
    )

    def write(put: Callable[[bytes], object]) -> None:
        put(f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>'.encode())
        block = b"A" * CHUNK
        for _ in range(n_bytes // CHUNK):
            put(block)
        put(b"A" * (n_bytes % CHUNK))
        put(b"</t></si></sst>")

    cell = '<row r="8"><c r="A8" t="s"><v>0</v></c></row></sheetData>'
    sheet = _sheet(base).replace("</sheetData>", cell)
    return _rewrite(
        base,
        {SHEET: sheet.encode(), TYPES: types.encode(), RELS: rels.encode()},
        {STRINGS: write},
    )


def zip_bomb_xlsx(n_bytes: int = 2**30) -> bytes:
    """The export with an extra member (an 'embedded object') of ``n_bytes`` zeros."""

    def write(put: Callable[[bytes], object]) -> None:
        block = bytes(CHUNK)
        for _ in range(n_bytes // CHUNK):
            put(block)

    return _rewrite(base_xlsx(), {}, {"xl/embeddings/oleObject1.bin": write})


def lying_header_xlsx(n_bytes: int = 200 * 2**20, declared: int = 4096) -> bytes:
    """The export whose sheet inflates to ``n_bytes`` (a cell of that many letters) while
    both its local and its central zip header declare ``declared`` bytes."""
    base = base_xlsx()
    head, tail = _sheet(base).split("</sheetData>")

    def write(put: Callable[[bytes], object]) -> None:
        put(head.encode() + b'<row r="8"><c r="A8" t="inlineStr"><is><t>')
        block = b"A" * CHUNK
        for _ in range(n_bytes // CHUNK):
            put(block)
        put(b"</t></is></c></row></sheetData>" + tail.encode())

    data = bytearray(_rewrite(base, {SHEET: write}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(SHEET)
    for at, width in _size_fields(bytes(data), info.header_offset, SHEET):
        data[at : at + width] = declared.to_bytes(width, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        assert z.getinfo(SHEET).file_size == declared
    return bytes(data)


def _size_fields(data: bytes, local: int, name: str) -> Iterable[tuple[int, int]]:
    """(offset, width) of the uncompressed size of ``name`` in its local and central
    headers: the 4-byte field, or the zip64 extra field's 8 bytes when it says 0xFFFFFFFF."""
    n_len, e_len = struct.unpack_from("<HH", data, local + 26)
    yield _size_field(data, local + 22, local + 30 + n_len, e_len)
    at = data.rfind(b"PK\x01\x02")
    while at != -1:
        n_len, e_len = struct.unpack_from("<HH", data, at + 28)
        if data[at + 46 : at + 46 + n_len] == name.encode():
            yield _size_field(data, at + 24, at + 46 + n_len, e_len)
            return
        at = data.rfind(b"PK\x01\x02", 0, at)
    raise ValueError(f"no central header for {name}")


def _size_field(data: bytes, fixed: int, extra: int, length: int) -> tuple[int, int]:
    if struct.unpack_from("<I", data, fixed)[0] != 0xFFFFFFFF:
        return fixed, 4
    at = extra
    while at < extra + length:
        tag, size = struct.unpack_from("<HH", data, at)
        if tag == 0x0001:
            return at + 4, 8  # the zip64 field's first value: the uncompressed size
        at += 4 + size
    raise ValueError("no zip64 extra field")


def empty_rows_xlsx(n: int = 1_000_000) -> bytes:
    """The export's header, ``n`` empty (styled) rows, then one data row."""
    base = base_xlsx(0)

    def write(put: Callable[[bytes], object]) -> None:
        sheet = _sheet(base)
        head, tail = sheet.split("</sheetData>")
        put(head.encode())
        for start in range(2, n + 2, 10_000):
            stop = min(start + 10_000, n + 2)
            put(
                "".join(
                    f'<row r="{r}"><c r="A{r}" s="0"/></row>' for r in range(start, stop)
                ).encode()
            )
        last = n + 2
        put(f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>x</t></is></c></row>'.encode())
        put(("</sheetData>" + tail).encode())

    return _rewrite(base, {SHEET: write})


def element_flood_xlsx(n: int = 2_000_000) -> bytes:
    """The export whose sheet holds ``n`` unknown elements before its rows, each
    different (so it deflates like a real sheet, ~6x, and passes the ratio check): the
    most XML events a small file can make a reader handle."""
    base = base_xlsx()
    head, tail = _sheet(base).split("<sheetData>")

    def write(put: Callable[[bytes], object]) -> None:
        put((head + "<sheetData>").encode())
        for start in range(0, n, 10_000):
            put("".join(f'<x a="{i:x}"/>' for i in range(start, start + 10_000)).encode())
        put(tail.encode())

    return _rewrite(base, {SHEET: write})


def empty_rows_csv(n: int = 1_000_000) -> bytes:
    """A header, ``n`` empty rows (as Excel writes them: only separators), a data row."""
    head = ",".join(HEADERS) + "\r\n"
    empty = "," * (len(HEADERS) - 1) + "\r\n"
    last = "B-1,路灯,2025/3/1 9:00,115.37,22.78,x\r\n"
    return (head + empty * n + last).encode()


def long_line_csv(n_bytes: int) -> bytes:
    """A header line, then one line of ``n_bytes`` letters (no separator, no newline)."""
    return (",".join(HEADERS) + "\r\n").encode() + b"a" * n_bytes
