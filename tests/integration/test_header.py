"""The screens menu of the shared header: every screen a role may open, and only those,
each of which that role can then actually open."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from governance.demo_accounts import DEMO_ACCOUNTS
from i18n import COOKIE, t
from pages.header import SCREENS, screens_menu
from tests.conftest import demo_password, signed_in_client
from tests.dash_requests import router_body
from tests.integration.test_access import post_callback
from tests.integration.test_workflow import _principal


def _links(menu: Any) -> list[str]:
    return [a.href for a in menu.children[1].children] if menu is not None else []


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS])
def test_the_menu_lists_exactly_the_screens_a_role_opens(username: str) -> None:
    links = _links(screens_menu("zh-CN", _principal(username), "/"))
    client = signed_in_client(username)
    opens = [p for p in SCREENS if client.get(p).status_code == 200]
    assert opens, username
    # every screen it opens is offered, and nothing else (one screen alone: no menu)
    assert links == (opens if len(opens) > 1 else []), (username, opens)


def test_commander_menu_in_order_and_in_english() -> None:
    menu = screens_menu("en", _principal("commander"), "/dispatch")
    assert _links(menu) == [
        "/", "/dispatch", "/consult", "/evaluation", "/crosscheck", "/briefings", "/wall",
        "/frontdesk", "/import", "/import/sites", "/alerts",
    ]  # fmt: skip
    labels = [a.children for a in menu.children[1].children]
    assert labels[:3] == ["Map", "Daily dispatch", "Weekly review"]
    current = [a.href for a in menu.children[1].children if "mq-nav-current" in a.className]
    assert current == ["/dispatch"]
    assert screens_menu("zh-CN", None, "/") is None


# --------------------------------------------------------------------------- issue 14, item 4
CJK = re.compile(r"[\u3400-\u9fff]")
# Every Dash screen with the shared header, and a demo account that opens it (the wall is
# a kiosk screen: no header, by design; /patrol is server-rendered, tested in test_patrol).
HEADED = {
    "/": "commander",
    "/dispatch": "commander",
    "/consult": "commander",
    "/evaluation": "commander",
    "/crosscheck": "commander",
    "/briefings": "commander",
    "/frontdesk": "commander",
    "/import": "commander",
    "/import/sites": "commander",
    "/alerts": "supervisor",
    "/admin/webhooks": "admin",
    "/patrol-report": "supervisor",
    "/audit": "auditor",
    "/admin/users": "admin",
}
TITLED = {**HEADED, "/wall": "commander"}


def _client_in(username: str, lang: str) -> Any:
    client = signed_in_client(username)
    client.set_cookie(COOKIE, lang)
    return client


def _render(client: Any, path: str) -> dict[str, Any]:
    resp = post_callback(client, router_body(path))
    assert resp.status_code == 200, (path, resp.get_data(as_text=True)[:300])
    return dict(resp.get_json()["response"])


def _components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component of a serialised Dash layout, depth first."""
    if isinstance(node, list):
        for item in node:
            yield from _components(item)
    elif isinstance(node, dict):
        if "type" in node and "props" in node:
            yield node
            yield from _components(node["props"].get("children"))
        else:
            for value in node.values():
                yield from _components(value)


@pytest.mark.parametrize("path", sorted(TITLED))
def test_every_tab_title_is_in_the_language_of_the_request(path: str) -> None:
    for lang in ("en", "zh-CN"):
        client = _client_in(TITLED[path], lang)
        title = _render(client, path)["_pages_store"]["data"]["title"]
        # the page's own HTML carries the same title from its first byte
        html_page = client.get(path).get_data(as_text=True)
        first = re.search(r"<title>(.*?)</title>", html_page, re.S)
        assert first and first.group(1).strip() == title, (path, first, title)
        if lang == "en":
            assert not CJK.search(title) and "MinQing Map" in title, (path, title)
        else:
            assert CJK.search(title) and not re.search("[A-Za-z]", title), (path, title)


