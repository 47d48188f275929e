"""Reading a county's boundary files (Shapefile, GeoPackage, GeoJSON, KML) in bounded
memory, every refusal a translated message.

Used by :mod:`governance.area_import`. A file arrives as bytes (an upload) or a path (the
command line); both go through :func:`read_area_file`:

1. **Sniffed, not trusted by name**: a zip (a zipped Shapefile, or a zip holding one
   GeoPackage / GeoJSON / KML), SQLite (GeoPackage), JSON (GeoJSON), XML with ``<kml``
   (KML). An HTML page saved as ``.geojson``, a lone ``.shp`` or ``.dbf``, and anything
   else are refused with a message that says what to send instead.
2. **A zip is checked from its directory before anything is inflated**: member count,
   declared sizes (Python's zipfile never inflates a member past its declared size) and
   the compression ratio of large members (a zip bomb inflates thousands of times;
   Shapefiles 2-10x). Members are written under names chosen here, never the archive's
   own paths.
3. **Read by GDAL** (``pyogrio``, the maintained binding geopandas uses): the layer's
   feature count is read from its header first (:data:`MAX_FEATURES`), then attributes
   and geometries (WKB) in one call. A Shapefile without ``.cpg`` has its attribute
   encoding detected here (strict UTF-8, else GB18030, a superset of GBK), because GDAL
   would otherwise read GBK as Latin-1 and hand back mojibake; a GeoJSON that is not
   UTF-8 is read as GB18030 the same way.
4. **Attributes become text** (a code stored as a number, 441502.0, is "441502"); text
   that looks like GBK read as Latin-1 (mojibake) is refused by
   :func:`governance.area_import` with the feature and field named.

Geometries stay in the file's own coordinate system (``crs``: what the file declares, or
None); :mod:`governance.area_crs` reprojects them.
"""

from __future__ import annotations

import logging
import math
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import shapely

from governance.errors import InvalidInput
from governance.intake_checks import PayloadTooLarge

log = logging.getLogger(__name__)

MAX_FILE_BYTES: Final = 200 * 2**20  # the file as given (the web upload has its own)
MAX_UNZIPPED_BYTES: Final = 400 * 2**20  # everything a zip declares
MAX_MEMBERS: Final = 200  # a zipped Shapefile has 3-8 members
MAX_RATIO: Final = 100  # of a member larger than RATIO_FLOOR (Shapefiles: 2-10x)
RATIO_FLOOR: Final = 2**20
MAX_FEATURES: Final = 200_000  # all grids of a province, with a margin
MAX_FIELDS: Final = 200
MAX_TEXT: Final = 200  # characters kept of one attribute value
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
ZIP_MAGIC: Final = b"PK\x03\x04"
EMPTY_ZIP: Final = b"PK\x05\x06"
SNIFF: Final = 4096
# KML (LIBKML driver) adds styling fields that no county uses for codes or names
KML_NOISE: Final = frozenset(
    {"id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude"}
    | {"visibility", "drawOrder", "icon"}
)
SHAPEFILE_PARTS: Final = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SINGLE_FILES: Final = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson", ".kml": "kml"}


@dataclass(frozen=True)
class AreaFile:
    """One layer of a boundary file: attributes as text, geometries in ``crs``."""

    filename: str
    format: str  # shapefile | gpkg | geojson | kml
    crs: str | None  # as the file declares it ("EPSG:4490", or WKT); None: it says nothing
    headers: list[str]
    columns: dict[str, list[str | None]]
    geoms: np.ndarray  # shapely geometries or None (unreadable), in ``crs``
    notes: list[str] = field(default_factory=list)  # i18n keys of what reading did

    @property
    def count(self) -> int:
        return len(self.geoms)


