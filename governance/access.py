"""Who may do what, where: roles, permissions and area scope.

A :class:`Principal` is the signed-in user as the domain sees it. Every use case that
reads or changes data takes one and calls :func:`require` first; area scope becomes a
code prefix that queries apply in SQL (``area.code LIKE prefix || '%'``), because area
codes nest: county 6 digits, street 9, community 12, grid 15.
"""

from __future__ import annotations

from dataclasses import dataclass

from geodata.db import ALL_AREAS
from geodata.models import Role
from governance.errors import Forbidden

# Capabilities. Pages and callbacks check these, never role names.
MAP_VIEW = "map.view"
LAYER_INCIDENTS = "layer.incidents"
LAYER_SITES = "layer.sites"
PERSONS_POINTS = "persons.points"  # where key persons live (sensitive: whereabouts)
PERSONS_COUNTS = "persons.counts"  # how many per grid, no locations
PERSONS_REVEAL = "persons.reveal"  # identity in clear, with a typed reason, audited
REPORTER_REVEAL = "reporter.reveal"  # who reported an incident, in clear (to call back)
# 三员分立 on the account page (/admin/users): both administrators see the list; the
# system administrator manages accounts (create, disable / enable, unlock, reset a password),
# the security administrator their permissions (role, area scope, department).
USERS_VIEW = "users.view"
USERS_MANAGE = "users.manage"
AREAS_IMPORT = "areas.import"  # the county's own areas from its files (governance/area_import.py)
PERMISSIONS_MANAGE = "permissions.manage"
AUDIT_VIEW = "audit.view"
WALL_VIEW = "wall.view"  # the wall screen: counts and hexagon aggregates of an area, no persons
# The closed loop (governance/workflow.py): who may move an incident along.
INCIDENT_VERIFY = "incident.verify"  # check a new report on the spot (核实)
INCIDENT_DISPATCH = "incident.dispatch"  # dispatch, transfer, reject, suspend, merge, reopen
INCIDENT_HANDLE = "incident.handle"  # the lead department: accept, resolve, return, extend
INCIDENT_CLOSE = "incident.close"  # verify the result and close (核查结案)
INCIDENT_ESCALATE = "incident.escalate"  # hand a case to the level above (上报)
INCIDENT_IMPORT = "incident.import"  # import hotline export files (governance/file_import.py)
SITES_IMPORT = "sites.import"  # import key-site registers (governance/registry_import.py)
PERSONS_IMPORT = "persons.import"  # import key-person registers: identities, encrypted
INCIDENT_REGISTER = "incident.register"  # take a report by phone or in person (/frontdesk)
ANALYTICS_VIEW = "analytics.view"  # monthly evaluation and weekly consultation (scores)
BRIEFING_EXPORT = "briefing.export"  # leaders' briefings (日调度/周会商/月评估) as PDF/PNG/HTML
# Online patrol and care visits (governance/patrol*.py).
PATROL_DO = "patrol.do"  # the worker's own tasks: see them, fill the checklist
PATROL_SUPERVISE = "patrol.supervise"  # the area's patrol status, reassign tasks, reports
PATROL_PLAN = "patrol.plan"  # checklist templates and visit frequencies
CONFIG_MANAGE = "config.manage"  # reference data from files, city-wide (governance/config_io.py)
# Alerts (governance/alerts.py): those who watch the analyses subscribe to spike warnings and
# blind spots in their own area and read them in their inbox (/alerts); the system
# administrator configures the webhooks that carry them to other systems (no business data:
# an endpoint, its kinds and area, and the deliveries' outcomes).
ALERTS_SUBSCRIBE = "alerts.subscribe"
WEBHOOKS_MANAGE = "webhooks.manage"

