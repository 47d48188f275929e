"""What the account page shows: the account table, the chosen account, the outcome of a
change. Plain text components only: Dash escapes every value (a display name typed by
anyone is shown as text, never run as HTML). No password hash ever reaches this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dash import html

from governance.access import PERMISSIONS_MANAGE, USERS_MANAGE, Principal
from governance.duties import ADMIN_ROLES
from governance.filters import LOCAL_TZ
from governance.users_admin import AccountChange, AccountList
from governance.users_forms import NO_ROLE, is_kiosk
from i18n import t
from pages.users_ids import UsersIds

COLUMNS = (
    "username",
    "display_name",
    "role",
    "area",
    "department",
    "state",
    "locked_until",
    "failed_logins",
    "password_changed_at",
    "created_at",
    "actions",
)
CARD = "mq-audit-card mq-users-detail"


def role_label(role: str | None, lang: str) -> str:
    """A role's name; "no role yet" for an account waiting for the security administrator."""
    return t(f"role.{role}", lang) if role else t("role.none", lang)


def _when(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else "—"


def _locked(row: Mapping[str, Any]) -> bool:
    until = row.get("locked_until")
    return bool(until and until > datetime.now(UTC))


def state(row: Mapping[str, Any]) -> str:
    """``disabled``, ``locked`` or ``active``."""
    if row.get("disabled"):
        return "disabled"
    return "locked" if _locked(row) else "active"


def _area(row: Mapping[str, Any], lang: str) -> list[Any]:
    if not row.get("area_code"):
        return [t("auth.scope_city", lang)]
    return [
        html.Span(row.get("area_name") or "", className="mq-users-area-name"),
        html.Span(row["area_code"], className="mq-users-code"),
    ]


def _department(row: Mapping[str, Any], lang: str) -> list[Any]:
    if not row.get("department_code"):
        return ["—"]
    name = row.get("department_name_en" if lang == "en" else "department_name_zh") or ""
    return [html.Span(name), html.Span(row["department_code"], className="mq-users-code")]


def _state_badge(row: Mapping[str, Any], lang: str) -> html.Span:
    s = state(row)
    return html.Span(t(f"users.state.{s}", lang), className=f"mq-users-state mq-users-state-{s}")


def _name_cell(row: Mapping[str, Any], lang: str, principal: Principal | None) -> list[Any]:
    out: list[Any] = [html.Span(row["username"], className="mq-users-username")]
    if is_kiosk(row["username"]):
        out.append(html.Span(t("users.kiosk", lang), className="mq-users-tag"))
    if principal is not None and row["id"] == principal.user_id:
        out.append(html.Span(t("users.yourself", lang), className="mq-users-tag"))
    return out


def _row(row: Mapping[str, Any], lang: str, principal: Principal | None) -> html.Tr:
    cells = [
        html.Td(_name_cell(row, lang, principal)),
        html.Td(row["display_name"]),
        html.Td(role_label(row["role"], lang), title=row["role"] or NO_ROLE),
        html.Td(_area(row, lang), className="mq-users-area"),
        html.Td(_department(row, lang), className="mq-users-area"),
        html.Td(_state_badge(row, lang)),
        html.Td(_when(row.get("locked_until")), className="mq-users-time"),
        html.Td(str(row.get("failed_logins") or 0), className="mq-users-num"),
        html.Td(_when(row.get("password_changed_at")), className="mq-users-time"),
        html.Td(_when(row.get("created_at")), className="mq-users-time"),
        html.Td(
            html.Button(
                t("users.manage", lang),
                id={"type": UsersIds.ROW, "user": row["id"]},
                n_clicks=0,
                className="mq-audit-button mq-users-manage",
            )
        ),
    ]
    return html.Tr(
        cells,
        className=f"mq-users-row mq-users-row-{state(row)}",
        **{"data-username": row["username"]},  # type: ignore[arg-type]
    )


def accounts_table(found: AccountList, lang: str, principal: Principal | None) -> Any:
    """The accounts as a table (or the "nothing found" note)."""
    if not found.rows:
        return html.P(t("users.list.none", lang), className="mq-empty mq-audit-none")
    head = html.Thead(html.Tr([html.Th(t(f"users.col.{c}", lang)) for c in COLUMNS]))
    body = html.Tbody([_row(r, lang, principal) for r in found.rows])
    return html.Table([head, body], className="mq-audit-table mq-users-table")


def list_status(found: AccountList, lang: str) -> Any:
    if found.more:
        return html.Div(
            t("users.list.more", lang, n=len(found.rows)), className="mq-users-note", role="status"
        )
    return html.Div(t("users.list.count", lang, n=len(found.rows)), className="mq-users-count")


def error(message: str) -> html.Div:
    return html.Div(message, className="mq-error mq-audit-error mq-users-error", role="alert")


# ----------------------------------------------------------------------------- the chosen one
def _facts(row: Mapping[str, Any], lang: str) -> html.Dl:
    pairs: list[tuple[str, Any]] = [
        ("role", role_label(row["role"], lang)),
        ("area", _area(row, lang)),
        ("department", _department(row, lang)),
        ("state", _state_badge(row, lang)),
        ("locked_until", _when(row.get("locked_until"))),
        ("failed_logins", str(row.get("failed_logins") or 0)),
        ("password_changed_at", _when(row.get("password_changed_at"))),
        ("created_at", _when(row.get("created_at"))),
    ]
    items: list[Any] = []
    for key, value in pairs:
        items += [html.Dt(t(f"users.col.{key}", lang)), html.Dd(value)]
    return html.Dl(items, className="mq-users-facts")


def _notes(row: Mapping[str, Any], lang: str, principal: Principal | None) -> list[Any]:
    key = None
    if principal is not None and row["id"] == principal.user_id:
        key = "users.detail.self"
    elif is_kiosk(row["username"]):
        key = "users.detail.kiosk"
    elif row["role"] in ADMIN_ROLES:
        key = "users.detail.admin"
    return [html.P(t(key, lang), className="mq-users-note")] if key else []


def read_only(row: Mapping[str, Any], principal: Principal | None) -> bool:
    """Nothing on the page may change this account (the service says so too)."""
    mine = principal is not None and row["id"] == principal.user_id
    return mine or is_kiosk(row["username"])


def detail_props(row: Mapping[str, Any], lang: str, principal: Principal | None) -> tuple[Any, ...]:
    """Outputs of the detail callback: contents, the form's stamp, the card's class (which
    buttons apply), and the permission form's values (the account's current ones)."""
    body = [
        html.H3(
            [row["display_name"], html.Span(row["username"], className="mq-users-code")],
            className="mq-users-detail-name",
        ),
        _facts(row, lang),
        *_notes(row, lang, principal),
    ]
    classes = [CARD, f"mq-users-picked mq-users-is-{state(row)}"]
    if read_only(row, principal):
        classes.append("mq-users-readonly")
    elif row["role"] in ADMIN_ROLES:
        classes.append("mq-users-admin-account")
    seen = {"id": row["id"], "stamp": row["stamp"]}
    return (
        body,
        seen,
        " ".join(classes),
        row["role"] or NO_ROLE,
        row.get("area_code") or "",
        row.get("department_code"),
    )


def detail_error(message: str) -> tuple[Any, ...]:
    """Outputs of the detail callback when the account cannot be shown."""
    return error(message), None, CARD, None, "", None


# ----------------------------------------------------------------------------- outcomes
def done(change: AccountChange, lang: str) -> html.Div:
    return html.Div(
        t(f"users.done.{change.command}", lang, username=change.username),
        className="mq-users-ok",
        role="status",
    )


def secret(change: AccountChange, lang: str) -> Any:
    """The generated password, shown this once (None when there is none)."""
    if not change.password:
        return None
    return html.Div(
        [
            html.Span(t("users.secret", lang, username=change.username)),
            html.Code(change.password, className="mq-users-password"),
        ],
        className="mq-users-secret",
    )


def can_manage(principal: Principal | None) -> tuple[bool, bool]:
    """(accounts, permissions): which of the page's tools the principal's role may use."""
    if principal is None:
        return False, False
    return principal.can(USERS_MANAGE), principal.can(PERMISSIONS_MANAGE)