def read_area_file(data: bytes, filename: str) -> AreaFile:
    """The first layer of ``data`` (a file named ``filename``) as an :class:`AreaFile`.

    Raises
    ------
    PayloadTooLarge
        Larger than :data:`MAX_FILE_BYTES`, or a zip declaring more than it may inflate.
    InvalidInput
        Anything that is not a readable boundary file, with what to send instead.
    """
    if len(data) > MAX_FILE_BYTES:
        raise PayloadTooLarge("area_import.error.too_large", mb=MAX_FILE_BYTES // 2**20)
    if not data.strip():
        raise InvalidInput("area_import.error.empty_file")
    with tempfile.TemporaryDirectory(prefix="minqing-areas-") as tmp:
        path, fmt, notes = _place(data, filename, Path(tmp))
        return _read(path, fmt, filename, notes)


def read_area_path(path: Path) -> AreaFile:
    """:func:`read_area_file` of a file on disk (its size checked before it is read)."""
    try:
        size = path.stat().st_size
    except OSError:
        raise InvalidInput("area_import.error.no_such_file", name=path.name) from None
    if size > MAX_FILE_BYTES:
        raise PayloadTooLarge("area_import.error.too_large", mb=MAX_FILE_BYTES // 2**20)
    return read_area_file(path.read_bytes(), path.name)


# ----------------------------------------------------------------------------- sniffing
def _place(data: bytes, filename: str, tmp: Path) -> tuple[Path, str, list[str]]:
    """Write ``data`` under ``tmp`` as GDAL should see it: (path, format, notes)."""
    head = data[:SNIFF]
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP):
        return _unzip(data, tmp)
    if head.startswith(SQLITE_MAGIC):
        target = tmp / "layer.gpkg"
        target.write_bytes(data)
        return target, "gpkg", []
    suffix = Path(filename).suffix.lower()
    if suffix in (".shp", ".shx", ".dbf", ".prj"):
        raise InvalidInput("area_import.error.lone_shapefile_part")
    text = _sniff_text(head)
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:400]:
        raise InvalidInput("area_import.error.html")
    if lowered.startswith("<") and "<kml" in lowered:
        target = tmp / "layer.kml"
        target.write_bytes(data)
        return target, "kml", []
    if lowered.startswith(("{", "[")):
        return _geojson(data, tmp)
    raise InvalidInput("area_import.error.unknown_format")


