"""The route table: which routes are public, which permission each page and each
feature's callbacks need, and where a person lands after signing in.

Data read by the guard (``web/guard.py``), by sign-in (``web/auth.py``) and by the page
header (which links only the pages a role may open).
"""

from __future__ import annotations

from typing import Final

from flask import request

from governance.access import (
    ALERTS_SUBSCRIBE,
    ANALYTICS_VIEW,
    AREAS_IMPORT,
    AUDIT_VIEW,
    BRIEFING_EXPORT,
    INCIDENT_DISPATCH,
    INCIDENT_IMPORT,
    INCIDENT_REGISTER,
    MAP_VIEW,
    PATROL_DO,
    PATROL_SUPERVISE,
    SITES_IMPORT,
    USERS_VIEW,
    WALL_VIEW,
    WEBHOOKS_MANAGE,
    Principal,
)
from web.kiosk_session import ENTRY_PREFIX

# Public routes, by the URL rule Flask matched (not by how the path starts: "/loginx",
# "/healthz/x" or "/track/a/b" match Dash's catch-all, which is not public).
PUBLIC_RULES: Final = frozenset(
    {
        "/login",
        "/healthz",
        "/favicon.ico",
        "/_favicon.ico",
        "/assets/<path:filename>",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        ENTRY_PREFIX + "<token>",  # the kiosk URL carries its own credential
        "/report",  # 有事找书记: residents report without an account (web/public.py)
        "/track/<code>",  # a report's progress: the tracking code is the credential
        "/track/<code>/feedback",  # ... and its rating
    }
)
# What an account may still do when it must first replace its password or has no role.
LOGOUT_PATH: Final = "/logout"
OWN_ACCOUNT_PATHS: Final = frozenset({"/password", LOGOUT_PATH})
STATE_CHANGING: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PAGE_PERMISSIONS: Final = {
    "/": MAP_VIEW,
    "/audit": AUDIT_VIEW,
    "/wall": WALL_VIEW,
    "/admin/users": USERS_VIEW,
    "/import": INCIDENT_IMPORT,
    "/import/areas": AREAS_IMPORT,  # the county's own boundaries (pages/area_import_page.py)
    "/import/sites": SITES_IMPORT,  # key-site registers (pages/import_sites.py)
    "/frontdesk": INCIDENT_REGISTER,
    "/dispatch": INCIDENT_DISPATCH,  # the daily dispatch board (pages/dispatch.py)
    "/evaluation": ANALYTICS_VIEW,
    "/crosscheck": ANALYTICS_VIEW,  # 逆向倒查 (pages/crosscheck.py)
    "/consult": ANALYTICS_VIEW,
    "/briefings": BRIEFING_EXPORT,  # leaders' briefings (pages/briefings.py)
    "/patrol": PATROL_DO,  # the grid worker's day on the phone (web/patrol_page.py)
    "/patrol-report": PATROL_SUPERVISE,  # the supervisor's patrol report (pages/patrol_report.py)
    "/alerts": ALERTS_SUBSCRIBE,  # alert subscriptions and inbox (pages/alerts.py)
    "/admin/webhooks": WEBHOOKS_MANAGE,  # where alerts are pushed (pages/webhooks.py)
}
# Where a user lands after sign-in when the page asked for is not theirs: the first page
# of this list their role may open (an auditor lands on the audit log, not a 403; a grid
# worker on their day's visits).
HOME_PAGES: Final = ["/patrol", "/", "/audit", "/wall", "/admin/users"]
# Dash callbacks by the feature prefix of their output ids (ids are "<feature>-..."):
# a callback whose outputs belong to no listed feature is refused (fail closed).
CALLBACK_PERMISSIONS: Final = {
    "map-": MAP_VIEW,
    "audit-": AUDIT_VIEW,
    "wall-": WALL_VIEW,
    "users-": USERS_VIEW,
    "import-": INCIDENT_IMPORT,
    "areaimport-": AREAS_IMPORT,
    "sitesimport-": SITES_IMPORT,
    "desk-": INCIDENT_REGISTER,
    "dispatch-": INCIDENT_DISPATCH,
    "eval-": ANALYTICS_VIEW,
    "crosscheck-": ANALYTICS_VIEW,
    "consult-": ANALYTICS_VIEW,
    "brief-": BRIEFING_EXPORT,
    "preport-": PATROL_SUPERVISE,
    "alerts-": ALERTS_SUBSCRIBE,
    "webhooks-": WEBHOOKS_MANAGE,
}


def is_public() -> bool:
    """Does this request match a public route (no sign-in)?"""
    rule = request.url_rule
    return rule is not None and rule.rule in PUBLIC_RULES


def page_key(path: str) -> str:
    """A page path as PAGE_PERMISSIONS spells it: Dash's router ignores the slashes
    around a path ("/audit/" and "//audit" render /audit), so the check must too."""
    return "/" + path.strip("/")


def home_for(principal: Principal, wanted: str = "/") -> str:
    """``wanted`` if the principal may open it, else the first page of HOME_PAGES they
    may open (else ``wanted``, which will then explain the refusal). "/" is no page in
    particular (sign-in without a destination): the first home page too, so that a grid
    worker starts on the day's visits."""
    path = wanted.split("?", 1)[0]
    needed = PAGE_PERMISSIONS.get(path)
    if path != "/" and (needed is None or principal.can(needed)):
        return wanted
    for page in HOME_PAGES:
        if principal.can(PAGE_PERMISSIONS[page]):
            return page
    return wanted


def feature_allowed(principal: Principal, output_ids: tuple[str, ...]) -> bool:
    """Every output belongs to a feature (by id prefix) the principal may use."""
    for cid in output_ids:
        perm = next(
            (p for prefix, p in CALLBACK_PERMISSIONS.items() if cid.startswith(prefix)), None
        )
        if perm is None or not principal.can(perm):
            return False
    return True
