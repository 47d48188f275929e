"""Panel services (governance/) on the seeded test database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from governance import areas, incidents, sites
from governance.access import Principal
from governance.errors import Forbidden, NotFound


def principal(username: str) -> Principal:
    from sqlalchemy import select

    from geodata.db import session_scope
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope() as s:
        return principal_of(
            s, s.execute(select(AppUser).where(AppUser.username == username)).scalar_one()
        )


def in_unit(fn, *args, principal: Principal, **kw):  # type: ignore[no-untyped-def]
    """A use case called as its callback calls it: in the principal's unit of work."""
    from governance.uow import unit_of_work

    with unit_of_work(principal) as s:
        return fn(s, *args, principal=principal, **kw)


CMD = "commander"


def test_area_summary_of_a_grid_matches_sql(session) -> None:
    grid_id = session.execute(
        text("""SELECT grid_id FROM incident GROUP BY 1
        ORDER BY count(*) DESC LIMIT 1""")
    ).scalar_one()
    summary = in_unit(
        areas.area_summary,
        grid_id,
        principal=principal(CMD),
        start="2000-01-01",
        end="2099-12-31",
        lang="zh-CN",
    )
    n = session.execute(
        text("SELECT count(*) FROM incident WHERE grid_id = :g"), {"g": grid_id}
    ).scalar_one()
    assert summary["total"] == n == sum(c["count"] for c in summary["by_status"])
    assert [c["level"] for c in summary["breadcrumb"]] == ["county", "street", "community", "grid"]
    assert summary["breadcrumb"][-1]["id"] == grid_id
    assert summary["area"]["worker_phone"].count("*") == 4  # masked
    n_sites = session.execute(
        text("SELECT count(*) FROM key_site WHERE grid_id = :g"), {"g": grid_id}
    ).scalar_one()
    assert summary["sites_total"] == n_sites


def test_area_summary_of_a_county_covers_its_grids(session) -> None:
    county = session.execute(
        text("SELECT id, code FROM area WHERE level = 'county' ORDER BY code LIMIT 1")
    ).one()
    summary = in_unit(
        areas.area_summary,
        county.id,
        principal=principal(CMD),
        start="2000-01-01",
        end="2099-12-31",
        lang="en",
    )
    n = session.execute(
        text("""SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id
        WHERE g.code LIKE :p"""),
        {"p": county.code[:6] + "%"},
    ).scalar_one()
    assert summary["total"] == n
    assert summary["area"]["level_label"] == "County"
    assert summary["area"]["worker_phone"] is None
    assert sum(summary["trend"]["counts"]) == n


def test_site_and_incident_details(session) -> None:
    site_id, grid_id = session.execute(text("SELECT id, grid_id FROM key_site LIMIT 1")).one()
    site = in_unit(sites.site_detail, site_id, "zh-CN", principal=principal(CMD))
    assert site["breadcrumb"][-1]["id"] == grid_id and site["type_label"]
    inc_id = session.execute(text("SELECT id FROM incident LIMIT 1")).scalar_one()
    detail = in_unit(incidents.incident_detail, inc_id, "en", principal=principal(CMD))
    assert detail["id"] == inc_id and detail["status_label"] and len(detail["breadcrumb"]) == 4


@pytest.mark.parametrize("fn", [sites.site_detail, incidents.incident_detail])
def test_unknown_ids_are_not_found(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        in_unit(fn, 987654321, "zh-CN", principal=principal(CMD))


def test_unknown_area_is_not_found() -> None:
    with pytest.raises(NotFound):
        in_unit(areas.area_summary, 987654321, principal=principal(CMD), lang="zh-CN")


def test_supervisor_is_confined_to_their_street(session) -> None:
    sup = principal("supervisor")
    assert sup.area_level == "street" and sup.scope and len(sup.scope) == 9
    own = session.execute(
        text("SELECT id FROM area WHERE code LIKE :p AND level = 'grid' LIMIT 1"),
        {"p": sup.scope + "%"},
    ).scalar_one()
    other = session.execute(
        text("SELECT id FROM area WHERE code NOT LIKE :p AND level = 'grid' LIMIT 1"),
        {"p": sup.scope + "%"},
    ).scalar_one()
    summary = in_unit(areas.area_summary, own, principal=sup, lang="zh-CN")
    crumbs = summary["breadcrumb"]
    assert [c["in_scope"] for c in crumbs] == [False, True, True, True]  # county: name only
    with pytest.raises(Forbidden):
        in_unit(areas.area_summary, other, principal=sup, lang="zh-CN")
    county = crumbs[0]["id"]
    with pytest.raises(Forbidden):
        in_unit(areas.area_summary, county, principal=sup, lang="zh-CN")
    inc_out = session.execute(
        text("""SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
        WHERE g.code NOT LIKE :p LIMIT 1"""),
        {"p": sup.scope + "%"},
    ).scalar_one()
    with pytest.raises(Forbidden):
        in_unit(incidents.incident_detail, inc_out, "zh-CN", principal=sup)
    site_out = session.execute(
        text("""SELECT s.id FROM key_site s JOIN area g ON g.id = s.grid_id
        WHERE g.code NOT LIKE :p LIMIT 1"""),
        {"p": sup.scope + "%"},
    ).scalar_one()
    with pytest.raises(Forbidden):
        in_unit(sites.site_detail, site_out, "zh-CN", principal=sup)


@pytest.mark.parametrize("username", ["admin", "security", "auditor", "wall"])
def test_roles_without_map_access_are_refused(username: str, session) -> None:
    grid = session.execute(text("SELECT id FROM area WHERE level = 'grid' LIMIT 1")).scalar_one()
    with pytest.raises(Forbidden):
        in_unit(areas.area_summary, grid, principal=principal(username), lang="zh-CN")
