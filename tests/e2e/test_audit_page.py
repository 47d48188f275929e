"""The audit log screen in a real Chromium: the auditor signs in, lands on /audit,
filters by action, pages, verifies the hash chain and switches language.

Every wait is on a condition of the page (an element, a request), never on the clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from governance.demo_accounts import DEMO_ACCOUNTS
from pages.audit_ids import AuditIds
from tests.e2e.conftest import Console, sign_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
ROWS = ".mq-audit-row"


def _watch_console(page: Any, console: Console) -> None:
    def on_console(msg: Any) -> None:
        if msg.type == "error" and "favicon" not in msg.text:
            console.errors.append(f"console: {msg.text}")

    page.on("console", on_console)


def _only_action(page: Any, action: str) -> None:
    """Wait until the table shows rows, every one of them of ``action``."""
    page.wait_for_function(
        """a => {
            const rows = [...document.querySelectorAll('.mq-audit-row')];
            return rows.length > 0 && rows.every(r => r.dataset.action === a);
        }""",
        arg=action,
    )


def test_auditor_filters_and_verifies(anon_page: Any, live_server: str, console: Console) -> None:
    page = anon_page
    _watch_console(page, console)
    sign_in(page, live_server, "auditor", PASSWORDS["auditor"])
    page.wait_for_url(lambda url: urlsplit(url).path == "/audit")
    assert "审计员" in page.inner_text(f"#{AuditIds.ACCOUNT}")
    page.wait_for_selector(ROWS)  # the week's records, newest first (this sign-in among them)

    # filter by action = sign-in: only sign-in rows remain, and the export link follows
    page.locator(f"#{AuditIds.ACTION}").click()
    page.get_by_role("option", name="登录", exact=True).click()
    page.keyboard.press("Escape")
    # the rows and the export link come in one response: wait for that response (the
    # unfiltered week may already hold sign-ins only, so the rows alone prove nothing)
    page.wait_for_function(
        "id => (document.getElementById(id).getAttribute('href') || '').includes('action=login')",
        arg=AuditIds.EXPORT,
    )
    _only_action(page, "login")
    assert "auditor" in page.locator(f"{ROWS} .mq-audit-user").all_inner_texts()
    href = page.get_attribute(f"#{AuditIds.EXPORT}", "href") or ""
    assert parse_qs(urlsplit(href).query)["action"] == ["login"]

    # a user name narrows further (Enter submits)
    page.fill(f"#{AuditIds.USERNAME}", "auditor")
    page.press(f"#{AuditIds.USERNAME}", "Enter")
    page.wait_for_function(
        """() => {
            const users = [...document.querySelectorAll('.mq-audit-row .mq-audit-user')];
            return users.length > 0 && users.every(u => u.textContent === 'auditor');
        }"""
    )
    _only_action(page, "login")

    # the hash chain holds
    page.click(f"#{AuditIds.VERIFY}")
    ok = page.wait_for_selector(".mq-audit-verify-ok")
    assert ok is not None and "审计日志完整" in ok.inner_text()

    shots = ROOT / ".data" / "screenshots"  # for a person to look at; not checked in
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "screenshot-audit.png"))
    console.check()


def test_export_link_downloads_the_shown_records(
    anon_page: Any, live_server: str, console: Console
) -> None:
    page = anon_page
    _watch_console(page, console)
    sign_in(page, live_server, "auditor", PASSWORDS["auditor"])
    page.wait_for_selector(ROWS)
    with page.expect_download() as info:
        page.click(f"#{AuditIds.EXPORT}")
    path = info.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("编号,时间,用户") and len(lines) > 1
    console.check()


def test_language_switch_and_paging(anon_page: Any, live_server: str, console: Console) -> None:
    from governance import audit

    written = [audit.record_now(action="data_change", username="e2e-pager") for _ in range(60)]
    page = anon_page
    _watch_console(page, console)
    sign_in(page, live_server, "auditor", PASSWORDS["auditor"])
    page.wait_for_selector(ROWS)
    page.click(f"#{AuditIds.LANG_BUTTON}")
    page.wait_for_selector(".mq-lang-en")
    assert "Audit log" in page.inner_text(".mq-header")
    page.fill(f"#{AuditIds.USERNAME}", "e2e-pager")
    page.click(f"#{AuditIds.SEARCH}")
    page.wait_for_function(
        "n => document.querySelector('.mq-audit-row .mq-audit-id')?.textContent === n",
        arg=str(max(written)),
    )
    assert page.locator(ROWS).count() == 50 and page.is_disabled(f"#{AuditIds.PREV}")
    assert page.inner_text(f"#{AuditIds.PAGE_LABEL}") == "Page 1 · records 1–50"
    page.click(f"#{AuditIds.NEXT}")
    page.wait_for_function("() => document.querySelectorAll('.mq-audit-row').length === 10")
    assert page.inner_text(f"#{AuditIds.PAGE_LABEL}") == "Page 2 · records 51–60"
    assert page.is_disabled(f"#{AuditIds.NEXT}")
    assert page.inner_text(f"{ROWS} .mq-audit-id") == str(sorted(written)[9])
    page.click(f"#{AuditIds.PREV}")
    page.wait_for_function("() => document.querySelectorAll('.mq-audit-row').length === 50")
    console.check()
