"""The account page in a real Chromium: the system administrator signs in, lands on
/admin/users, creates a grid worker for a grid, sees its one-time password and disables
the account; the security administrator then finds it and changes its role.

Every wait is on a condition of the page (an element, a text), never on the clock.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.demo_accounts import DEMO_ACCOUNTS
from pages.users_ids import UsersIds as Ids
from tests.e2e.conftest import VIEWPORT, Console, sign_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}


def _watch_console(page: Any, console: Console) -> None:
    def on_console(msg: Any) -> None:
        if msg.type == "error" and "favicon" not in msg.text:
            console.errors.append(f"console: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))


def _choose(page: Any, dropdown: str, option: str) -> None:
    """Pick ``option`` in a Dash dropdown, as a person would."""
    page.locator(f"#{dropdown}").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def _account(username: str) -> Any:
    with session_scope(admin=True) as s:
        return s.execute(
            text("""SELECT u.role, u.disabled, a.code FROM app_user u
                    LEFT JOIN area a ON a.id = u.area_id WHERE u.username = :u"""),
            {"u": username},
        ).one()


def _sign_in_as(browser: Any, live_server: str, console: Console, username: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    _watch_console(page, console)
    sign_in(page, live_server, username, PASSWORDS[username])
    page.wait_for_url(lambda url: urlsplit(url).path == "/admin/users")
    page.wait_for_selector(".mq-users-row")  # the list loads after the page
    return page


def test_admin_creates_and_disables_security_changes_the_role(
    browser: Any, live_server: str, console: Console
) -> None:
    with session_scope(admin=True) as s:
        grid = s.execute(text("SELECT code FROM area WHERE level = 'grid' LIMIT 1")).scalar_one()
    name = f"e2e-gw-{uuid.uuid4().hex[:8]}"

    # --- the system administrator: a new account (no role), its password shown once,
    # disabled
    page = _sign_in_as(browser, live_server, console, "admin")
    assert "系统管理员" in page.inner_text(f"#{Ids.ACCOUNT}")
    assert page.is_hidden(f"#{Ids.PERMISSION_TOOLS}")  # roles are the security admin's
    assert "新账号没有角色" in page.inner_text(f"#{Ids.CREATE_CARD}")
    page.fill(f"#{Ids.NEW_USERNAME}", name)
    page.fill(f"#{Ids.NEW_NAME}", "网格员（端到端）")
    page.click(f"#{Ids.CREATE}")
    password = page.wait_for_selector(".mq-users-password").inner_text()
    assert len(password) >= 10
    assert name in page.inner_text(f"#{Ids.SECRET}")
    # the new account is chosen, and listed
    page.wait_for_function(
        "n => (document.querySelector('.mq-users-detail-name') || {}).textContent?.includes(n)",
        arg=name,
    )
    page.wait_for_selector(f"tr[data-username='{name}']")
    assert "待分配角色" in page.inner_text(f"tr[data-username='{name}']")
    assert _account(name) == (None, False, None)

    page.click(f"#{Ids.DISABLE}")
    page.wait_for_selector(f"tr[data-username='{name}'] .mq-users-state-disabled")
    assert f"已停用账号“{name}”" in page.inner_text(f"#{Ids.MESSAGE}")
    assert page.inner_text(f"#{Ids.SECRET}") == ""  # the password was shown once only
    assert page.is_visible(f"#{Ids.ENABLE}") and page.is_hidden(f"#{Ids.DISABLE}")
    assert _account(name) == (None, True, None)
    shots = ROOT / ".data" / "screenshots"  # for a person to look at; not checked in
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "screenshot-users-admin.png"), full_page=True)

    # --- the security administrator: finds it and makes it the grid worker of a grid
    sec = _sign_in_as(browser, live_server, console, "security")
    assert sec.is_hidden(f"#{Ids.CREATE_CARD}") and sec.is_hidden(f"#{Ids.ACCOUNT_TOOLS}")
    sec.fill(f"#{Ids.TEXT}", name)
    sec.press(f"#{Ids.TEXT}", "Enter")
    sec.wait_for_function(
        "n => [...document.querySelectorAll('.mq-users-row')].map(r => r.dataset.username)"
        ".join() === n",
        arg=name,
    )
    sec.click(f"tr[data-username='{name}'] .mq-users-manage")
    sec.wait_for_selector(f"#{Ids.PERMISSION_TOOLS}:visible")
    _choose(sec, Ids.EDIT_ROLE, "网格员")
    sec.fill(f"#{Ids.EDIT_AREA}", grid)
    sec.click(f"#{Ids.SAVE}")
    sec.wait_for_function(
        "m => document.getElementById('users-message').textContent.includes(m)",
        arg=f"已变更账号“{name}”的权限",
    )
    assert _account(name) == ("grid_worker", True, grid)
    sec.screenshot(path=str(shots / "screenshot-users-security.png"), full_page=True)
    with session_scope(admin=True) as s:
        commands = s.execute(
            text("""SELECT username, detail ->> 'command' FROM audit_log
                    WHERE action = 'permission_change' AND object_id = :u ORDER BY id"""),
            {"u": name},
        ).all()
    assert [tuple(c) for c in commands] == [
        ("admin", "create"),
        ("admin", "disable"),
        ("security", "change_permissions"),
    ]
    page.context.close()
    sec.context.close()
    console.check()