_OPERATIONS = {MAP_VIEW, LAYER_INCIDENTS, LAYER_SITES}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # 三员分立: the three administrators see no business data.
    # The system administrator also sets up the installation's areas (no business data).
    Role.SYSADMIN: frozenset({USERS_VIEW, USERS_MANAGE, AREAS_IMPORT, WEBHOOKS_MANAGE}),
    Role.SECADMIN: frozenset({USERS_VIEW, PERMISSIONS_MANAGE}),
    Role.AUDITOR: frozenset({AUDIT_VIEW}),
    # Minimum necessary: the people who visit key persons see where they live; the
    # command centre sees counts; departments see neither. Who reported an incident is
    # shown in clear (with a reason) to those who call reporters back: the command centre
    # and supervisors; grid workers and departments see it masked.
    # Commanders and supervisors dispatch; grid workers verify on the spot and escalate;
    # departments handle what they lead.
    Role.COMMANDER: frozenset(
        _OPERATIONS
        | {PERSONS_COUNTS, WALL_VIEW, REPORTER_REVEAL}
        | {INCIDENT_VERIFY, INCIDENT_DISPATCH, INCIDENT_CLOSE, INCIDENT_REGISTER}
        | {INCIDENT_IMPORT, SITES_IMPORT}
        | {ANALYTICS_VIEW, ALERTS_SUBSCRIBE}
        | {BRIEFING_EXPORT}
        | {PATROL_SUPERVISE, PATROL_PLAN}
        | {CONFIG_MANAGE}
    ),
    Role.SUPERVISOR: frozenset(
        _OPERATIONS
        | {PERSONS_POINTS, PERSONS_COUNTS, PERSONS_REVEAL, REPORTER_REVEAL}
        | {INCIDENT_VERIFY, INCIDENT_DISPATCH, INCIDENT_CLOSE, INCIDENT_ESCALATE}
        | {INCIDENT_REGISTER, INCIDENT_IMPORT, SITES_IMPORT, PERSONS_IMPORT}
        | {ANALYTICS_VIEW, ALERTS_SUBSCRIBE}
        | {BRIEFING_EXPORT}
        | {PATROL_SUPERVISE}
    ),
    Role.GRID_WORKER: frozenset(
        _OPERATIONS
        | {PERSONS_POINTS, PERSONS_COUNTS, PERSONS_REVEAL}
        | {INCIDENT_VERIFY, INCIDENT_CLOSE, INCIDENT_ESCALATE, INCIDENT_REGISTER}
        | {PATROL_DO}
    ),
    Role.DEPT_STAFF: frozenset(_OPERATIONS | {INCIDENT_HANDLE}),
    Role.WALL: frozenset({WALL_VIEW}),  # the wall screen: its own page, aggregates only
}

LEVEL_DIGITS = {"county": 6, "street": 9, "community": 12, "grid": 15}


def scope_prefix(area_code: str | None, level: str | None) -> str | None:
    """The code prefix of an area's subtree (None: the whole jurisdiction)."""
    if area_code is None or level is None:
        return None
    return area_code[: LEVEL_DIGITS[level]]


@dataclass(frozen=True)
class Principal:
    """The acting user: identity, role, scope. Immutable for one request."""

    user_id: int
    username: str
    display_name: str
    role: str | None  # None: an account waiting for the security administrator (三员分立)
    area_id: int | None = None
    area_code: str | None = None
    area_level: str | None = None
    area_name: str | None = None
    department_id: int | None = None
    # An administrator chose this password: until its owner sets a new one, the session
    # may only do that (web/guard.py lets it reach the password page, nothing else).
    must_change_password: bool = False

    @property
    def scope(self) -> str | None:
        """Area-code prefix this user is confined to; None for city-wide roles."""
        return scope_prefix(self.area_code, self.area_level)

    @property
    def rls_scope(self) -> str:
        """The scope for row-level security: the code prefix, "*" for city-wide roles."""
        return self.scope or ALL_AREAS

    def can(self, permission: str) -> bool:
        if self.must_change_password or self.role is None:
            return False
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def covers(self, area_code: str) -> bool:
        """Is the area with ``area_code`` inside this user's scope?"""
        return self.scope is None or area_code.startswith(self.scope)


def require(principal: Principal | None, permission: str) -> Principal:
    """The principal, if it holds ``permission``; else :class:`Forbidden`."""
    if principal is None or not principal.can(permission):
        raise Forbidden("error.forbidden")
    return principal


def require_area(principal: Principal, area_code: str) -> None:
    """Raise :class:`Forbidden` unless ``area_code`` lies in the principal's scope."""
    if not principal.covers(area_code):
        raise Forbidden("error.out_of_scope")
