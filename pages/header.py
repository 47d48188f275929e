"""The top bar every signed-in screen shares: product name, screen name, the signed-in
user with a sign-out form, and the language switch. Each screen passes its own component
ids (so its tests and clientside callbacks address its own header) and its extras."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from governance.access import ALERTS_SUBSCRIBE, Principal
from i18n import current_lang, t
from pages.live_indicator import stream_target
from web.security import PAGE_PERMISSIONS, csrf_token

OTHER_LANG = {"zh-CN": "en", "en": "zh-CN"}
# Every screen a signed-in user may move to, in the order of the working day: the map,
# the daily dispatch, the weekly and monthly meetings, the briefings, the wall, intake,
# then the administrators' screens. Each is offered only to roles that may open it.
SCREENS = (
    "/",
    "/dispatch",
    "/consult",
    "/evaluation",
    "/crosscheck",
    "/briefings",
    "/wall",
    "/frontdesk",
    "/import",
    "/import/sites",
    "/alerts",
    "/audit",
    "/admin/users",
    "/import/areas",
    "/admin/webhooks",
)
ALERTS_BADGE_CLASS = "mq-alerts-badge"  # assets/js/alerts.js finds it by data-mq-alerts


def tab_title(key: str) -> Callable[[], str]:
    """A page's browser-tab title, ``<screen> · <product>``, in the language of the request
    that asks for it: Dash calls a callable ``title`` of ``register_page`` for each page
    load (the index's meta tags and the pages router), so the tab follows the language
    switch instead of staying in the language of the moment the page was registered."""

    def title() -> str:
        lang = current_lang()
        return f"{t(key, lang)} · {t('map.title', lang)}"

    return title


def screens_menu(lang: str, principal: Principal | None, current: str | None) -> Any:
    """A menu of the other screens this user may open (none: nothing)."""
    if principal is None:
        return None
    links = [
        html.A(
            t(f"nav.{path.strip('/').replace('/', '.') or 'map'}", lang),
            href=path,
            className="mq-nav-link" + (" mq-nav-current" if path == current else ""),
        )
        for path in SCREENS
        if path in PAGE_PERMISSIONS and principal.can(PAGE_PERMISSIONS[path])
    ]
    if len(links) < 2:
        return None
    return html.Details(
        [html.Summary(t("nav.menu", lang), className="mq-nav-summary"), html.Nav(links)],
        className="mq-nav",
    )


def _current_path() -> str | None:
    from flask import has_request_context, request

    if not has_request_context():
        return None
    path = request.path
    if path.startswith("/_dash"):  # a layout Dash fetches for the page: the page's own path
        referrer = request.referrer or ""
        path = "/" + referrer.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    return path.rstrip("/") or "/"


@dataclass(frozen=True)
class HeaderIds:
    """Ids of a header's parts (None: that part is left out)."""

    account: str | None = None
    logout: str | None = None  # None: no sign-out form
    lang_button: str | None = None  # None: no language switch
    lang_sink: str | None = None


def account(lang: str, principal: Principal | None, ids: HeaderIds) -> list[Any]:
    """Who is signed in (name, role, scope) and, with a logout id, a sign-out form (POST
    with the CSRF token)."""
    if principal is None:
        return []
    scope = principal.area_name or t("auth.scope_city", lang)
    role = t(f"role.{principal.role or 'none'}", lang)
    who = f"{principal.display_name} · {role} · {scope}"
    out: list[Any] = [
        html.Span(who, id=ids.account, className="mq-account")
        if ids.account
        else html.Span(who, className="mq-account")
    ]
    if ids.logout:
        out.append(
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=csrf_token()),
                    html.Button(
                        t("auth.logout", lang),
                        type="submit",
                        id=ids.logout,
                        className="mq-lang-button",
                    ),
                ],
                method="POST",
                action="/logout",
                className="mq-logout-form",
            )
        )
    return out


def alerts_badge(lang: str, principal: Principal | None) -> html.A | None:
    """The unread-alerts badge, a link to /alerts, for users who may subscribe; its count
    is fetched and kept current by assets/js/alerts.js (live, without a reload)."""
    if principal is None or not principal.can(ALERTS_SUBSCRIBE):
        return None
    config = {
        "url": "/api/v1/alerts/unread",
        "stream": stream_target(),  # the live stream, if the screen holds none itself
        "title": t("alerts.badge.title", lang, n="{n}"),
    }
    return html.A(
        [
            html.Span(t("nav.alerts", lang), className="mq-alerts-label"),
            html.Span("", className="mq-alerts-count"),
        ],
        href="/alerts",
        className=ALERTS_BADGE_CLASS,
        title=t("nav.alerts", lang),
        **{"data-mq-alerts": json.dumps(config, ensure_ascii=False)},  # type: ignore[arg-type]
    )


def page_header(
    lang: str,
    principal: Principal | None,
    ids: HeaderIds,
    *,
    subtitle: str,
    screen: str | None = None,
    before_account: Sequence[Any] = (),
    after_account: Sequence[Any] = (),
) -> html.Header:
    """The top bar; ``screen`` names the screen (the map has none), ``subtitle`` is the
    small line beside it; extras go before or after the signed-in user."""
    parts: list[Any] = [
        html.Div(
            [
                html.Span("民", className="mq-logo-mark"),
                html.Span(t("map.title", lang), className="mq-title"),
            ],
            className="mq-brand",
        )
    ]
    menu = screens_menu(lang, principal, _current_path())
    if menu is not None:
        parts.append(menu)
    if screen:
        parts.append(html.Span(screen, className="mq-audit-screen"))
    parts += [
        html.Span(subtitle, className="mq-subtitle"),
        html.Div(className="mq-spacer"),
        *before_account,
        *([badge] if (badge := alerts_badge(lang, principal)) is not None else []),
        *account(lang, principal, ids),
        *after_account,
    ]
    if ids.lang_button:
        parts.append(
            html.Button(
                t("lang.switch", lang),
                id=ids.lang_button,
                n_clicks=0,
                value=OTHER_LANG.get(lang, "en"),
                title=t("lang.switch_title", lang),
                className="mq-lang-button",
            )
        )
    if ids.lang_sink:
        parts.append(dcc.Store(id=ids.lang_sink))
    return html.Header(parts, className="mq-header")
