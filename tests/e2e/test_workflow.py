"""The closed loop in Chromium: a supervisor verifies and dispatches from the incident
panel; the department finds the case in its inbox, accepts and resolves it; the
supervisor closes it. Each step is read back from the database."""

from __future__ import annotations

from typing import Any

import pytest

from pages.map_ids import MapIds
from tests.e2e.test_map import open_map
from tests.e2e.test_persons_ui import page_as  # noqa: F401  (fixture)
from tests.integration.test_workflow import new_incident, state

pytestmark = pytest.mark.e2e


def select_incident(page: Any, incident_id: int) -> None:
    """What a click on the incident's point does: select it (the panel opens)."""
    page.evaluate(
        "([id, v]) => window.dash_clientside.set_props(id, {data: v})",
        [MapIds.SELECTION, {"kind": "incident", "id": incident_id}],
    )
    page.wait_for_selector(".mq-panel-open .mq-block-flow")


def choose(page: Any, selector: str, label: str) -> None:
    page.locator(selector).click()
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")  # close the menu, which may cover what is below it


def offered(page: Any) -> list[str]:
    """The actions the panel's dropdown offers (it preselects none)."""
    page.locator(".mq-flow-action").click()
    options = [str(o) for o in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    return options


def submit(page: Any, note: str | None = None, *, confirm: bool = False) -> str:
    """Write the note (if any), press 提交 and, for a weighty step, 确认; the message the
    redrawn block shows."""
    if note is not None:
        page.fill(".mq-flow-note", note)
    # the block is redrawn after each submit: wait for a new message, not the last one
    page.evaluate("() => { document.querySelector('.mq-flow-message').dataset.old = '1'; }")
    page.click(".mq-flow-submit")
    if confirm:
        page.wait_for_selector(".mq-flow-confirm:not(.mq-hidden)")
        page.click(".mq-flow-confirm-yes")
    fresh = ".mq-flow-message:not([data-old])"
    page.wait_for_selector(f"{fresh} .mq-ok, {fresh} .mq-error")
    return str(page.inner_text(fresh))


def test_verify_dispatch_accept_resolve_close(page_as: Any, console: Any) -> None:  # noqa: F811
    from tests.integration.test_workflow import departments

    urban = next(d for d in departments() if d["code"] == "urban_mgmt")
    iid = new_incident()
    sup = page_as("supervisor")
    open_map(sup, sup.url.split("/", 3)[0] + "//" + sup.url.split("/", 3)[2])
    select_incident(sup, iid)
    assert "核实" in offered(sup)
    assert sup.locator(".mq-flow-submit").is_disabled()  # nothing chosen yet
    choose(sup, ".mq-flow-action", "核实")
    assert "已完成" in submit(sup)
    assert state(iid)["status"] == "verified"
    choose(sup, ".mq-flow-action", "派遣")
    choose(sup, ".mq-flow-dept", urban["name"])
    assert "已完成" in submit(sup)
    assert state(iid)["status"] == "dispatched"
    assert sup.locator(".mq-block-flow .mq-sla-green").count() == 1
    assert sup.locator(".mq-tl-dispatch").count() == 1

    dept = page_as("dept")
    base = dept.url.split("/", 3)[0] + "//" + dept.url.split("/", 3)[2]
    open_map(dept, base)
    item = dept.locator(f".mq-inbox-item[title='#{iid}']")
    item.wait_for()
    item.click()
    dept.wait_for_selector(".mq-panel-open .mq-block-flow")
    choose(dept, ".mq-flow-action", "签收")
    assert "已完成" in submit(dept)
    choose(dept, ".mq-flow-action", "办结")
    # a note is required: 提交 stays disabled and says why until one is written
    assert dept.locator(".mq-flow-submit").is_disabled()
    assert "说明" in dept.inner_text(".mq-flow-hint")
    assert state(iid)["status"] == "accepted"
    assert "已完成" in submit(dept, "已清理")
    assert state(iid)["status"] == "resolved"

    select_incident(sup, iid)
    sup.wait_for_selector(".mq-panel-open .mq-status-resolved")
    choose(sup, ".mq-flow-action", "核查结案")
    assert "已完成" in submit(sup, confirm=True)
    assert state(iid)["status"] == "closed"
    console.check()


def test_a_photo_goes_with_a_step_and_opens_from_the_timeline(
    page_as: Any,  # noqa: F811
    console: Any,
    tmp_path: Any,
) -> None:
    from governance.attachments import MAX_BYTES
    from tests.integration.test_attachments import PNG, files_of

    iid = new_incident()
    sup = page_as("supervisor")
    base = sup.url.split("/", 3)[0] + "//" + sup.url.split("/", 3)[2]
    open_map(sup, base)
    select_incident(sup, iid)
    # too large: refused in the browser, with the size, before anything is sent
    big = tmp_path / "现场全景.png"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)
    sup.set_input_files(".mq-flow-file input[type=file]", files=[str(big)])
    sup.wait_for_selector(".mq-flow-message .mq-import-error")
    assert "附件过大" in sup.inner_text(".mq-flow-message")
    # a real photo: named in the drop zone, sent with the step, listed in the timeline
    sup.set_input_files(
        ".mq-flow-file input[type=file]",
        files=[{"name": "整改前.png", "mimeType": "image/png", "buffer": PNG}],
    )
    sup.wait_for_selector(".mq-flow-file >> text=已选：整改前.png")
    choose(sup, ".mq-flow-action", "核实")
    assert "已完成" in submit(sup, "现场核实，附照片")
    link = sup.locator(".mq-tl-verify .mq-tl-file")
    assert link.inner_text() == "整改前.png"  # the paperclip is drawn, not a font's glyph
    clip = link.locator(".mq-icon-clip")
    assert clip.get_attribute("aria-hidden") == "true"
    mask = clip.evaluate(
        "e => getComputedStyle(e).webkitMaskImage || getComputedStyle(e).maskImage"
    )
    assert mask.startswith("url(")
    assert clip.bounding_box()["width"] > 0
    files = files_of(iid)
    assert [(f.filename, bytes(f.data)) for f in files] == [("整改前.png", PNG)]
    assert link.get_attribute("href") == f"/api/v1/attachments/{files[0].id}"
    got = sup.request.get(base + link.get_attribute("href"))
    assert got.status == 200 and got.body() == PNG
    console.check()


def test_a_case_link_opens_the_case_on_the_map(page_as: Any, console: Any) -> None:  # noqa: F811
    from sqlalchemy import text

    from geodata.db import session_scope
    from pages.map_ids import incident_link

    iid = new_incident()
    sup = page_as("supervisor")
    base = sup.url.split("/", 3)[0] + "//" + sup.url.split("/", 3)[2]
    sup.goto(base + incident_link(iid))
    sup.wait_for_selector(".mq-panel-open .mq-block-flow")
    assert "核实" in offered(sup)  # the case's own actions
    # a case outside the supervisor's street: refused in the panel, nothing shown
    with session_scope(admin=True) as s:
        far = s.execute(
            text("""SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
                    WHERE g.code NOT LIKE '441502001%' ORDER BY i.id LIMIT 1""")
        ).scalar_one()
    sup.goto(base + incident_link(far))
    sup.wait_for_selector(".mq-panel-open")
    assert sup.locator(".mq-block-flow").count() == 0
    sup.goto(base + "/?incident=abc")  # malformed: the plain map
    sup.wait_for_selector(".leaflet-container")
    assert sup.locator(".mq-panel-open").count() == 0
    console.check()
