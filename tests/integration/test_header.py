"""The screens menu of the shared header: every screen a role may open, and only those,
each of which that role can then actually open."""

from __future__ import annotations

from typing import Any

import pytest

from governance.demo_accounts import DEMO_ACCOUNTS
from pages.header import SCREENS, screens_menu
from tests.conftest import signed_in_client
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
        "/", "/dispatch", "/consult", "/evaluation", "/briefings", "/wall", "/frontdesk",
        "/import",
    ]  # fmt: skip
    labels = [a.children for a in menu.children[1].children]
    assert labels[:3] == ["Map", "Daily dispatch", "Weekly review"]
    current = [a.href for a in menu.children[1].children if "mq-nav-current" in a.className]
    assert current == ["/dispatch"]
    assert screens_menu("zh-CN", None, "/") is None
