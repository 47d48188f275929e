"""Import of a county's own areas (issue 15): real Shanwei county boundaries in CGCS2000,
WGS84, GCJ-02, Gauss-Kruger and KML land within 5 m of the reference; a corrected grid
file updates in place, keeps ids and moves incidents; everything or nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from sqlalchemy import text

from geodata.demo.boundaries import load_counties
from governance import area_import
from governance.access import Principal
from governance.area_crs import declared, detect_shift, to_wgs84
from governance.area_files import read_area_file
from governance.duties import INSTALLER
from governance.errors import Forbidden, InvalidInput
from governance.uow import unit_of_work
from i18n import language
from tests.area_files import grid_file

AREAS = Path(__file__).resolve().parents[1] / "fixtures" / "areas"
SHIPPED = [
    "shanwei_counties_cgcs2000.zip",
    "shanwei_counties_wgs84.geojson",
    "shanwei_counties_gcj02.geojson",
    "shanwei_counties_gk.gpkg",
    "shanwei_counties.kml",
]
SYSADMIN = Principal(user_id=1, username="admin", display_name="admin", role="sysadmin")


def _file(name: str):  # type: ignore[no-untyped-def]
    return read_area_file((AREAS / name).read_bytes(), name)


def _metres_off(s, code: str, reference: object) -> float:  # type: ignore[no-untyped-def]
    """Hausdorff distance in metres (CGCS2000 / Gauss-Kruger CM 114E) from the stored
    area to ``reference``."""
    return s.execute(
        text(
            "SELECT ST_HausdorffDistance(ST_Transform(geom, 4547), "
            "ST_Transform(ST_GeomFromWKB(:ref, 4326), 4547)) FROM area WHERE code = :c"
        ),
        {"ref": shapely.to_wkb(reference), "c": code},
    ).scalar_one()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_county_boundaries_land_within_five_metres(session, name: str) -> None:
    reference = {c.adcode.ljust(12, "0"): c.geom for c in load_counties()}
    ids = dict(session.execute(text("SELECT code, id FROM area WHERE level = 'county'")).all())
    # the loaded counties are moved 1 km north: the import must put them back
    session.execute(
        text("UPDATE area SET geom = ST_Translate(geom, 0, 0.01) WHERE level = 'county'")
    )
    with unit_of_work(SYSADMIN) as s:
        a = area_import.analyse(s, SYSADMIN, _file(name), area_import.Options())
        assert a.can_import, [p.message for p in a.problems]
        assert a.shift == ("gcj02" if "gcj02" in name else "wgs84")
        result = area_import.commit(s, SYSADMIN, _file(name), area_import.Options())
    assert result.plan["reshaped"] == 4 and result.plan["new"] == 0
    for code, geom in reference.items():
        assert _metres_off(session, code, geom) < 5.0, (name, code)
    assert (
        dict(session.execute(text("SELECT code, id FROM area WHERE level = 'county'")).all()) == ids
    )


def test_gcj02_is_detected_and_without_loaded_areas_the_operator_chooses() -> None:
    file = _file("shanwei_counties_gcj02.geojson")
    decl = declared(file.crs)
    assert decl.may_be_shifted
    assert detect_shift(to_wgs84(file.geoms, decl), None).system is None  # nothing to compare
    ref = np.array([c.geom for c in load_counties()], dtype=object)
    lines = shapely.union_all(shapely.boundary(ref))
    verdict = detect_shift(to_wgs84(file.geoms, decl), lines)
    assert (
        verdict.system == "gcj02" and verdict.shares["gcj02"] > 0.9 > 0.1 > verdict.shares["wgs84"]
    )
    chosen = to_wgs84(file.geoms, decl, "gcj02")
    for got, want in zip(chosen, ref, strict=True):  # the operator's choice lands within 5 m
        assert shapely.hausdorff_distance(got, want) * 111_000 < 5.0


def test_reimporting_the_same_file_changes_nothing(session) -> None:
    with unit_of_work(SYSADMIN) as s:
        first = area_import.commit(
            s, SYSADMIN, _file("shanwei_counties_cgcs2000.zip"), area_import.Options()
        )
        again = area_import.analyse(
            s, SYSADMIN, _file("shanwei_counties_cgcs2000.zip"), area_import.Options()
        )
    assert first.plan == {"new": 0, "unchanged": 4, "renamed": 0, "reshaped": 0}
    assert again.plan == first.plan


def test_a_corrected_grid_file_updates_in_place_and_moves_incidents(session) -> None:
    gf = grid_file(session)
    ids = dict(
        session.execute(
            text("SELECT code, id FROM area WHERE code = ANY(:c)"), {"c": gf.codes}
        ).all()
    )
    in_strip = session.execute(
        text(
            "SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id "
            "WHERE g.code = :loser AND ST_Covers(ST_GeomFromWKB(:strip, 4326), i.geom)"
        ),
        {"loser": gf.loser, "strip": shapely.to_wkb(shapely.buffer(gf.moved, -0.00005))},
    ).scalar_one()
    file = read_area_file(gf.data, "网格.zip")
    assert "area_import.note.read_as_gbk" in file.notes
    with language("zh-CN"), unit_of_work(SYSADMIN) as s:
        a = area_import.analyse(s, SYSADMIN, file, area_import.Options(level="grid"))
        assert a.mapping == {
            "code": "网格编码",
            "name": "网格名称",
            "parent": "上级编码",
            "population": None,
        }
        kinds = {p.severity for p in a.problems}
        assert kinds == {"repair", "warning"}, [p.message for p in a.problems]
        gaps = [
            p for p in a.problems if p.severity == "warning" and shapely.intersects(p.geom, gf.hole)
        ]
        assert len(gaps) == 1 and "缝隙" in gaps[0].message and 2_000 < gaps[0].area_m2 < 6_000
        repair = next(p for p in a.problems if p.severity == "repair")
        assert (
            repair.feature is not None
            and repair.code in [c for c in gf.codes]
            and "自相交" in repair.message
        )
        with pytest.raises(InvalidInput) as refused:
            area_import.commit(s, SYSADMIN, file, area_import.Options(level="grid"))
        assert refused.value.key == "area_import.error.repairs_not_accepted"
        done = area_import.commit(s, SYSADMIN, file, area_import.Options(level="grid", repair=True))
    assert done.plan["reshaped"] == 3 and done.plan["new"] == 0
    assert done.reassigned["incident"] >= in_strip
    after = dict(
        session.execute(
            text("SELECT code, id FROM area WHERE code = ANY(:c)"), {"c": gf.codes}
        ).all()
    )
    assert after == ids
    moved = session.execute(
        text(
            "SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id "
            "WHERE g.code = :gainer AND ST_Covers(ST_GeomFromWKB(:strip, 4326), i.geom)"
        ),
        {"gainer": gf.gainer, "strip": shapely.to_wkb(shapely.buffer(gf.moved, -0.00005))},
    ).scalar_one()
    assert moved >= in_strip
    detail = session.execute(
        text("SELECT detail FROM audit_log WHERE id = :i"), {"i": done.audit_id}
    ).scalar_one()
    assert (
        detail["areas_reshaped"] == 3
        and detail["reassigned_incident"] == done.reassigned["incident"]
    )
    with unit_of_work(SYSADMIN) as s:  # the same file again: nothing to do
        again = area_import.analyse(
            s, SYSADMIN, file, area_import.Options(level="grid", repair=True)
        )
    assert again.plan["unchanged"] == len(gf.codes)
    with unit_of_work(SYSADMIN) as s:  # the mapping is remembered for this layout
        assert (
            area_import.analyse(s, SYSADMIN, file, area_import.Options(level="grid")).mapping_from
            == "remembered"
        )


@pytest.mark.parametrize(
    "role", ["commander", "supervisor", "secadmin", "auditor", "grid_worker", None]
)
def test_only_the_system_administrator_imports_areas(session, role: str | None) -> None:
    who = Principal(user_id=9, username="x", display_name="x", role=role)
    with pytest.raises(Forbidden), unit_of_work(who) as s:
        area_import.analyse(s, who, _file("shanwei_counties_wgs84.geojson"), area_import.Options())


def test_the_installer_at_the_shell_may_import(session) -> None:
    with unit_of_work(INSTALLER) as s:
        assert area_import.analyse(
            s, INSTALLER, _file("shanwei_counties_wgs84.geojson"), area_import.Options()
        ).can_import


def test_the_command_line_imports_and_says_what_it_did(session) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    path = str(AREAS / "shanwei_counties_gcj02.geojson")
    dry = CliRunner().invoke(cli, ["import", "areas", path, "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "offset undone: gcj02" in dry.output and "dry run: nothing written" in dry.output
    done = CliRunner().invoke(
        cli, ["import", "areas", path, "--map", "code=编码", "--map", "name=名称"]
    )
    assert done.exit_code == 0, done.output
    assert "imported: new 0, unchanged 4" in done.output


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
@pytest.mark.parametrize("level", ["county", "street", "grid"])
def test_exported_areas_reimport_unchanged(session, fmt: str, level: str) -> None:
    """The map's own export (grids dataset, any level) is a file the import takes back as
    it is: same codes, every shape within 1e-7 degrees, nothing to change."""
    from tests.conftest import signed_in_client

    where = {"county": "", "street": "&area=441502", "grid": "&area=441502001"}[level]
    body = signed_in_client("commander").get(f"/export/grids.{fmt}?level={level}{where}")
    assert body.status_code == 200
    file = read_area_file(body.data, f"grids.{fmt}")
    with unit_of_work(SYSADMIN) as s:
        a = area_import.analyse(s, SYSADMIN, file, area_import.Options(level=level))
    assert a.mapping["code"] and a.mapping["name"] and a.can_import, [p.message for p in a.problems]
    assert a.plan["unchanged"] == file.count > 0 and a.plan["new"] == a.plan["reshaped"] == 0
    stored = dict(
        session.execute(
            text("SELECT code, ST_AsBinary(geom) FROM area WHERE level = :l"), {"l": level}
        ).all()
    )
    for f in a.features:
        want = shapely.from_wkb(bytes(stored[f["code"]]))
        assert shapely.hausdorff_distance(a.geoms[f["index"]], want) <= 1.5e-7
