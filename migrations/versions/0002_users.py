"""Accounts: unique users with a role, an area scope and lockout state.

A NULL area scope means the whole jurisdiction (city-level roles only).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ROLES = ("sysadmin", "secadmin", "auditor", "commander", "supervisor", "grid_worker",
         "dept_staff", "wall")


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True),
                  server_default=sa.text("now()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")",
                           name=op.f("ck_app_user_role")),
        sa.CheckConstraint(
            "area_id IS NOT NULL OR role IN ('sysadmin', 'secadmin', 'auditor', 'commander', 'dept_staff', 'wall')",
            name=op.f("ck_app_user_scoped_roles_have_area")),
        sa.CheckConstraint("role <> 'dept_staff' OR department_id IS NOT NULL",
                           name=op.f("ck_app_user_dept_staff_has_department")),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_app_user_area_id_area")),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"],
                                name=op.f("fk_app_user_department_id_department")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )


def downgrade() -> None:
    op.drop_table("app_user")
