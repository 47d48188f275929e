"""Typed SQLAlchemy 2.0 models. Geometry is WGS84 (SRID 4326) everywhere.

Alembic owns the schema (``migrations/``); these classes describe it for queries.
"""

from __future__ import annotations

import enum
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geodata.db import Base

H3_RESOLUTIONS = (6, 7, 8, 9, 10)


class AreaLevel(enum.StrEnum):
    """Levels of the governance hierarchy, top-down."""

    COUNTY = "county"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


LEVEL_ORDER = [AreaLevel.COUNTY, AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID]


class IncidentSource(enum.StrEnum):
    """Intake channels."""

    GRID = "grid"  # 网格员上报
    HOTLINE = "hotline_12345"  # 12345 热线
    POLICE = "police_110"  # 110 警情
    IOT = "iot"  # 物联感知告警
    PUBLIC = "public"  # 群众上报
    PATROL = "patrol"  # 巡查发现 (a failed checklist item, governance/patrol_submit.py)


class IncidentStatus(enum.StrEnum):
    """Incident life cycle (the closed loop of GB/T 30428)."""

    REGISTERED = "registered"
    VERIFIED = "verified"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    EVALUATED = "evaluated"
    SUSPENDED = "suspended"
    MERGED = "merged"


class SiteType(enum.StrEnum):
    """Key site (重点场所) types."""

    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    MARKET = "market"
    CONSTRUCTION = "construction"
    GAS_STATION = "gas_station"
    HAZCHEM = "hazchem"
    ELDERLY_CARE = "elderly_care"
    RENTAL_HOUSING = "rental_housing"
    HOSPITAL = "hospital"
    ENTERTAINMENT = "entertainment"


class PersonCategory(enum.StrEnum):
    """Key person (重点人员) categories."""

    ELDERLY_ALONE = "elderly_alone"  # 独居老人
    DISABLED = "disabled"  # 残疾人
    LEFT_BEHIND_CHILD = "left_behind_child"  # 留守儿童
    MENTAL_DISORDER = "mental_disorder"  # 严重精神障碍患者
    COMMUNITY_CORRECTION = "community_correction"  # 社区矫正对象
    DRUG_REHAB = "drug_rehab"  # 社区戒毒康复人员
    PETITIONER = "petitioner"  # 重点信访人员
    LOW_INCOME = "low_income"  # 低保/特困


def _values(e: type[enum.StrEnum]) -> str:
    return ", ".join(f"'{m.value}'" for m in e)


class Area(Base):
    """A node of the hierarchy county > street/town > community > grid."""

    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint(f"level IN ({_values(AreaLevel)})", name="level"),
        CheckConstraint("code ~ '^[0-9]{12}([0-9]{3})?$'", name="code_format"),
        Index("ix_area_geom", "geom", postgresql_using="gist"),
        Index("ix_area_level_code", "level", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 12 digits in the style of 统计用区划代码 (county 6 + town 3 + village 3); grids
    # extend their community's code by a 3-digit serial (15 digits).
    code: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(12))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    is_urban: Mapped[bool] = mapped_column(Boolean, default=False)
    population: Mapped[int | None] = mapped_column(Integer)
    worker_name: Mapped[str | None] = mapped_column(String(40))  # grids only
    worker_phone: Mapped[str | None] = mapped_column(String(20))  # grids only
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)
    label_point = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)


