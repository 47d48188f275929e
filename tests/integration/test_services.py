"""Panel services (governance/) on the seeded test database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from governance import areas, incidents, sites
from governance.errors import NotFound


def test_area_summary_of_a_grid_matches_sql(session) -> None:
    grid_id = session.execute(text("""SELECT grid_id FROM incident GROUP BY 1
        ORDER BY count(*) DESC LIMIT 1""")).scalar_one()
    summary = areas.area_summary(grid_id, start="2000-01-01", end="2099-12-31", lang="zh-CN")
    n = session.execute(text("SELECT count(*) FROM incident WHERE grid_id = :g"),
                        {"g": grid_id}).scalar_one()
    assert summary["total"] == n == sum(c["count"] for c in summary["by_status"])
    assert [c["level"] for c in summary["breadcrumb"]] == ["county", "street", "community", "grid"]
    assert summary["breadcrumb"][-1]["id"] == grid_id
    assert summary["area"]["worker_phone"].count("*") == 4  # masked
    n_sites = session.execute(text("SELECT count(*) FROM key_site WHERE grid_id = :g"),
                              {"g": grid_id}).scalar_one()
    assert summary["sites_total"] == n_sites


def test_area_summary_of_a_county_covers_its_grids(session) -> None:
    county = session.execute(text("SELECT id, code FROM area WHERE level = 'county' ORDER BY code LIMIT 1")).one()
    summary = areas.area_summary(county.id, start="2000-01-01", end="2099-12-31", lang="en")
    n = session.execute(text("""SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id
        WHERE g.code LIKE :p"""), {"p": county.code[:6] + "%"}).scalar_one()
    assert summary["total"] == n
    assert summary["area"]["level_label"] == "County"
    assert summary["area"]["worker_phone"] is None
    assert sum(summary["trend"]["counts"]) == n


def test_site_and_incident_details(session) -> None:
    site_id, grid_id = session.execute(text("SELECT id, grid_id FROM key_site LIMIT 1")).one()
    site = sites.site_detail(site_id, "zh-CN")
    assert site["breadcrumb"][-1]["id"] == grid_id and site["type_label"]
    inc_id = session.execute(text("SELECT id FROM incident LIMIT 1")).scalar_one()
    detail = incidents.incident_detail(inc_id, "en")
    assert detail["id"] == inc_id and detail["status_label"] and len(detail["breadcrumb"]) == 4


@pytest.mark.parametrize("fn", [sites.site_detail, incidents.incident_detail])
def test_unknown_ids_are_not_found(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        fn(987654321, "zh-CN")


def test_unknown_area_is_not_found() -> None:
    with pytest.raises(NotFound):
        areas.area_summary(987654321, lang="zh-CN")
