"""One demo account per role, for the demo city only (passwords are public: README)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from geodata.queries import areas
from governance.accounts import create_user


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    scope: str  # how the area scope is chosen: "city", "street", "grid"
    department: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Demo-Admin-2026", "sysadmin", "系统管理员（演示）", "city"),
    DemoAccount("security", "Demo-Security-2026", "secadmin", "安全管理员（演示）", "city"),
    DemoAccount("auditor", "Demo-Auditor-2026", "auditor", "审计员（演示）", "city"),
    DemoAccount("commander", "Demo-Commander-2026", "commander", "指挥中心值班员（演示）", "city"),
    DemoAccount("supervisor", "Demo-Supervisor-2026", "supervisor", "街道督导（演示）", "street"),
    DemoAccount("gridworker", "Demo-Gridworker-2026", "grid_worker", "网格员（演示）", "grid"),
    DemoAccount(
        "dept", "Demo-Dept-2026", "dept_staff", "城管局工作人员（演示）", "city", "urban_mgmt"
    ),
    DemoAccount("wall", "Demo-Wall-2026", "wall", "指挥大屏（演示）", "city"),
)


def demo_scopes(session: Session) -> dict[str, str]:
    """Area codes for the scoped demo accounts: the first street of the first county
    (香洲街道 in 城区) and that street's first grid."""
    street, grid = areas.first_street_and_grid(session)
    return {"street": street, "grid": grid}


def seed_accounts(session: Session) -> list[tuple[DemoAccount, str | None]]:
    """Create the demo accounts (in the caller's transaction); returns (account, area code).

    Deliberately not the deployment path: real accounts come from `users add`. Street
    and grid accounts for the demo city supervise 城区's first street and its first grid.
    """
    scopes = demo_scopes(session)
    out = []
    for acc in DEMO_ACCOUNTS:
        area = scopes.get(acc.scope)
        create_user(
            session,
            username=acc.username,
            password=acc.password,
            role=acc.role,
            display_name=acc.display_name,
            area_code=area,
            department_code=acc.department,
        )
        out.append((acc, area))
    return out