@pytest.mark.parametrize("path", sorted(HEADED))
def test_every_signed_in_screen_has_sign_out_language_and_menu(path: str) -> None:
    parts = list(_components(_render(_client_in(HEADED[path], "en"), path)))
    header = next(c for c in parts if c["type"] == "Header")
    inside = list(_components(header))
    forms = [c for c in inside if c["type"] == "Form" and c["props"].get("action") == "/logout"]
    assert forms and forms[0]["props"]["method"] == "POST", path
    token = [c for c in _components(forms[0]) if c["props"].get("name") == "csrf_token"]
    assert token and token[0]["props"]["value"], path
    switch = [c for c in inside if c["props"].get("title") == t("lang.switch_title", "en")]
    assert switch and switch[0]["props"]["value"] == "zh-CN", path
    assert switch[0]["props"]["children"] == t("lang.switch", "en")
    # the switch works: a clientside callback listens to this button
    from app import app

    button = switch[0]["props"]["id"]
    assert any(
        {"id": button, "property": "n_clicks"} in spec.get("inputs", [])
        for spec in app.callback_map.values()
    ), path


def test_the_forbidden_page_leads_home_as_well_as_out() -> None:
    for username, path, home in (
        ("commander", "/admin/users", "/"),
        ("auditor", "/dispatch", "/audit"),
        ("gridworker", "/import", "/patrol"),
    ):
        resp = _client_in(username, "en").get(path)
        assert resp.status_code == 403, (username, path)
        page = resp.get_data(as_text=True)
        assert f'href="{home}" id="forbidden-home"' in page, (username, page)
        assert t("auth.forbidden_home", "en") in page
        assert 'action="/logout"' in page


def _csrf(client: Any) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_the_language_chosen_on_the_sign_in_page_is_kept(anon_client: Any) -> None:
    switched = anon_client.get("/login?lang=en&next=/dispatch")
    assert switched.status_code == 200 and t("auth.submit", "en") in switched.get_data(True)
    assert anon_client.get_cookie(COOKIE).value == "en"
    form = anon_client.get("/login?next=/dispatch").get_data(as_text=True)
    assert t("auth.submit", "en") in form and 'name="lang" value="en"' in form
    resp = anon_client.post(
        "/login",
        data={
            "username": "commander",
            "password": demo_password("commander"),
            "csrf_token": _csrf(anon_client),
            "next": "/dispatch",
            "lang": "en",
        },
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/dispatch"
    assert anon_client.get_cookie(COOKIE).value == "en"
    # and back to Chinese: the explicit switch wins over the cookie
    back = anon_client.get("/login?lang=zh-CN")
    assert t("auth.submit", "zh-CN") in back.get_data(True)
    assert anon_client.get_cookie(COOKIE).value == "zh-CN"


@pytest.mark.parametrize("lang", ["fr", "", "en\r\nSet-Cookie: x=1", "../../x", "é" * 50])
def test_a_hostile_language_is_never_stored_as_such(anon_client: Any, lang: str) -> None:
    resp = anon_client.get("/login", query_string={"lang": lang})
    assert resp.status_code in (200, 400)
    cookie = anon_client.get_cookie(COOKIE)
    assert cookie is None or cookie.value in ("zh-CN", "en")
    bad = anon_client.post("/login", data={"username": "x", "password": "y", "lang": lang})
    assert bad.status_code < 500
    cookie = anon_client.get_cookie(COOKIE)
    assert cookie is None or cookie.value in ("zh-CN", "en")


def test_the_patrol_pages_switch_wins_over_the_remembered_language() -> None:
    """A grid worker who chose English at sign-in can switch /patrol back to Chinese."""
    client = _client_in("gridworker", "en")
    english = client.get("/patrol").get_data(as_text=True)
    assert '<html lang="en">' in english
    chinese = client.get("/patrol?lang=zh-CN").get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese
    assert f">{t('patrol.ui.title', 'zh-CN')}</title>" in chinese
    assert client.get_cookie(COOKIE).value == "zh-CN"


def test_the_patrol_page_signs_out_with_a_post_form() -> None:
    """/logout takes only POST (with the CSRF token): the phone's patrol page signs out
    through a form, not a link that would answer 405."""
    client = signed_in_client("gridworker")
    page = client.get("/patrol").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/logout"[^>]*>(.*?)</form>', page, re.S)
    assert form and 'id="patrol-logout"' in form.group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1))
    assert token
    resp = client.post("/logout", data={"csrf_token": token.group(1)})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert client.get("/api/v1/patrol/day").status_code == 401
    assert 'href="/logout"' not in page
