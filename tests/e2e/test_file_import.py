"""The file import page in a real Chromium: the commander uploads a small hotline CSV
(GBK, as Excel on a Chinese Windows saves it), sees the guessed mapping and the preview,
imports and sees the counts; the rows are in the database. The file is sent once: the
preview and the import send only the upload's id. A spreadsheet bomb gets its message.

Every wait is on a condition of the page (an element, a text), never on the clock.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from governance.demo_accounts import DEMO_ACCOUNTS
from pages.import_ids import ImportIds as Ids
from tests.e2e.conftest import VIEWPORT, Console, sign_in
from tests.integration.test_file_import import csv_bytes, rows, stored, tag

pytestmark = pytest.mark.e2e

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}


def test_commander_uploads_previews_and_imports(
    browser: Any, live_server: str, console: Console
) -> None:
    tg = tag()
    data = csv_bytes(rows(4, tg), "gbk")
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    sign_in(page, live_server, "commander", PASSWORDS["commander"])
    page.goto(live_server + "/import")
    page.wait_for_url(lambda url: urlsplit(url).path == "/import")
    assert page.is_disabled(f"#{Ids.IMPORT}")
    bodies: list[str] = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data or "") if "_dash-update-component" in r.url else None,
    )

    page.set_input_files(
        f"#{Ids.UPLOAD} input[type=file]",
        files=[{"name": "12345导出.csv", "mimeType": "text/csv", "buffer": data}],
    )
    page.wait_for_selector(f"#{Ids.FILE} >> text=4 行")
    page.wait_for_selector(f"#{Ids.MAP}-external-id >> text=工单编号")  # the guess

    page.click(f"#{Ids.PREVIEW}")
    page.wait_for_selector(f"#{Ids.PREVIEW_OUT} >> text=新增 4")
    assert page.locator(f"#{Ids.PREVIEW_OUT} table tbody tr").count() == 4
    page.wait_for_function(f"!document.getElementById('{Ids.IMPORT}').disabled")
    assert stored(tg) == []

    page.click(f"#{Ids.IMPORT}")
    page.wait_for_selector(f"#{Ids.RESULT} >> text=新增 4 条事件")
    assert "13800138000" not in page.inner_text(f"#{Ids.RESULT}")
    assert len(stored(tg)) == 4
    assert page.is_disabled(f"#{Ids.IMPORT}")
    with_file = [b for b in bodies if ";base64," in b]
    assert len(with_file) == 1  # the upload; the preview and the import sent the id
    assert any(f'"{Ids.UPLOAD_ID}"' in b for b in bodies if b not in with_file)
    context.close()
    console.check()


def test_a_spreadsheet_bomb_gets_a_message_in_the_browser(
    browser: Any, live_server: str, console: Console
) -> None:
    from tests.integration.spreadsheet_bombs import far_corner_xlsx

    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    sign_in(page, live_server, "commander", PASSWORDS["commander"])
    page.goto(live_server + "/import")
    page.wait_for_url(lambda url: urlsplit(url).path == "/import")
    page.set_input_files(
        f"#{Ids.UPLOAD} input[type=file]",
        files=[
            {
                "name": "导出.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": far_corner_xlsx(),
            }
        ],
    )
    shown = page.wait_for_selector(f"#{Ids.FILE} .mq-import-error")
    assert "A1:XFD1048576" in shown.inner_text() and "超出上限" in shown.inner_text()
    page.click(f"#{Ids.PREVIEW}")
    page.wait_for_selector(f"#{Ids.PREVIEW_OUT} >> text=请先选择文件")
    assert page.is_disabled(f"#{Ids.IMPORT}")
    context.close()
    console.check()


def test_an_oversized_file_is_refused_in_the_browser_with_a_message(
    browser: Any, live_server: str, console: Console, tmp_path: Any
) -> None:
    from governance.file_tables import MAX_FILE_BYTES

    big = tmp_path / "12345导出-全年.csv"
    with big.open("wb") as f:  # sparse: 1 byte over the limit, nothing read into memory
        f.truncate(MAX_FILE_BYTES + 1)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    sign_in(page, live_server, "commander", PASSWORDS["commander"])
    page.goto(live_server + "/import")
    page.wait_for_url(lambda url: urlsplit(url).path == "/import")
    page.set_input_files(f"#{Ids.UPLOAD} input[type=file]", files=[str(big)])
    shown = page.wait_for_selector(f"#{Ids.FILE} .mq-import-error")
    assert shown.inner_text() == "文件过大（20.0 MB），上限为 20 MB；请拆分后分批导入"
    assert page.is_disabled(f"#{Ids.IMPORT}")
    context.close()
    console.check()


def test_corrections_are_listed_and_must_be_accepted(
    browser: Any, live_server: str, console: Console
) -> None:
    """A row with latitude and longitude the wrong way round: the preview says so on that
    row, shows categories by name, and the import waits for the user to accept."""
    from i18n import t
    from tests.integration.test_file_import import world

    tg = tag()
    table = rows(3, tg)
    table[1][3], table[1][4] = table[1][4], table[1][3]
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    sign_in(page, live_server, "commander", PASSWORDS["commander"])
    page.goto(live_server + "/import")
    page.wait_for_url(lambda url: urlsplit(url).path == "/import")
    assert not page.is_visible(f"#{Ids.ACCEPT}")
    page.set_input_files(
        f"#{Ids.UPLOAD} input[type=file]",
        files=[{"name": "swapped.csv", "mimeType": "text/csv", "buffer": csv_bytes(table)}],
    )
    page.wait_for_selector(f"#{Ids.FILE} >> text=3 行")
    page.click(f"#{Ids.PREVIEW}")
    page.wait_for_selector(f"#{Ids.PREVIEW_OUT} >> text=1 处自动更正")
    fixed = page.locator(f"#{Ids.PREVIEW_OUT} tr.mq-import-fixed")
    assert fixed.count() == 1 and "经度与纬度填反" in fixed.inner_text()
    shown = page.inner_text(f"#{Ids.PREVIEW_OUT} table")
    code, name = world()["cats"][0]
    assert name in shown and code not in shown  # categories by name
    page.wait_for_selector(f"#{Ids.ACCEPT}", state="visible")
    page.click(f"#{Ids.IMPORT}")
    page.wait_for_selector(f"#{Ids.RESULT} >> text=尚未接受")
    assert stored(tg) == []
    page.click(f"#{Ids.ACCEPT} >> text={t('import.accept', 'zh-CN')}")
    page.click(f"#{Ids.IMPORT}")
    page.wait_for_selector(f"#{Ids.RESULT} >> text=新增 3 条事件")
    assert len(stored(tg)) == 3
    context.close()
    console.check()
