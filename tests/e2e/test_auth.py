"""Sign-in, sign-out, lockout and area scope in a real Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from governance.demo_accounts import DEMO_ACCOUNTS
from i18n import t
from pages.map_ids import MapIds
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
CJK = re.compile(r"[\u3400-\u9fff]")


def test_sign_in_and_out(anon_page: Any, live_server: str) -> None:
    anon_page.goto(live_server + "/")
    assert "/login" in anon_page.url  # not signed in: sent to the sign-in page
    sign_in(anon_page, live_server, "commander", PASSWORDS["commander"])
    anon_page.wait_for_selector(".mq-area", state="attached")
    assert "指挥中心" in anon_page.inner_text(f"#{MapIds.ACCOUNT}")
    anon_page.click(f"#{MapIds.LOGOUT}")
    anon_page.wait_for_url(lambda url: "/login" in url)
    anon_page.goto(live_server + "/")
    assert "/login" in anon_page.url


def test_wrong_password_then_lockout(anon_page: Any, live_server: str) -> None:
    from geodata.db import session_scope
    from governance.accounts import create_user

    with session_scope() as s:
        create_user(s, username="e2e-lock", password="E2e-Lock-2026!", role="commander")
    for _ in range(5):
        sign_in(anon_page, live_server, "e2e-lock", "wrong", expect_ok=False)
        assert "用户名或密码错误" in anon_page.inner_text("#login-error")
    # locked now: the right password is refused with the same message (no enumeration)
    sign_in(anon_page, live_server, "e2e-lock", "E2e-Lock-2026!", expect_ok=False)
    assert "用户名或密码错误" in anon_page.inner_text("#login-error")
    assert "/login" in anon_page.url


def test_supervisor_sees_only_their_street(anon_page: Any, live_server: str, db_url: str) -> None:
    from geodata.db import get_engine

    with get_engine(db_url).connect() as conn:
        code, name = conn.execute(
            text("""SELECT a.code, a.name FROM app_user u
            JOIN area a ON a.id = u.area_id WHERE u.username = 'supervisor'""")
        ).one()
    requests: list[str] = []
    anon_page.on(
        "request", lambda r: requests.append(r.url) if "/api/v1/layers/areas" in r.url else None
    )
    sign_in(anon_page, live_server, "supervisor", PASSWORDS["supervisor"])
    anon_page.wait_for_selector(".mq-area", state="attached")
    assert name in anon_page.inner_text(f"#{MapIds.ACCOUNT}")
    # every area the map received lies in the supervisor's street
    anon_page.wait_for_load_state("networkidle")
    assert requests
    for url in requests:
        resp = anon_page.request.get(url.replace("format=geobuf", "format=geojson"))
        for f in resp.json()["features"]:
            assert f["properties"]["code"].startswith(code[:9])
    # and asking for the whole city by hand gives the same, confined answer
    city = anon_page.request.get(live_server + "/api/v1/layers/areas?bbox=110,18,120,25&z=14")
    codes = [f["properties"]["code"] for f in city.json()["features"]]
    assert codes and all(c.startswith(code[:9]) for c in codes)


def test_a_password_set_by_an_administrator_is_replaced_on_a_phone(
    browser: Any, live_server: str, console: Any
) -> None:
    """A grid worker whose password the system administrator reset signs in on a
    360-px phone: first the password form, nothing else, then their own map."""
    import uuid

    from geodata.db import session_scope
    from governance import users_admin
    from governance.accounts import create_user, load_principal
    from tests.integration.test_duties import in_unit

    name = f"e2e-phone-{uuid.uuid4().hex[:6]}"
    with session_scope() as s:
        grid = s.execute(text("SELECT code FROM area WHERE level = 'grid' LIMIT 1")).scalar_one()
        uid = create_user(
            s, username=name, password="Old-Pass-2026!", role="grid_worker", area_code=grid
        ).id
        admin = s.execute(text("SELECT id FROM app_user WHERE username = 'admin'")).scalar_one()
        sysadmin = load_principal(s, admin)
    seen = in_unit(users_admin.account_detail)(sysadmin, uid)["stamp"]
    in_unit(users_admin.reset_password)(sysadmin, uid, "Reset-By-Admin-26!", seen=seen)

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda exc: console.errors.append(f"pageerror: {exc}"))
    sign_in(page, live_server, name, "Reset-By-Admin-26!", expect_ok=False)
    page.wait_for_url(lambda url: "/password" in url)
    assert "管理员设置" in page.inner_text("#password-forced")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(live_server + "/")  # nothing else until the password is replaced
    assert "/password" in page.url
    page.fill("#password-current", "Reset-By-Admin-26!")
    page.fill("#password-new", "Mine-Alone-2026!")
    page.fill("#password-repeat", "Mine-Alone-2026!")
    console.check()  # the sign-in and password pages (the map's own console is issue 13's)
    page.click("#password-submit")
    page.wait_for_url(lambda url: "/password" not in url and "/login" not in url)
    assert page.url.endswith("/patrol")  # a grid worker starts on the day's visits
    page.wait_for_selector("#patrol-summary")
    context.close()


def test_the_language_chosen_on_the_sign_in_page_is_kept(
    anon_page: Any, live_server: str, console: Any
) -> None:
    """English chosen on the sign-in page: the map after signing in is in English, its tab
    title too, and the choice holds on the next screen."""
    anon_page.goto(live_server + "/login")
    assert anon_page.inner_text("#login-submit") == t("auth.submit", "zh-CN")
    anon_page.click("#login-lang")
    anon_page.wait_for_selector(f"#login-submit >> text={t('auth.submit', 'en')}")
    anon_page.fill("#login-username", "commander")
    anon_page.fill("#login-password", PASSWORDS["commander"])
    anon_page.click("#login-submit")
    anon_page.wait_for_url(lambda url: "/login" not in url)
    anon_page.wait_for_selector(f"#{MapIds.LANG_BUTTON}")
    assert anon_page.inner_text(f"#{MapIds.LANG_BUTTON}") == t("lang.switch", "en")
    assert t("role.commander", "en") in anon_page.inner_text(f"#{MapIds.ACCOUNT}")
    anon_page.wait_for_function("() => document.title.indexOf('MinQing Map') >= 0")
    assert not CJK.search(anon_page.title()), anon_page.title()
    anon_page.goto(live_server + "/dispatch")
    anon_page.wait_for_function("() => document.title.indexOf('MinQing Map') >= 0")
    assert anon_page.title() == f"{t('nav.dispatch', 'en')} · MinQing Map"
    console.check()
