"""Area import benchmark: a province's grids (100,000 and their 1,111 parents) from one
GeoPackage, end to end, against loading the same file without any check (GDAL read + COPY).

    python bench/import.py [--grids 100000] [--runs 2]
    python bench/import.py --smoke     # 1,000 grids on the configured database, rolled back

The file is generated: one county of 100 streets (10 x 10), each of 10 communities (2 x 5),
each of 100 grids (10 x 10 squares of 0.001 degrees, ~100 m), county code 449901 (no real
county has it), near 110.2E 21.2N, in EPSG:4490. The import runs as the installer would run
``python app.py import areas`` (read, detect, check codes and topology, stage, upsert,
re-assign, audit) in a transaction that is rolled back, so every run imports the same
101,111 new areas. The baseline reads the same file with ``pyogrio`` and COPYs code, name
and geometry into a scratch table: what ``ogr2ogr -f PostgreSQL`` does (the ogr2ogr binary
is not installed here; pyogrio links the same GDAL). Uses the database
``<name>_bench_import`` (migrated, no demo city) so the development data is untouched.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import get_settings  # noqa: E402

CELL = 0.001  # degrees
ORIGIN = (110.2, 21.2)
COUNTY = "449901"


@dataclass(frozen=True)
class Figures:
    features: int
    file_mb: float
    import_s: float
    baseline_s: float
    read_s: float
    analyse_s: float
    write_s: float
    peak_mb: float

    @property
    def ratio(self) -> float:
        return self.import_s / self.baseline_s


def province(grids: int) -> bytes:
    """A GeoPackage of one county, its streets, communities and ``grids`` grids."""
    import geopandas as gpd
    import shapely

    per_community, per_street = 100, 10
    communities = max(1, grids // per_community)
    streets = max(1, communities // per_street)
    codes: list[str] = [COUNTY]
    names: list[str] = ["基准县"]
    geoms: list[object] = []
    cells: list[tuple[str, str, object]] = []
    street_boxes = []
    for st in range(streets):
        sx = ORIGIN[0] + (st % 10) * 20 * CELL
        sy = ORIGIN[1] + (st // 10) * 50 * CELL
        s_code = f"{COUNTY}{st + 1:03d}"
        street_boxes.append(
            (s_code, f"街道{st + 1}", shapely.box(sx, sy, sx + 20 * CELL, sy + 50 * CELL))
        )
        for cm in range(per_street):
            cx, cy = sx + (cm % 2) * 10 * CELL, sy + (cm // 2) * 10 * CELL
            c_code = f"{s_code}{cm + 1:03d}"
            cells.append(
                (
                    c_code,
                    f"社区{st + 1}-{cm + 1}",
                    shapely.box(cx, cy, cx + 10 * CELL, cy + 10 * CELL),
                )
            )
            for g in range(per_community):
                gx, gy = cx + (g % 10) * CELL, cy + (g // 10) * CELL
                cells.append(
                    (
                        f"{c_code}{g + 1:03d}",
                        f"网格{g + 1}",
                        shapely.box(gx, gy, gx + CELL, gy + CELL),
                    )
                )
    county = shapely.union_all([b for _, _, b in street_boxes])
    geoms.append(county)
    for code, name, geom in street_boxes + cells:
        codes.append(code)
        names.append(name)
        geoms.append(geom)
    frame = gpd.GeoDataFrame({"编码": codes, "名称": names}, geometry=geoms, crs="EPSG:4490")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "province.gpkg"
        frame.to_file(path, driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_once(data: bytes) -> tuple[float, float, float, int]:
    """(read, analyse, write) seconds and the features, in a rolled-back transaction."""
    from geodata.db import session_scope
    from governance import area_import
    from governance.area_files import read_area_file
    from governance.duties import INSTALLER

    opts = area_import.Options()
    with session_scope() as s:
        t0 = time.perf_counter()
        file = read_area_file(data, "province.gpkg")
        t1 = time.perf_counter()
        a = area_import.analyse(s, INSTALLER, file, opts)
        t2 = time.perf_counter()
        assert a.can_import, [p.message for p in a.problems[:5]]
        result = area_import.commit_analysed(s, INSTALLER, file, a)
        t3 = time.perf_counter()
        assert result.plan["new"] == file.count, result.plan
        s.rollback()
    return t1 - t0, t2 - t1, t3 - t2, file.count


def baseline_once(data: bytes) -> float:
    """GDAL read + COPY of code, name and geometry, no checks (what ogr2ogr does)."""
    import pyogrio
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope() as s, tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = Path(tmp) / "province.gpkg"
        path.write_bytes(data)
        meta, _f, wkb, (code, name) = pyogrio.raw.read(path)
        s.execute(
            text(
                "CREATE TEMP TABLE bench_plain (code text, name text, geom geometry) ON COMMIT DROP"
            )
        )
        buf = io.StringIO()
        for c, n, g in zip(code, name, wkb, strict=True):
            buf.write(f"{c}\t{n}\tSRID=4326;{g.hex()}\n")
        buf.seek(0)
        cur = s.connection().connection.cursor()
        cur.copy_expert("COPY bench_plain (code, name, geom) FROM STDIN", buf)
        cur.close()
        took = time.perf_counter() - t0
        s.rollback()
    return took


def measure(grids: int, runs: int) -> Figures:
    data = province(grids)
    baseline_once(data)  # warm-up: GDAL, the planner
    rounds = []
    base = []
    for _ in range(runs):
        rounds.append(import_once(data))
        base.append(baseline_once(data))
    read = statistics.median(r[0] for r in rounds)
    analyse = statistics.median(r[1] for r in rounds)
    write = statistics.median(r[2] for r in rounds)
    return Figures(
        features=rounds[0][3],
        file_mb=len(data) / 2**20,
        import_s=statistics.median(sum(r[:3]) for r in rounds),
        baseline_s=statistics.median(base),
        read_s=read,
        analyse_s=analyse,
        write_s=write,
        peak_mb=_peak_mb(),
    )


def report(f: Figures) -> None:
    print(f"area import of {f.features:,} features ({f.file_mb:.1f} MB GeoPackage), median:")
    print(
        f"  import end to end       {f.import_s:7.2f} s   (read {f.read_s:.2f}, checks {f.analyse_s:.2f}, write {f.write_s:.2f})"
    )
    print(f"  baseline GDAL + COPY    {f.baseline_s:7.2f} s")
    print(f"  ratio import / baseline {f.ratio:7.1f} x")
    print(f"  peak memory of this process {f.peak_mb:.0f} MB")


def main(argv: list[str] | None = None) -> Figures:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--grids", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--smoke", action="store_true", help="1,000 grids on the configured database")
    args = ap.parse_args(argv)
    if args.smoke:
        figures = measure(1_000, 1)
        report(figures)
        return figures
    from bench.seed import bench_database

    url, owner = bench_database("_bench_import")
    os.environ["MINQING_DATABASE_URL"] = url
    os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
    get_settings.cache_clear()
    from geodata import migrate

    migrate.upgrade(owner)
    figures = measure(args.grids, args.runs)
    report(figures)
    return figures


if __name__ == "__main__":
    main()