class Department(Base):
    """A department that handles incidents (主办 / 协办)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)


class IncidentCategory(Base):
    """Incident category (事件分类), two levels: group and leaf."""

    __tablename__ = "incident_category"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("incident_category.code"))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    color: Mapped[str] = mapped_column(String(9))
    default_priority: Mapped[int] = mapped_column(SmallInteger, default=3)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    sort_order: Mapped[int] = mapped_column(SmallInteger, default=0)
    # the class's number in GB/T 30428 where the county uses it (migration 0019_config_codes)
    gbt_code: Mapped[str | None] = mapped_column(String(20))


class KeySite(Base):
    """A key site (重点场所)."""

    __tablename__ = "key_site"
    __table_args__ = (
        CheckConstraint(f"site_type IN ({_values(SiteType)})", name="site_type"),
        CheckConstraint("risk_grade BETWEEN 1 AND 4", name="risk_grade"),
        Index("ix_key_site_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the department's own code (场所编码), the key of a re-import (0020_registry_codes)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    site_type: Mapped[str] = mapped_column(String(20), index=True)
    risk_grade: Mapped[int] = mapped_column(SmallInteger)  # 1 low .. 4 major
    address: Mapped[str | None] = mapped_column(String(200))
    grid_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)


class KeyPerson(Base):
    """A key person (重点人员). Non-identifying fields only; identity is in
    :class:`KeyPersonIdentity`, kept apart for masking and encryption."""

    __tablename__ = "key_person"
    __table_args__ = (
        CheckConstraint(f"category IN ({_values(PersonCategory)})", name="category"),
        Index("ix_key_person_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the department's own code (人员编号), the key of a re-import (0020_registry_codes)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(String(30), index=True)
    care_level: Mapped[int] = mapped_column(SmallInteger, default=2)  # 1..3
    grid_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)


class KeyPersonIdentity(Base):
    """Personal data of a key person: encrypted at rest (``geodata/crypto.py``, associated
    data ``key_person_identity.<field>:<person_id>``), under row-level security, and
    never sent unmasked by default."""

    __tablename__ = "key_person_identity"
    __table_args__ = (Index("ix_key_person_identity_id_number_bidx", "id_number_bidx"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("key_person.id", ondelete="CASCADE"), primary_key=True
    )
    full_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)  # blind index


_OPEN = "status NOT IN ('closed', 'evaluated', 'rejected', 'merged')"


class Incident(Base):
    """An incident from any channel, with H3 cells stored at write time."""

    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint(f"source IN ({_values(IncidentSource)})", name="source"),
        CheckConstraint(f"status IN ({_values(IncidentStatus)})", name="status"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
        Index("ix_incident_geom", "geom", postgresql_using="gist"),
        Index("ix_incident_occurred_at", "occurred_at"),
        # the clocks that put a case in a period (migration 0016_screens); the wall's
        # counts of today read the first and the last alone (0031_wall_covering_indexes)
        Index(
            "ix_incident_reported_at",
            "reported_at",
            postgresql_include=["status", "grid_id", "category_code"],
        ),
        Index("ix_incident_dispatched_at", "dispatched_at"),
        Index(
            "ix_incident_resolved_at",
            "resolved_at",
            postgresql_include=["resolve_due_at", "grid_id"],
        ),
        Index("ix_incident_grid_occurred", "grid_id", "occurred_at"),
        Index("ix_incident_lead_status", "lead_department_id", "status"),
        Index(
            "ix_incident_merged_into_id",
            "merged_into_id",
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        # the open cases, fitted to the command screens (migration 0025_fitted_indexes)
        Index(
            "ix_incident_open",
            "status",
            "resolve_due_at",
            postgresql_include=[
                "id",
                "accept_due_at",
                "reported_at",
                "escalation_level",
                "suspended_at",
                "grid_id",
                "lead_department_id",
            ],
            postgresql_where=text(_OPEN),
        ),
        Index(
            "ix_incident_escalated",
            text("escalation_level DESC"),
            "reported_at",
            "id",
            postgresql_where=text(f"escalation_level > 0 AND {_OPEN}"),
        ),
        Index(
            "ix_incident_waiting",
            "reported_at",
            "id",
            postgresql_where=text("status IN ('registered', 'verified')"),
        ),
        # resolutions 6, 9 and 10: no query reads theirs (dropped by 0025_fitted_indexes)
        *(Index(f"ix_incident_h3_{r}", f"h3_{r}", "occurred_at") for r in (7, 8)),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    category_code: Mapped[str] = mapped_column(ForeignKey("incident_category.code"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    status: Mapped[str] = mapped_column(String(20), default=IncidentStatus.REGISTERED.value)
    priority: Mapped[int] = mapped_column(SmallInteger, default=3)  # 1 urgent .. 4 low
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(200))
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    h3_6: Mapped[int] = mapped_column(BigInteger)
    h3_7: Mapped[int] = mapped_column(BigInteger)
    h3_8: Mapped[int] = mapped_column(BigInteger)
    h3_9: Mapped[int] = mapped_column(BigInteger)
    h3_10: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # the closed loop (migration 0007; see governance/workflow.py)
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    assist_department_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    escalation_level: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    accept_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolve_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extension_requested_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspended_from: Mapped[str | None] = mapped_column(String(20))
    # when the current suspension began: its clocks stand still until resume (0013)
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    reopen_count: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    location_flag: Mapped[str | None] = mapped_column(String(24))
    tracking_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IncidentReporter(Base):
    """Who reported an incident: encrypted at rest like :class:`KeyPersonIdentity`
    (associated data ``incident_reporter.<field>:<incident_id>``), under row-level
    security, kept out of ``incident`` so that incident rows carry no personal data."""

    __tablename__ = "incident_reporter"
    __table_args__ = (Index("ix_incident_reporter_phone_bidx", "phone_bidx"),)

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_bidx: Mapped[bytes | None] = mapped_column(LargeBinary)  # blind index


class Role(enum.StrEnum):
    """Roles (三员分立 plus operations). See governance/access.py for what each may do."""

    SYSADMIN = "sysadmin"  # 系统管理员
    SECADMIN = "secadmin"  # 安全管理员
    AUDITOR = "auditor"  # 审计员
    COMMANDER = "commander"  # 指挥中心
    SUPERVISOR = "supervisor"  # 街道/社区 督导
    GRID_WORKER = "grid_worker"  # 网格员
    DEPT_STAFF = "dept_staff"  # 部门人员
    WALL = "wall"  # 大屏 (read-only kiosk)


class AppUser(Base):
    """A unique account with a role and an area scope (a node of the hierarchy)."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(f"role IN ({_values(Role)})", name="role"),
        CheckConstraint(
            "area_id IS NOT NULL OR role IN ('sysadmin', 'secadmin', 'auditor', 'commander', 'dept_staff', 'wall')",
            name="scoped_roles_have_area",
        ),
        CheckConstraint(
            "role <> 'dept_staff' OR department_id IS NOT NULL", name="dept_staff_has_department"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(200))
    # None: created by the system administrator, waiting for the security administrator
    # to assign a role (三员分立); such an account can do nothing.
    role: Mapped[str | None] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))  # None: whole city
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # An administrator chose or reset the password: the next sign-in must replace it.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RateLimit(Base):
    """A window counter shared by every worker and node (migration 0011): ``hits`` in
    the window starting at ``window_start``, ``refused`` of them turned away, ``audited``
    of those written to the audit trail one by one (the rest are summed into the next
    record)."""

    __tablename__ = "rate_limit"
    __table_args__ = ({"prefixes": ["UNLOGGED"]},)

    bucket: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), primary_key=True, index=True
    )
    hits: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audited: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserSession(Base):
    """A signed-in session; the cookie holds the id, the database only its SHA-256."""

    __tablename__ = "user_session"

    sid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_addr: Mapped[str | None] = mapped_column(String(64))
