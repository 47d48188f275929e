"""Limits of an uploaded table file: what a reader may spend on it, before and while parsing.

A file's size says little about what reading it costs: a 5 KB XLSX may declare a
million rows of 16,384 columns, a 300 KB one may inflate to a 300 MB string, a CSV line
may be the whole file. So every dimension that costs memory or CPU has its own limit,
checked at the cheapest point (the zip directory before anything is inflated, the
sheet's declared dimension before its rows, each row and cell as it streams by), and
every refusal names the limit it hit.

The numbers leave a wide margin above real hotline exports (12345 exports of a county
for a month: a few thousand rows, 15-40 columns, descriptions of at most a few hundred
characters; 1-3 MB as XLSX, 5-15 MB of XML inside) while keeping the worst case that
passes every check to roughly 1-2 s of CPU and ~100 MB of transient memory in one
worker.
"""

from __future__ import annotations

from typing import Final

# ----------------------------------------------------------------------------- the table
MAX_FILE_BYTES: Final = 20 * 2**20  # the file as uploaded
MAX_ROWS: Final = 10_000  # data rows imported at once (intake's bulk limit)
# Rows read, counting empty ones (and the header): a million empty rows cost as much to
# read as a million full ones. Reading stops with a refusal at the first row past this
# number instead of skipping empty rows: a reader cannot know that trailing rows are
# empty without reading them, and an all-or-nothing import must not drop data silently.
# The margin (1/5 of MAX_ROWS) leaves room for blank lines and a title block.
MAX_SPAN: Final = MAX_ROWS + MAX_ROWS // 5
MAX_COLUMNS: Final = 200  # columns; a cell holding a value further right is refused
MAX_HEADER: Final = 60  # characters of a header kept
# One cell: Excel's own limit (32,767 characters), so no file Excel writes is refused
# for it; intake's field limits (a 2,000-character description) then apply per row.
MAX_CELL_CHARS: Final = 32_767
MAX_CELLS: Final = 500_000  # non-empty cells kept (10,000 rows x 50 columns)
# Characters kept over the whole table. It bounds the parsed table in memory and in the
# database (a cell that repeats a long shared string counts every time it is used).
MAX_TEXT_CHARS: Final = 8_000_000
MAX_STORED_BYTES: Final = 24 * 2**20  # the parsed table as stored (compressed, encrypted)

# ----------------------------------------------------------------------------- CSV
# One physical line (a record spans several when a quoted cell holds line breaks). Read
# with readline(limit): a 20 MB line is never held whole.
MAX_LINE_CHARS: Final = 2**18

# ----------------------------------------------------------------------------- XLSX
MAX_MEMBERS: Final = 1_000  # zip entries (a workbook from Excel has 10-30)
# Everything inside the zip, as its directory declares it. Python's zipfile never
# inflates a member past its declared size (and then fails its CRC check), so declared
# sizes bind. 64 MB is about 6x the XML of a full-size real export.
MAX_UNZIPPED_BYTES: Final = 64 * 2**20
MAX_SHARED_STRINGS_BYTES: Final = 24 * 2**20  # xl/sharedStrings.xml
MAX_PART_BYTES: Final = 8 * 2**20  # any other part that is parsed (workbook, styles, rels)
# Compression ratio of one member larger than RATIO_FLOOR: XML of real sheets deflates
# 5-20x; a member that inflates 100x and more is padding (a zip bomb), not a table.
MAX_RATIO: Final = 100
RATIO_FLOOR: Final = 2**20
# XML elements parsed in one file, all parts together: each costs ~1.3 us of Python
# (measured: 10,000 rows x 20 columns of inline strings, 600k elements, 0.77 s). A cell
# is 2-3 elements (c, v or is/t), a shared string 2; anything past this budget is not a
# table within the limits above. It caps the worst case at ~2 s of CPU.
MAX_ELEMENTS: Final = 3 * MAX_CELLS + 2 * MAX_SPAN + 10_000