def _sniff_text(head: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError as err:  # a cut multi-byte character at the end
            if err.start >= len(head) - 4:
                return head[: err.start].decode(enc, errors="replace")
    return head.decode("latin-1")


def _geojson(data: bytes, tmp: Path) -> tuple[Path, str, list[str]]:
    notes: list[str] = []
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            raw = raw.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("area_import.error.encoding") from None
        notes.append("area_import.note.read_as_gbk")
    target = tmp / "layer.geojson"
    target.write_bytes(raw)
    return target, "geojson", notes


def _unzip(data: bytes, tmp: Path) -> tuple[Path, str, list[str]]:
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise InvalidInput("area_import.error.bad_zip") from None
    if len(infos) > MAX_MEMBERS:
        raise InvalidInput("area_import.error.zip_members", limit=MAX_MEMBERS)
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise PayloadTooLarge("area_import.error.zip_too_large", mb=MAX_UNZIPPED_BYTES // 2**20)
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise PayloadTooLarge("area_import.error.zip_bomb")
    by_suffix: dict[str, list[zipfile.ZipInfo]] = {}
    for i in infos:
        name = Path(i.filename).name
        if name.startswith(".") or i.filename.startswith("__MACOSX/"):
            continue
        by_suffix.setdefault(Path(name).suffix.lower(), []).append(i)
    shps = by_suffix.get(".shp", [])
    if len(shps) > 1:
        raise InvalidInput("area_import.error.several_layers", count=len(shps))
    try:
        if shps:
            return _unzip_shapefile(zf, shps[0], by_suffix, tmp)
        singles = [(i, f) for s, f in SINGLE_FILES.items() for i in by_suffix.get(s, [])]
        if len(singles) != 1:
            raise InvalidInput("area_import.error.zip_useless")
        info, fmt = singles[0]
        inner = zf.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise InvalidInput("area_import.error.bad_zip") from None
    return _place(inner, info.filename, tmp) if fmt != "gpkg" else _write(tmp, "l.gpkg", inner)


def _write(tmp: Path, name: str, data: bytes) -> tuple[Path, str, list[str]]:
    (tmp / name).write_bytes(data)
    return tmp / name, "gpkg", []


def _unzip_shapefile(
    zf: zipfile.ZipFile,
    shp: zipfile.ZipInfo,
    by_suffix: dict[str, list[zipfile.ZipInfo]],
    tmp: Path,
) -> tuple[Path, str, list[str]]:
    stem = Path(shp.filename).with_suffix("")
    parts: dict[str, zipfile.ZipInfo] = {}
    for suffix in SHAPEFILE_PARTS:
        same = [i for i in by_suffix.get(suffix, []) if Path(i.filename).with_suffix("") == stem]
        anyone = by_suffix.get(suffix, [])
        if same or len(anyone) == 1:
            parts[suffix] = (same or anyone)[0]
    if ".dbf" not in parts:
        raise InvalidInput("area_import.error.no_dbf")
    if ".shx" not in parts:
        raise InvalidInput("area_import.error.no_shx")
    notes: list[str] = []
    for suffix, info in parts.items():
        (tmp / f"layer{suffix}").write_bytes(zf.read(info))
    if ".prj" not in parts:
        notes.append("area_import.note.no_prj")
    if ".cpg" not in parts:
        encoding = _dbf_encoding((tmp / "layer.dbf").read_bytes())
        (tmp / "layer.cpg").write_text(encoding, "ascii")
        if encoding != "UTF-8":
            notes.append("area_import.note.read_as_gbk")
    return tmp / "layer.shp", "shapefile", notes


def _dbf_encoding(dbf: bytes) -> str:
    """UTF-8 if every record decodes strictly as UTF-8, else GB18030 (what ArcGIS and
    SuperMap on a Chinese Windows write without a .cpg)."""
    header = int.from_bytes(dbf[8:10], "little") if len(dbf) >= 32 else 0
    body = dbf[header:] if 0 < header < len(dbf) else dbf
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030"
    return "UTF-8"


# ----------------------------------------------------------------------------- reading
def _read(path: Path, fmt: str, filename: str, notes: list[str]) -> AreaFile:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

    gdal_errors = (DataSourceError, DataLayerError, FieldError, GeometryError)
    try:
        info = pyogrio.read_info(path)
    except (*gdal_errors, OSError, ValueError, RuntimeError) as err:
        log.info("boundary file %s not readable: %s", filename, err)
        raise InvalidInput(f"area_import.error.unreadable_{fmt}") from None
    count = int(info.get("features") or 0)
    if count == 0:
        raise InvalidInput("area_import.error.no_features")
    if count > MAX_FEATURES:
        raise PayloadTooLarge(
            "area_import.error.too_many_features", limit=MAX_FEATURES, count=count
        )
    if len(info.get("fields", ())) > MAX_FIELDS:
        raise InvalidInput("area_import.error.too_many_fields", limit=MAX_FIELDS)
    try:
        meta, _fids, wkb, values = pyogrio.raw.read(
            path, force_2d=True, datetime_as_string=True, max_features=MAX_FEATURES
        )
    except (*gdal_errors, OSError, ValueError, RuntimeError) as err:
        log.info("boundary file %s not readable: %s", filename, err)
        raise InvalidInput(f"area_import.error.unreadable_{fmt}") from None
    if wkb is None or len(wkb) == 0:
        raise InvalidInput("area_import.error.no_features")
    headers: list[str] = []
    columns: dict[str, list[str | None]] = {}
    for name, col in zip(meta["fields"], values, strict=True):
        name = str(name)[:60]
        if (fmt == "kml" and name in KML_NOISE) or name in columns:
            continue
        headers.append(name)
        columns[name] = [_text(v) for v in col]
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    crs = meta.get("crs") or None
    return AreaFile(filename, fmt, str(crs) if crs else None, headers, columns, geoms, notes)


def _text(value: object) -> str | None:
    """An attribute as text: numbers without a spurious ".0", nothing for NaN/None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return None
        if f.is_integer() and abs(f) < 2**53:
            return str(int(f))
        return repr(f)
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    text = str(value).strip()
    return text[:MAX_TEXT] if text else None


def looks_mojibake(text: str) -> bool:
    """GBK bytes read as Latin-1 (or cp1252): Latin-1 letters where Chinese should be,
    which, taken back to bytes, decode as Chinese; or GBK decoded as UTF-8, which
    leaves replacement characters (U+FFFD) where the bytes did not fit."""
    if "\ufffd" in text:
        return True
    if not any("\u00a0" <= ch <= "\u00ff" for ch in text) or any(
        "\u4e00" <= ch <= "\u9fff" for ch in text
    ):
        return False
    for enc in ("latin-1", "cp1252"):
        try:
            again = text.encode(enc).decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if any("\u4e00" <= ch <= "\u9fff" for ch in again):
            return True
    return False
