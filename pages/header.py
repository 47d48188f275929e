"""The top bar every signed-in screen shares: product name, screen name, the signed-in
user with a sign-out form, and the language switch. Each screen passes its own component
ids (so its tests and clientside callbacks address its own header) and its extras."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from governance.access import Principal
from i18n import t
from web.security import csrf_token

OTHER_LANG = {"zh-CN": "en", "en": "zh-CN"}


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
    who = f"{principal.display_name} · {t(f'role.{principal.role}', lang)} · {scope}"
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
    if screen:
        parts.append(html.Span(screen, className="mq-audit-screen"))
    parts += [
        html.Span(subtitle, className="mq-subtitle"),
        html.Div(className="mq-spacer"),
        *before_account,
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
