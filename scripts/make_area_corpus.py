"""Write the corpus of bad boundary files (issue 15) under ``tests/fixtures/areas/bad/``.

Each file is something a county office really sends by mistake (or someone sends on
purpose) and ``expected.json`` says what the import must answer: a refusal of the whole
file (``"error"``: the message key) or a finding on a feature (``"finding"``: the message
key, and the field it names). ``tests/integration/test_area_corpus.py`` runs them all and
checks that nothing is written. A 500 MB file is made by the test itself (sparse on disk).

Features sit around Guangzhou (113.2E 23.1N), far from the demo city, as county-level
codes 4415xx that the demo does not use, so the checks against loaded areas stay quiet
unless a file is about them.

Run: ``.venv/bin/python scripts/make_area_corpus.py``.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "areas" / "bad"
EXPECTED: dict[str, dict[str, str]] = {}


def square(x: float, y: float, d: float = 0.05) -> list:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def feature(code: object, name: object, geometry: dict, **props: object) -> dict:
    return {
        "type": "Feature",
        "properties": {"编码": code, "名称": name, **props},
        "geometry": geometry,
    }


def poly(x: float = 113.2, y: float = 23.1, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": square(x, y, d)}


def geojson(name: str, feats: list[dict], expect: dict[str, str], raw: str | None = None) -> None:
    text = (
        raw
        if raw is not None
        else json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False)
    )
    (OUT / name).write_text(text, "utf-8")
    EXPECTED[name] = expect


def write(name: str, data: bytes, expect: dict[str, str]) -> None:
    (OUT / name).write_bytes(data)
    EXPECTED[name] = expect


def shapefile(frame: gpd.GeoDataFrame, drop: tuple[str, ...] = (), encoding: str = "UTF-8",
              extra: dict[str, bytes] | None = None) -> bytes:  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grids.shp"
        frame.to_file(path, driver="ESRI Shapefile", encoding=encoding, engine="pyogrio")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(Path(tmp).iterdir()):
                if part.suffix not in drop:
                    zf.write(part, part.name)
            for name, data in (extra or {}).items():
                zf.writestr(name, data)
        return buf.getvalue()


def frame(crs: str | None = "EPSG:4490", x: float = 113.2) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"编码": ["441591", "441592"], "名称": ["甲县", "乙县"]},
        geometry=[
            shapely.box(x, 23.1, x + 0.05, 23.15),
            shapely.box(x + 0.05, 23.1, x + 0.1, 23.15),
        ],
        crs=crs,
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    err = lambda key: {"error": f"area_import.error.{key}"}  # noqa: E731
    fnd = lambda key, fld="geometry": {"finding": f"area_import.{key}", "field": fld}  # noqa: E731

    # ---- Shapefiles
    write("shp_no_dbf.zip", shapefile(frame(), drop=(".dbf",)), err("no_dbf"))
    write("shp_no_shx.zip", shapefile(frame(), drop=(".shx",)), err("no_shx"))
    projected = frame().to_crs("EPSG:4547")
    write(
        "shp_no_prj_projected.zip",
        shapefile(projected, drop=(".prj", ".cpg")),
        fnd("check.not_degrees"),
    )
    write("shp_unsupported_crs.zip", shapefile(frame().to_crs("EPSG:2154")), err("crs_unsupported"))
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as zf, zipfile.ZipFile(io.BytesIO(shapefile(frame()))) as one:
        for info in one.infolist():
            zf.writestr(info.filename, one.read(info))
            zf.writestr("b_" + info.filename, one.read(info))
    write("shp_two_layers.zip", two.getvalue(), err("several_layers"))
    write("shp_lone.shp", zipfile.ZipFile(io.BytesIO(shapefile(frame()))).read("grids.shp"),
          err("lone_shapefile_part"))  # fmt: skip
    dbf_garbage = shapefile(frame(), drop=(".shp",), extra={"grids.shp": b"\x00" * 100})
    write("shp_corrupt.zip", dbf_garbage, err("unreadable_shapefile"))

    # ---- zips
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    write("zip_empty.zip", empty.getvalue(), err("zip_useless"))
    useless = io.BytesIO()
    with zipfile.ZipFile(useless, "w") as zf:
        zf.writestr("说明.txt", "网格数据请见附件")
        zf.writestr("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    write("zip_nothing_useful.zip", useless.getvalue(), err("zip_useless"))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("grids.geojson", b" " * (300 * 2**20))
    write("zip_bomb.zip", bomb.getvalue(), err("zip_bomb"))
    write("zip_truncated.zip", shapefile(frame())[:300], err("bad_zip"))

    # ---- not what the name says
    write("html_page.geojson", "<!DOCTYPE html><html><head><title>网格数据下载</title></head>"
          "<body>请登录后下载</body></html>".encode(), err("html"))  # fmt: skip
    write("random_bytes.geojson", bytes(range(256)) * 8, err("unknown_format"))
    write(
        "not_json.geojson",
        b'{"type": "FeatureCollection", "features": [ {"type": ',
        err("unreadable_geojson"),
    )
    write("broken.kml", b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>',
          err("unreadable_kml"))  # fmt: skip
    write("corrupt.gpkg", b"SQLite format 3\x00" + b"\x13" * 4000, err("unreadable_gpkg"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "empty.gpkg"
        sqlite3.connect(db).close()
        write("no_layer.gpkg", db.read_bytes() or b"SQLite format 3\x00", err("unreadable_gpkg"))
    write("empty_file.geojson", b"   \n", err("empty_file"))

    # ---- GeoJSON content
    geojson("no_features.geojson", [], err("no_features"))
    geojson("nan_coordinates.geojson", [], fnd("check.not_finite"), raw=json.dumps(
        {"type": "FeatureCollection", "features": [feature("441591", "甲县", {
            "type": "Polygon", "coordinates": [[[113.2, 23.1], [float("nan"), 23.1], [113.25, 23.15], [113.2, 23.1]]]})]}))  # fmt: skip
    geojson("huge_coordinates.geojson", [feature("441591", "甲县", {
        "type": "Polygon", "coordinates": [[[113.2, 23.1], [1e308, 23.1], [113.25, 1e308], [113.2, 23.1]]]})],
        fnd("check.not_finite"))  # fmt: skip
    geojson("two_point_polygon.geojson", [feature("441591", "甲县", {
        "type": "Polygon", "coordinates": [[[113.2, 23.1], [113.25, 23.1]]]})], fnd("check.unreadable"))  # fmt: skip
    geojson("unclosed_ring.geojson", [feature("441591", "甲县", {
        "type": "Polygon", "coordinates": [[[113.2, 23.1], [113.25, 23.1], [113.25, 23.15], [113.2, 23.15]]]})],
        fnd("check.unreadable"))  # fmt: skip
    geojson("mixed_types.geojson", [
        feature("441591", "甲县", poly()),
        feature("441592", "乙县", {"type": "Point", "coordinates": [113.3, 23.1]}),
        feature("441593", "丙县", {"type": "LineString", "coordinates": [[113.3, 23.1], [113.4, 23.2]]}),
    ], fnd("check.not_polygon"))  # fmt: skip
    geojson(
        "code_with_space.geojson", [feature("4415 91", "甲县", poly())], fnd("code.space", "code")
    )
    geojson(
        "code_full_width.geojson",
        [feature("４４１５９１", "甲县", poly())],
        fnd("code.full_width", "code"),
    )
    geojson("code_letters.geojson", [feature("44159A", "甲县", poly())], fnd("code.digits", "code"))
    geojson("code_empty.geojson", [feature(None, "甲县", poly())], fnd("code.missing", "code"))
    geojson(
        "code_wrong_length.geojson",
        [feature("4415910", "甲县", poly())],
        fnd("code.length_auto", "code"),
    )
    geojson("duplicate_codes.geojson", [feature("441591", "甲县", poly()), feature("441591", "乙县", poly(113.3))],
            fnd("check.duplicate", "code"))  # fmt: skip
    geojson("parent_cycle.geojson", [
        feature("441591001", "甲街道", poly(), 上级编码="441591002"),
        feature("441591002", "乙街道", poly(113.3), 上级编码="441591001"),
    ], fnd("check.cycle", "parent"))  # fmt: skip
    geojson(
        "missing_parent.geojson",
        [feature("441591001001", "甲社区", poly())],
        fnd("check.no_parent", "parent"),
    )
    geojson("parent_not_extending.geojson", [
        feature("441591", "甲县", poly(113.2, 23.1, 0.2)),
        feature("441591001", "甲街道", poly(113.21, 23.11, 0.05), 上级编码="441592"),
    ], fnd("check.not_extending", "parent"))  # fmt: skip
    geojson("empty_name.geojson", [feature("441591", " ", poly())], fnd("check.no_name", "name"))
    geojson("mojibake_names.geojson", [feature("441591", "城区".encode("gbk").decode("latin-1"), poly())],
            fnd("check.mojibake", "name"))  # fmt: skip
    geojson("swapped_lat_lon.geojson", [feature("441591", "甲县", {
        "type": "Polygon", "coordinates": [[[23.1, 113.2], [23.1, 113.25], [23.15, 113.25], [23.1, 113.2]]]})],
        fnd("check.swapped"))  # fmt: skip
    geojson(
        "outside_china.geojson",
        [feature("441591", "甲县", poly(2.35, 48.85))],
        fnd("check.outside_china"),
    )
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[113.2, 23.1], [113.3, 23.2], [113.3, 23.1], [113.2, 23.2], [113.2, 23.1]]
        ],
    }
    geojson("self_intersection.geojson", [feature("441591", "甲县", bowtie)], fnd("check.invalid"))
    geojson("overlapping_siblings.geojson", [
        feature("441591", "甲县", poly(113.2, 23.1, 0.1)), feature("441592", "乙县", poly(113.25, 23.1, 0.1)),
    ], fnd("check.overlap"))  # fmt: skip
    geojson("child_outside_parent.geojson", [
        feature("441591", "甲县", poly(113.2, 23.1, 0.1)),
        feature("441591001", "甲街道", poly(113.28, 23.1, 0.05)),
    ], fnd("check.outside_parent"))  # fmt: skip
    geojson("no_code_column.geojson", [], err("unmapped"), raw=json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"FID": 1, "Shape_Leng": 0.2}, "geometry": poly()}]}))  # fmt: skip
    (OUT / "expected.json").write_text(
        json.dumps(EXPECTED, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8"
    )
    print(f"{len(EXPECTED)} bad files in {OUT}")


if __name__ == "__main__":
    main()
