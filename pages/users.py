"""The account page (账号管理, /admin/users) of the system and security administrators.

Both see the account list; the system administrator's tools (new account, disable /
enable, unlock, reset a password) and the security administrator's (role, area scope,
department) are both in the layout, each shown only to its role: hiding is for clarity,
the use cases in ``governance.users_admin`` check every change themselves. The layout
holds no accounts: the list callback (callbacks/users.py) loads them.
"""

from __future__ import annotations

from typing import Any, Literal

import dash
from dash import dcc, html

from geodata.models import Role
from governance.access import Principal
from governance.duties import ADMIN_ROLES
from governance.errors import MinqingError
from governance.uow import unit_of_work
from governance.users_admin import departments as list_departments
from governance.users_forms import MAX_DISPLAY_NAME, MAX_FILTER, MAX_PASSWORD, NO_ROLE
from i18n import current_lang, t
from pages.header import HeaderIds, page_header, tab_title
from pages.map_controls import dropdown_labels
from pages.users_ids import UsersIds
from pages.users_table import CARD, can_manage
from web.security import current_principal

dash.register_page(
    __name__, path="/admin/users", title=tab_title("nav.admin.users"), name="admin-users"
)


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product name, screen name, the signed-in user and the language switch."""
    ids = HeaderIds(UsersIds.ACCOUNT, UsersIds.LOGOUT, UsersIds.LANG_BUTTON, UsersIds.LANG_SINK)
    return page_header(
        lang,
        principal,
        ids,
        screen=t("users.page.title", lang),
        subtitle=t("users.page.subtitle", lang),
    )


def _field(label: str, control: Any, hint: str | None = None) -> html.Label:
    parts = [html.Span(label, className="mq-audit-field-label"), control]
    if hint:
        parts.append(html.Span(hint, className="mq-users-hint"))
    return html.Label(parts, className="mq-audit-field mq-users-field")


def _input(
    cid: str, max_len: int, kind: Literal["text", "password"] = "text", placeholder: str = ""
) -> dcc.Input:
    return dcc.Input(
        id=cid,
        type=kind,
        value="",
        maxLength=max_len,
        placeholder=placeholder,
        autoComplete="new-password" if kind == "password" else "off",
        className="mq-audit-input",
    )


def _dropdown(cid: str, options: list[dict[str, str]], lang: str, placeholder: str) -> Any:
    return dcc.Dropdown(
        id=cid,
        options=options,
        value=None,
        placeholder=placeholder,
        clearable=True,
        labels=dropdown_labels(lang),
        className="mq-dropdown",
    )


def role_options(lang: str, *, admin: bool) -> list[dict[str, str]]:
    """Roles to choose from, and "no role": the administrators' roles only for the list
    filter (the security administrator never gives them)."""
    roles = [
        {"label": t(f"role.{r.value}", lang), "value": r.value}
        for r in Role
        if admin or r.value not in ADMIN_ROLES
    ]
    return [*roles, {"label": t("role.none", lang), "value": NO_ROLE}]


def department_options(lang: str, principal: Principal | None) -> list[dict[str, str]]:
    try:
        with unit_of_work() as s:
            rows = list_departments(s, principal)
    except MinqingError:  # not an administrator (the layout is also built for validation)
        return []
    name = "name_en" if lang == "en" else "name_zh"
    return [{"label": f"{r[name]} ({r['code']})", "value": r["code"]} for r in rows]


def filters(lang: str) -> html.Section:
    return html.Section(
        [
            _field(
                t("users.filter.text", lang),
                _input(
                    UsersIds.TEXT, MAX_FILTER, placeholder=t("users.filter.text_placeholder", lang)
                ),
            ),
            _field(
                t("users.filter.role", lang),
                _dropdown(
                    UsersIds.ROLE,
                    role_options(lang, admin=True),
                    lang,
                    t("users.filter.role_all", lang),
                ),
            ),
            html.Button(
                t("users.search", lang),
                id=UsersIds.SEARCH,
                n_clicks=0,
                className="mq-audit-button mq-audit-primary",
            ),
        ],
        className="mq-audit-card mq-audit-filters mq-users-filters",
    )


def account_list(lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(t("users.list.title", lang), className="mq-card-title"),
            html.Div(id=UsersIds.STATUS),
            dcc.Loading(html.Div(id=UsersIds.TABLE), type="circle", delay_show=300),
        ],
        className="mq-audit-card mq-users-list",
    )


def create_card(lang: str, shown: bool) -> html.Section:
    """The new-account form (the system administrator's): no role, area or department,
    which only the security administrator gives (三员分立)."""
    return html.Section(
        [
            html.H2(t("users.create.title", lang), className="mq-card-title"),
            html.P(t("users.create.no_role", lang), className="mq-users-hint"),
            _field(
                t("users.field.username", lang),
                _input(UsersIds.NEW_USERNAME, 64),
                t("users.field.username_hint", lang),
            ),
            _field(
                t("users.field.display_name", lang), _input(UsersIds.NEW_NAME, MAX_DISPLAY_NAME)
            ),
            _field(
                t("users.field.password", lang),
                _input(UsersIds.NEW_PASSWORD, MAX_PASSWORD, "password"),
                t("users.field.password_hint", lang),
            ),
            html.Button(
                t("users.create", lang),
                id=UsersIds.CREATE,
                n_clicks=0,
                className="mq-audit-button mq-audit-primary",
            ),
        ],
        id=UsersIds.CREATE_CARD,
        hidden=not shown,
        className="mq-audit-card mq-users-form",
    )


def _button(cid: str, label: str, extra: str = "") -> html.Button:
    return html.Button(label, id=cid, n_clicks=0, className=f"mq-audit-button {extra}".strip())


def account_tools(lang: str, shown: bool) -> html.Div:
    """Disable / enable, unlock, reset a password (the system administrator's)."""
    return html.Div(
        [
            html.H4(t("users.section.account", lang), className="mq-users-section"),
            html.Div(
                [
                    _button(UsersIds.DISABLE, t("users.disable", lang), "mq-users-danger"),
                    _button(UsersIds.ENABLE, t("users.enable", lang)),
                    _button(UsersIds.UNLOCK, t("users.unlock", lang)),
                ],
                className="mq-users-buttons",
            ),
            html.Div(
                [
                    _input(
                        UsersIds.RESET_PASSWORD,
                        MAX_PASSWORD,
                        "password",
                        placeholder=t("users.reset_hint", lang),
                    ),
                    _button(UsersIds.RESET, t("users.reset", lang)),
                ],
                className="mq-users-buttons",
            ),
        ],
        id=UsersIds.ACCOUNT_TOOLS,
        hidden=not shown,
        className="mq-users-tools mq-users-account-tools",
    )


def permission_tools(lang: str, departments: list[dict[str, str]], shown: bool) -> html.Div:
    """Role, area scope, department (the security administrator's)."""
    return html.Div(
        [
            html.H4(t("users.section.permissions", lang), className="mq-users-section"),
            _field(
                t("users.field.role", lang),
                _dropdown(
                    UsersIds.EDIT_ROLE,
                    role_options(lang, admin=False),
                    lang,
                    t("users.field.role_pick", lang),
                ),
            ),
            _field(
                t("users.field.area", lang),
                _input(UsersIds.EDIT_AREA, 15),
                t("users.field.area_hint", lang),
            ),
            _field(
                t("users.field.department", lang),
                _dropdown(
                    UsersIds.EDIT_DEPARTMENT,
                    departments,
                    lang,
                    t("users.field.department_none", lang),
                ),
            ),
            _button(UsersIds.SAVE, t("users.save_permissions", lang), "mq-audit-primary"),
        ],
        id=UsersIds.PERMISSION_TOOLS,
        hidden=not shown,
        className="mq-users-tools mq-users-permission-tools",
    )


def detail_card(lang: str, departments: list[dict[str, str]], principal: Principal | None) -> Any:
    accounts_ok, permissions_ok = can_manage(principal)
    return html.Section(
        [
            html.H2(t("users.detail.title", lang), className="mq-card-title"),
            html.Div(
                html.P(t("users.detail.pick", lang), className="mq-empty"), id=UsersIds.DETAIL
            ),
            account_tools(lang, accounts_ok),
            permission_tools(lang, departments, permissions_ok),
        ],
        id=UsersIds.DETAIL_CARD,
        className=CARD,
    )


def layout(**_query: str) -> html.Div:
    """The account page in the request's language (no accounts: callbacks load them)."""
    lang = current_lang()
    principal = current_principal()
    departments = department_options(lang, principal)
    accounts_ok, _ = can_manage(principal)
    side = [
        html.Div(id=UsersIds.MESSAGE, className="mq-users-message"),
        html.Div(id=UsersIds.SECRET),
        detail_card(lang, departments, principal),
        create_card(lang, accounts_ok),
    ]
    return html.Div(
        [
            header(lang, principal),
            html.Main(
                [
                    html.P(t("users.duties", lang), className="mq-users-duties"),
                    html.Div(
                        [
                            html.Div([filters(lang), account_list(lang)], className="mq-users-col"),
                            html.Div(side, className="mq-users-col mq-users-side"),
                        ],
                        className="mq-users-grid",
                    ),
                    dcc.Store(id=UsersIds.PICK),
                    dcc.Store(id=UsersIds.SEEN),
                    dcc.Store(id=UsersIds.OUTCOME),
                ],
                className="mq-audit-main mq-users-main",
            ),
        ],
        className=f"mq-app mq-audit mq-users mq-lang-{lang}",
        lang=lang,
    )
