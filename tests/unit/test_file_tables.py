"""The bounded readers of uploaded tables (governance/file_tables.py, xlsx_reader.py):
they read what openpyxl read (values, dates, shared and rich strings, sparse rows, row
numbers) and refuse each limit with its own translated message, before reading more.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pytest

from governance import file_limits as lim
from governance.errors import InvalidInput
from governance.file_tables import clean_filename, read_table
from governance.intake_checks import PayloadTooLarge
from i18n import t
from tests.integration import spreadsheet_bombs as bombs


def _xlsx(rows: list[list[object]], **sheet_opts: object) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r in rows:
        sheet.append(r)
    for key, value in sheet_opts.items():
        setattr(book, key, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _refused(name: str, data: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read_table(name, data)
    message = caught.value.user_message("zh-CN")
    assert "{" not in message and caught.value.key not in message  # translated, filled in
    return caught.value


# ----------------------------------------------------------------------------- XLSX
def test_xlsx_values_read_as_a_csv_export_holds_them() -> None:
    data = _xlsx(
        [
            ["编号", "时间", "日期", "钟点", "数", "小数", "真假", "空"],
            [
                " A-1 ",
                datetime(2025, 3, 1, 9, 5),
                date(2025, 3, 2),
                time(7, 30),
                12345,
                115.37,
                True,
            ],
            [],
            ["A-2", None, None, None, 1e20, -0.5, False, None, None],
        ]
    )
    table = read_table("a.xlsx", data)
    assert table.headers == ["编号", "时间", "日期", "钟点", "数", "小数", "真假", "空"]
    assert table.rows[0] == (
        2,
        [
            "A-1",
            "2025-03-01 09:05:00",
            "2025-03-02 00:00:00",
            "07:30:00",
            "12345",
            "115.37",
            "TRUE",
        ],
    )
    assert table.rows[1] == (4, ["A-2", None, None, None, "1e+20", "-0.5", "FALSE"])


def test_xlsx_1904_dates() -> None:
    data = _xlsx([["时间"], [datetime(2025, 3, 1, 9, 5)]], epoch=datetime(1904, 1, 1))
    assert read_table("a.xlsx", data).rows == [(2, ["2025-03-01 09:05:00"])]


def _with_shared_strings(sst: str, cells: str) -> bytes:
    """The small export with a shared-string table ``sst`` and a row 8 of ``cells``."""
    base = bombs.base_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        types = z.read(bombs.TYPES).decode()
        rels = z.read(bombs.RELS).decode()
    override = f'<Override PartName="/{bombs.STRINGS}" ContentType="{bombs.SST_TYPE}"/>'
    rel = f'<Relationship Id="rIdSst" Type="{bombs.SST_REL}" Target="sharedStrings.xml"/>'
    sheet = bombs._sheet(base).replace("</sheetData>", f'<row r="8">{cells}</row></sheetData>')
    return bombs._rewrite(
        base,
        {
            bombs.SHEET: sheet.encode(),
            bombs.TYPES: types.replace("</Types>", override + "</Types>").encode(),
            bombs.RELS: rels.replace("</Relationships>", rel + "</Relationships>").encode(),
        },
        {bombs.STRINGS: f'<sst xmlns="{bombs.MAIN_NS}">{sst}</sst>'.encode()},
    )


def test_shared_strings_rich_text_and_phonetic_runs() -> None:
    sst = (
        "<si><t>unused</t></si>"
        "<si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r><rPh sb='0' eb='1'><t>zhang</t></rPh></si>"
        "<si><t xml:space='preserve'> 路灯 </t></si>"
    )
    cells = '<c r="A8" t="s"><v>1</v></c><c r="D8" t="s"><v>2</v></c><c r="E8" t="s"><v>9</v></c>'
    table = read_table("a.xlsx", _with_shared_strings(sst, cells))
    assert table.rows[-1] == (8, ["张三", None, None, "路灯", None])  # index 9: no such string


def test_a_long_shared_string_is_refused_even_unused() -> None:
    """Strings are read up to the last one the sheet uses, each within the cell limit."""
    sst = f"<si><t>{'长' * (lim.MAX_CELL_CHARS + 1)}</t></si><si><t>ok</t></si>"
    err = _refused("a.xlsx", _with_shared_strings(sst, '<c r="A8" t="s"><v>1</v></c>'))
    assert err.key == "import.error.string_too_long"


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (bombs.far_corner_xlsx, "import.error.dimension"),
        (lambda: bombs.shared_string_xlsx(40 * 2**20), "import.error.zip_ratio"),
        (lambda: bombs.zip_bomb_xlsx(64 * 2**20), "import.error.zip_ratio"),
        (lambda: bombs.lying_header_xlsx(8 * 2**20), "import.error.xlsx"),
        (lambda: bombs.empty_rows_xlsx(lim.MAX_SPAN), "import.error.span"),
        (lambda: bombs.element_flood_xlsx(lim.MAX_ELEMENTS), "import.error.xml_elements"),
    ],
)
def test_xlsx_bombs_are_refused_by_their_limit(build: object, key: str) -> None:
    assert callable(build)
    assert _refused("a.xlsx", build()).key == key


def test_a_cell_past_the_last_column_or_row_is_refused() -> None:
    base = bombs.base_xlsx()
    head, tail = bombs._sheet(base).split("</sheetData>")
    for row, key in (
        ('<row r="9"><c r="GS9"><v>1</v></c></row>', "import.error.too_many_columns"),
        (f'<row r="{lim.MAX_SPAN + 1}"/>', "import.error.span"),
        (
            f'<row r="9"><c t="inlineStr"><is><t>{"x" * (lim.MAX_CELL_CHARS + 1)}</t></is></c></row>',
            "import.error.cell_too_long",
        ),
    ):
        data = bombs._rewrite(base, {bombs.SHEET: (head + row + "</sheetData>" + tail).encode()})
        assert _refused("a.xlsx", data).key == key
    ok = bombs._rewrite(
        base,
        {bombs.SHEET: (head + '<row r="9"><c r="GS9" s="1"/></row></sheetData>' + tail).encode()},
    )
    assert len(read_table("a.xlsx", ok).rows) == 5  # an empty styled cell further right: ignored


def test_damaged_encrypted_and_crafted_archives() -> None:
    base = bombs.base_xlsx()
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
    bad_xml = bombs._rewrite(base, {bombs.SHEET: (doctype + bombs._sheet(base)).encode()})
    assert _refused("a.xlsx", bad_xml).key == "import.error.xlsx"
    encrypted = bytearray(base)  # the encryption flag set on every entry
    at = encrypted.find(b"PK\x01\x02")
    while at != -1:
        encrypted[at + 8] |= 1
        at = encrypted.find(b"PK\x01\x02", at + 4)
    assert _refused("a.xlsx", bytes(encrypted)).key == "import.error.xlsx_encrypted"
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600)
    assert _refused("a.xlsx", ole).key == "import.error.xlsx_encrypted"
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        for i in range(lim.MAX_MEMBERS + 1):
            z.writestr(f"m{i}", b"")
    assert _refused("a.xlsx", many.getvalue()).key == "import.error.zip_members"
    assert _refused("a.xlsx", b"not a zip at all").key == "import.error.xlsx"


# ----------------------------------------------------------------------------- CSV
def test_csv_records_rows_and_encodings() -> None:
    text = '编号,内容\r\n\r\nA-1,"两行\r\n内容"\r\nA-2,x\r\n'
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        table = read_table("a.csv", text.encode(encoding))
        assert table.rows == [(3, ["A-1", "两行\r\n内容"]), (5, ["A-2", "x"])]


def test_csv_refusals_name_the_line() -> None:
    bad = "编号,内容\n1,好\n2,".encode("gbk") + b"\x81\x20" + b"\n"
    err = _refused("a.csv", bad)
    assert (err.key, err.params["row"]) == ("import.error.encoding_at", 3)
    assert _refused("a.csv", b"a,b\n1,\x00\n").key == "import.error.binary"
    assert _refused("a.csv", bombs.long_line_csv(lim.MAX_LINE_CHARS + 1)).key == (
        "import.error.line_too_long"
    )
    assert _refused("a.csv", bombs.empty_rows_csv(lim.MAX_SPAN)).key == "import.error.span"
    wide = ",".join(f"h{i}" for i in range(lim.MAX_COLUMNS + 1))
    err = _refused("a.csv", f"{wide}\n".encode())
    assert (err.key, err.params["row"]) == ("import.error.too_many_columns", 1)
    trailing = ",".join(["a", "b"] + [""] * lim.MAX_COLUMNS) + "\n1,2\n"
    assert read_table("a.csv", trailing.encode()).headers == ["a", "b"] + [
        f"#{i}" for i in range(3, lim.MAX_COLUMNS + 1)
    ]
    long_cell = "a,b\n1," + "x" * (lim.MAX_CELL_CHARS + 1) + "\n"
    assert _refused("a.csv", long_cell.encode()).key == "import.error.cell_too_long"


def test_the_table_limits_count_cells_and_text() -> None:
    many = "a,b,c,d,e\n" + "1,2,3,4,5\n" * (lim.MAX_CELLS // 5 + 1)
    with pytest.raises(PayloadTooLarge):  # too many rows first (or cells)
        read_table("a.csv", many.encode())
    text = "a\n" + ("x" * 30_000 + "\n") * (lim.MAX_TEXT_CHARS // 30_000 + 1)
    assert _refused("a.csv", text.encode()).key == "import.error.too_much_text"


def test_file_names_lose_controls_bidi_and_surrogates() -> None:
    assert clean_filename("\u202egpj.\ud800\x00名单.csv") == "gpj.名单.csv"
    assert clean_filename("  \u200b ") == "upload.csv"
    assert clean_filename(None) == "upload.csv"
    assert clean_filename("x" * 500 + ".xlsx").endswith(".xlsx")
    assert len(clean_filename("x" * 500)) == 200


def test_every_limit_message_is_translated() -> None:
    for key in (
        "import.error.dimension",
        "import.error.span",
        "import.error.zip_ratio",
        "import.error.expired",
        "import.error.not_yours",
    ):
        assert t(key, "zh-CN") != key and t(key, "en") != key
