"""Browser fixtures: Debian's Chromium driven by Playwright (no `playwright install`).

The app itself comes from the session fixture ``live_server`` in tests/conftest.py
(gunicorn on a free port, on the seeded test database).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("MINQING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 900}
IGNORED_CONSOLE = ("favicon",)
ROOT = Path(__file__).resolve().parents[2]


def readme_picture(name: str) -> Path:
    """Where a test writes one of the README's pictures: ``docs/`` only on request
    (MINQING_UPDATE_SCREENSHOTS=1), so that a test run leaves the work tree clean;
    otherwise under ``.data/screenshots/``."""
    update = os.environ.get("MINQING_UPDATE_SCREENSHOTS") == "1"
    return (ROOT / "docs" if update else ROOT / ".data" / "screenshots") / name


@dataclass
class Console:
    """Console errors and uncaught exceptions of one page."""

    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.errors, "browser console errors:\n" + "\n".join(self.errors)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def console() -> Console:
    return Console()


def sign_in(page: Any, base: str, username: str, password: str, *, expect_ok: bool = True) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(base + "/login")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    if expect_ok:
        page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def anon_page(browser: Any, console: Console) -> Iterator[Any]:
    """A fresh page that is not signed in."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    yield pg
    context.close()


@pytest.fixture
def page(browser: Any, console: Console, live_server: str) -> Iterator[Any]:
    """A fresh page signed in as the commander (city-wide), recording console errors."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(20_000)

    def on_console(msg: Any) -> None:
        if msg.type == "error" and not any(s in msg.text for s in IGNORED_CONSOLE):
            console.errors.append(f"console: {msg.text}")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    from governance.demo_accounts import DEMO_ACCOUNTS

    acc = next(a for a in DEMO_ACCOUNTS if a.username == "commander")
    sign_in(pg, live_server, acc.username, acc.password)
    yield pg
    context.close()
