"""The zip container of an XLSX file, inspected before anything is inflated, and the
streaming XML parse of one of its members (used by :mod:`governance.xlsx_reader`).

Two facts make declared sizes trustworthy here: the zip's own directory is read (and
bounded) before :class:`zipfile.ZipFile` builds its entry list, and Python's zipfile
never inflates a member past the size its directory declares (a member that holds more
fails its CRC check). So the total inflated size, each member's compression ratio and the
count of entries are checked on the directory alone, and a zip bomb costs nothing.

The XML is parsed by expat, fed 64 KB at a time: no tree is built, DOCTYPEs are refused
(OOXML parts never have one, so there is no entity to expand), and every element counts
against one budget for the whole file (:data:`~governance.file_limits.MAX_ELEMENTS`).
"""

from __future__ import annotations

import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Callable
from xml.parsers import expat

from governance import file_limits as lim
from governance.errors import InvalidInput, MinqingError
from governance.intake_checks import PayloadTooLarge

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and old .xls files
DIRECTORY_MAX_BYTES = 1 * 2**20  # the zip's central directory (~100 bytes an entry)


class Done(Exception):
    """Raised by a handler to stop parsing: what was needed has been read."""


class Budget:
    """XML elements one file may still have parsed, over all its parts."""

    def __init__(self) -> None:
        self.left = lim.MAX_ELEMENTS


# ----------------------------------------------------------------------------- the zip
def _directory(data: bytes) -> tuple[int, int]:
    """(entries, bytes) of the central directory, from the end record (zip64 too)."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if at < 0 or len(data) < at + 22:
        raise InvalidInput("import.error.xlsx")
    count, size = struct.unpack_from("<HI", data, at + 10)
    locator = at - 20
    if (count == 0xFFFF or size == 0xFFFFFFFF) and data[locator : locator + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack_from("<Q", data, locator + 8)
        if data[offset : offset + 4] == b"PK\x06\x06" and offset + 56 <= len(data):
            count, size = struct.unpack_from("<QQ", data, offset + 32)
    return count, size


def open_archive(data: bytes) -> zipfile.ZipFile:
    """The zip of an XLSX file, once its directory is within every limit.

    Raises
    ------
    InvalidInput
        Not a zip, an encrypted entry, a compression method Excel does not write;
        :class:`PayloadTooLarge` for too many entries, a total inflated size over
        :data:`~governance.file_limits.MAX_UNZIPPED_BYTES` or a compression ratio over
        :data:`~governance.file_limits.MAX_RATIO` (a zip bomb).
    """
    count, size = _directory(data)
    if count > lim.MAX_MEMBERS or size > DIRECTORY_MAX_BYTES:
        raise PayloadTooLarge("import.error.zip_members", max=lim.MAX_MEMBERS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as err:  # BadZipFile, struct.error, OSError ...
        log.info("unreadable XLSX archive: %s", err)
        raise InvalidInput("import.error.xlsx") from err
    infos = archive.infolist()
    if len(infos) > lim.MAX_MEMBERS:
        raise PayloadTooLarge("import.error.zip_members", max=lim.MAX_MEMBERS)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InvalidInput("import.error.xlsx_encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InvalidInput("import.error.xlsx")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > lim.RATIO_FLOOR and ratio > lim.MAX_RATIO:
            raise PayloadTooLarge("import.error.zip_ratio", name=info.filename[-60:])
        total += info.file_size
    if total > lim.MAX_UNZIPPED_BYTES:
        raise PayloadTooLarge(
            "import.error.unzipped_too_large",
            mb=round(total / 2**20, 1),
            max_mb=lim.MAX_UNZIPPED_BYTES // 2**20,
        )
    return archive


def parse(
    archive: zipfile.ZipFile,
    budget: Budget,
    name: str,
    max_bytes: int,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Stream one member through expat. Handlers get local element names (``x:row`` ->
    ``row``) and the attributes as written; :class:`Done` raised by one of them ends
    the parse."""
    try:
        info = archive.getinfo(name)
    except KeyError as err:
        raise InvalidInput("import.error.xlsx") from err
    if info.file_size > max_bytes:
        raise PayloadTooLarge(
            "import.error.xlsx_part",
            name=name[-60:],
            mb=round(info.file_size / 2**20, 1),
            max_mb=max(max_bytes // 2**20, 1),
        )
    parser = expat.ParserCreate()  # no namespace processing: names are compared local
    parser.buffer_text = True

    def on_start(tag: str, attrs: dict[str, str]) -> None:
        budget.left -= 1
        if budget.left < 0:
            raise PayloadTooLarge("import.error.xml_elements", max=lim.MAX_ELEMENTS)
        start(tag.rpartition(":")[2], attrs)

    def no_doctype(*_args: object) -> None:
        raise InvalidInput("import.error.xlsx")  # OOXML parts never have one: no entities

    parser.StartDoctypeDeclHandler = no_doctype
    parser.StartElementHandler = on_start
    if end is not None:
        parser.EndElementHandler = lambda tag: end(tag.rpartition(":")[2])
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except Done:
        return
    except MinqingError:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
        log.info("unreadable XLSX part %s: %s", name, err)
        raise InvalidInput("import.error.xlsx") from err
    except Exception as err:  # a crafted part fails in many ways: never a 500
        log.info("unreadable XLSX part %s", name, exc_info=True)
        raise InvalidInput("import.error.xlsx") from err
