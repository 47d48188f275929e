"""File formats of the exports: CSV, XLSX, GeoJSON and GeoPackage, from prepared rows.

The rows arrive already masked (``governance/exports.py``), each a dict of plain values
(str, int, float, None; times as ISO-8601 text in local time) plus the WKB geometry
under :data:`GEOMETRY`. Every format carries the same field names in the same order.
Spreadsheet formats escape text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GEOMETRY = "geom_wkb"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Format:
    """A file format: extension, MIME type and writer."""

    ext: str
    mimetype: str
    write: Callable[[str, Sequence[str], Sequence[dict[str, Any]]], bytes]


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would take as a formula, prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(_name: str, fields: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Chinese), a header line, one line per row."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(fields)
    for r in rows:
        w.writerow(["" if r[f] is None else spreadsheet_safe(r[f]) for f in fields])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(name: str, fields: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    """One worksheet named after the dataset: a header row, one row per record."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: Any) -> Any:  # control characters are not allowed in a worksheet
        value = spreadsheet_safe(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=name[:31])
    ws.append(list(fields))
    for r in rows:
        ws.append([cell(r[f]) for f in fields])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _geometry(wkb: bytes | memoryview | None) -> Any:
    if wkb is None:
        return None
    import shapely

    return shapely.from_wkb(bytes(wkb))


def to_geojson(_name: str, fields: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    """A FeatureCollection in WGS84 (RFC 7946), the fields as properties."""
    import shapely

    feats = []
    for r in rows:
        geom = _geometry(r.get(GEOMETRY))
        feats.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(geom)) if geom is not None else None,
                "properties": {f: r[f] for f in fields},
            }
        )
    body = {"type": "FeatureCollection", "features": feats}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def to_gpkg(name: str, fields: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    """A GeoPackage with one layer named after the dataset, EPSG:4326."""
    import geopandas as gpd
    import pandas as pd

    frame = pd.DataFrame([{f: r[f] for f in fields} for r in rows], columns=list(fields))
    geoms = [_geometry(r.get(GEOMETRY)) for r in rows]
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    layer = name.replace("-", "_")
    with tempfile.TemporaryDirectory(prefix="minqing-export-") as tmp:
        path = Path(tmp) / f"{layer}.gpkg"
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        return path.read_bytes()


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8", to_csv),
    "xlsx": Format(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx
    ),
    "geojson": Format("geojson", "application/geo+json", to_geojson),
    "gpkg": Format("gpkg", "application/geopackage+sqlite3", to_gpkg),
}
