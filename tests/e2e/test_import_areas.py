"""The area import page in a real Chromium: the system administrator uploads a zipped
Shapefile of a community's corrected grids (tests/area_files.py: GBK, no .cpg, a moved
boundary, a gap, a self-intersection), sees the guessed mapping, previews (the gap drawn
on the preview map, the repair listed), accepts the repair and imports. Then, as the
commander: the grids layer the map draws holds the new boundary, and an incident posted
through the intake API inside the moved strip is assigned to the grid that gained it.

The live server shares the test database with every other test, and this test commits
an import: the grids' rows, the points' grids, the remembered mapping and the posted
incident are put back as they were in a ``finally`` block.

Every wait is on a condition of the page (an element, a text), never on the clock.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import shapely
from sqlalchemy import text

from geodata.db import session_scope
from governance import area_import
from governance.area_files import read_area_file
from governance.demo_accounts import DEMO_ACCOUNTS
from pages.area_import_ids import AreaImportIds as Ids
from pages.area_import_ids import map_id
from tests.area_files import GridFile, grid_file
from tests.e2e import axe
from tests.e2e.conftest import VIEWPORT, Console, readme_picture, sign_in

pytestmark = pytest.mark.e2e

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
POINT_TABLES = ("incident", "key_site", "key_person")


def _saved(gf: GridFile) -> dict[str, Any]:
    """What the import may change: the grids' rows, the grid of every point in or
    assigned to them, and the mapping remembered for this file layout."""
    headers = read_area_file(gf.data, "网格.zip").headers
    with session_scope(admin=True) as s:
        grids = s.execute(
            text(
                "SELECT id, code, name, level, population, parent_id, ST_AsEWKB(geom), "
                "ST_AsEWKB(label_point) FROM area WHERE code = ANY(:c)"
            ),
            {"c": gf.codes},
        ).all()
        ids = [g[0] for g in grids]
        points = {
            table: s.execute(
                text(
                    f"SELECT t.id, t.grid_id FROM {table} t WHERE t.grid_id = ANY(:g) OR EXISTS "
                    "(SELECT 1 FROM area a WHERE a.id = ANY(:g) AND ST_Intersects(a.geom, t.geom))"
                ),
                {"g": ids},
            ).all()
            for table in POINT_TABLES
        }
        signature = area_import.signature(headers)
        layout = s.execute(
            text("SELECT count(*) FROM import_layout WHERE signature = :s"), {"s": signature}
        ).scalar_one()
    return {"grids": grids, "points": points, "signature": signature, "layout": layout}


def _restore(saved: dict[str, Any], incident: int | None) -> None:
    with session_scope(admin=True) as s:
        if incident is not None:
            s.execute(text("DELETE FROM incident WHERE id = :i"), {"i": incident})
        for gid, _code, name, level, pop, parent, geom, label in saved["grids"]:
            s.execute(
                text(
                    "UPDATE area SET name = :n, level = :l, population = :p, parent_id = :parent, "
                    "geom = ST_GeomFromEWKB(:g), label_point = ST_GeomFromEWKB(:lp) WHERE id = :id"
                ),
                {"n": name, "l": level, "p": pop, "parent": parent, "g": bytes(geom),
                 "lp": bytes(label) if label is not None else None, "id": gid},
            )  # fmt: skip
        for table, rows in saved["points"].items():
            for pid, grid in rows:
                s.execute(
                    text(f"UPDATE {table} SET grid_id = :g WHERE id = :i AND grid_id "
                         "IS DISTINCT FROM :g"),
                    {"g": grid, "i": pid},
                )  # fmt: skip
        if not saved["layout"]:
            s.execute(
                text("DELETE FROM import_layout WHERE signature = :s"), {"s": saved["signature"]}
            )


def _post_incident(base: str, lon: float, lat: float) -> int:
    """An incident through the intake API, as a hotline system sends it."""
    from governance.tokens import create_source_token

    with session_scope(admin=True) as s:
        source = create_source_token(s, source="12345", scopes=("incidents:write",), name="e2e")
    body = {
        "external_id": f"e2e-areas-{datetime.now().timestamp()}",
        "category": "safety.fire_hazard",
        "occurred_at": datetime.now().astimezone().isoformat(),
        "lon": lon,
        "lat": lat,
        "description": "网格边界调整后的测试事件",
        "address": "测试地址",
    }
    req = urllib.request.Request(
        f"{base}/api/v1/incidents",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {source.token}"},
    )
    with urllib.request.urlopen(req, timeout=20) as resp:
        assert resp.status == 201
        return int(json.load(resp)["id"])


def _new_page(browser: Any, console: Console, base: str, username: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    sign_in(page, base, username, PASSWORDS[username])
    return context, page


def test_administrator_imports_grids_and_incidents_follow(
    browser: Any, live_server: str, console: Console
) -> None:
    with session_scope(admin=True) as s:
        gf = grid_file(s)
    saved = _saved(gf)
    incident: int | None = None
    try:
        context, page = _new_page(browser, console, live_server, "admin")
        page.goto(live_server + "/import/areas")
        page.wait_for_url(lambda url: urlsplit(url).path == "/import/areas")
        assert page.is_disabled(f"#{Ids.IMPORT}")
        page.set_input_files(
            f"#{Ids.UPLOAD} input[type=file]",
            files=[{"name": "网格.zip", "mimeType": "application/zip", "buffer": gf.data}],
        )
        page.wait_for_selector(f"#{Ids.FILE} >> text={len(gf.codes)} 个要素")
        page.wait_for_selector(f"#{map_id('code')} >> text=网格编码")  # the guess, shown
        page.wait_for_selector(f"#{map_id('name')} >> text=网格名称")
        page.wait_for_selector(f"#{Ids.MAPPING_FROM} >> text=推测")

        page.click(f"#{Ids.PREVIEW}")
        page.wait_for_selector(f"#{Ids.PREVIEW_MAP} path.mq-areaimport-warning", state="visible")
        assert page.locator(f"#{Ids.PREVIEW_MAP} path.mq-areaimport-area").count() == len(gf.codes)
        problems = page.inner_text(f"#{Ids.PREVIEW_OUT} .mq-areaimport-problems")
        assert "缝隙" in problems and "自相交" in problems
        page.wait_for_selector(f"#{Ids.ACCEPT}", state="visible")
        assert page.is_disabled(f"#{Ids.IMPORT}")  # the repair is not accepted yet
        picture = readme_picture("screenshot-import-areas.png")
        picture.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(picture), full_page=True)
        axe.assert_clean(page, "/import/areas (preview)")

        page.click(f"#{Ids.ACCEPT} input[type=checkbox]")
        page.wait_for_selector(f"#{Ids.IMPORT}:not([disabled])")
        page.click(f"#{Ids.IMPORT}")
        page.wait_for_selector(f"#{Ids.RESULT} >> text=已导入")
        console.check()  # the administrator's page
        assert "更新边界 3 个" in page.inner_text(f"#{Ids.RESULT}")
        context.close()

        # the commander's map: the grids layer holds the new boundary
        inside = shapely.buffer(gf.moved, -0.00005).representative_point()
        context, page = _new_page(browser, console, live_server, "commander")
        x, y, d = inside.x, inside.y, 0.01
        resp = page.request.get(
            f"{live_server}/api/v1/layers/areas?bbox={x - d},{y - d},{x + d},{y + d}"
            "&z=18&level=grid"
        )
        assert resp.ok, resp.status
        shapes = {
            f["properties"]["code"]: shapely.geometry.shape(f["geometry"])
            for f in resp.json()["features"]
        }
        assert gf.gainer in shapes and shapes[gf.gainer].covers(inside)
        assert not shapes.get(gf.loser, shapely.Point()).covers(inside)
        context.close()

        # an incident posted inside the moved strip lands in the grid that gained it
        incident = _post_incident(live_server, inside.x, inside.y)
        with session_scope(admin=True) as s:
            grid = s.execute(
                text(
                    "SELECT g.code FROM incident i JOIN area g ON g.id = i.grid_id WHERE i.id = :i"
                ),
                {"i": incident},
            ).scalar_one()
        assert grid == gf.gainer
        console.check()
    finally:
        _restore(saved, incident)


def test_an_oversized_file_is_refused_in_the_browser_with_the_command_line_way(
    browser: Any, live_server: str, console: Console, tmp_path: Any
) -> None:
    from governance.area_uploads import MAX_WEB_BYTES

    big = tmp_path / "全省网格.zip"
    with big.open("wb") as f:  # sparse: 1 byte over the limit, nothing read into memory
        f.truncate(MAX_WEB_BYTES + 1)
    context, page = _new_page(browser, console, live_server, "admin")
    page.goto(live_server + "/import/areas")
    page.wait_for_url(lambda url: urlsplit(url).path == "/import/areas")
    page.set_input_files(f"#{Ids.UPLOAD} input[type=file]", files=[str(big)])
    shown = page.wait_for_selector(f"#{Ids.FILE} .mq-import-error")
    assert "16 MB" in shown.inner_text() and "python app.py import areas" in shown.inner_text()
    assert page.is_disabled(f"#{Ids.IMPORT}")
    context.close()
    console.check()
