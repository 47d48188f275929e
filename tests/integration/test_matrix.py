"""Every role x every HTTP route: pages, API routes, exports, Dash internals.

The callbacks have their own matrix (tests/integration/test_access.py, every callback x
every role). Here every URL rule of the Flask app must be classified, so a new route
cannot ship unlisted: it is public, needs only a signed-in user, or needs a capability;
each role is then called on it and must get through exactly when its role holds that
capability. "Gets through" means no 401 and no 403 "forbidden"; a 403 about the object
(outside the user's area, not their department's case) still counts as passing the role
check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from governance import access
from governance.access import ROLE_PERMISSIONS
from governance.exports import DATASETS as EXPORT_DATASETS
from governance.layers import LAYER_PERMISSIONS, WALL_LAYERS
from tests.conftest import signed_in_client

USERS = {
    "commander": "commander",
    "supervisor": "supervisor",
    "gridworker": "grid_worker",
    "dept": "dept_staff",
    "admin": "sysadmin",
    "security": "secadmin",
    "auditor": "auditor",
    "wall": "wall",
}
PUBLIC, SIGNED_IN = "public", "signed-in"
CITY = "110,18,120,25"


@dataclass(frozen=True)
class Probe:
    rule: str  # the Flask URL rule it exercises
    method: str
    need: str  # a capability, PUBLIC or SIGNED_IN
    path: Callable[[dict[str, int]], str]  # from the user's in-scope object ids
    body: dict | None = None
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or f"{self.method} {self.rule}"


def _layer_need(layer: str) -> str:
    return LAYER_PERMISSIONS[layer]


REASON = {"reason": "矩阵测试：核实权限"}
PROBES = [
    *(
        Probe(
            "/api/v1/layers/<layer>",
            "GET",
            _layer_need(layer),
            lambda _ids, layer=layer: f"/api/v1/layers/{layer}?bbox={CITY}&z=12",
            label=f"GET layer {layer}",
        )
        for layer in LAYER_PERMISSIONS
    ),
    Probe(  # time playback: whoever may see the density layer (the wall too)
        "/api/v1/playback/frame",
        "GET",
        _layer_need("density"),
        lambda _ids: (
            f"/api/v1/playback/frame?bbox={CITY}&z=12&start=2026-01-01"
            "&end=2026-01-31&step=day&frame=3"
        ),
        label="GET layer density (playback)",
    ),
    Probe(
        "/api/v1/persons/<id:person_id>",
        "GET",
        access.PERSONS_POINTS,
        lambda ids: f"/api/v1/persons/{ids['person']}",
    ),
    Probe(
        "/api/v1/persons/<id:person_id>/reveal",
        "POST",
        access.PERSONS_REVEAL,
        lambda ids: f"/api/v1/persons/{ids['person']}/reveal",
        REASON,
    ),
    Probe(
        "/api/v1/incidents/<id:incident_id>",
        "GET",
        access.MAP_VIEW,
        lambda ids: f"/api/v1/incidents/{ids['incident']}",
    ),
    Probe(
        "/api/v1/incidents/<id:incident_id>/reporter/reveal",
        "POST",
        access.REPORTER_REVEAL,
        lambda ids: f"/api/v1/incidents/{ids['incident']}/reporter/reveal",
        REASON,
    ),
    Probe(
        "/api/v1/incidents/<id:incident_id>/transitions",
        "POST",
        access.INCIDENT_VERIFY,
        lambda ids: f"/api/v1/incidents/{ids['incident']}/transitions",
        {"action": "verify", "expected_version": -1},  # passes the role check, then 409
        label="POST transition verify",
    ),
    Probe(
        "/api/v1/incidents/<id:incident_id>/transitions",
        "POST",
        access.INCIDENT_HANDLE,
        lambda ids: f"/api/v1/incidents/{ids['incident']}/transitions",
        {"action": "start", "expected_version": -1},
        label="POST transition start",
    ),
    Probe("/api/v1/openapi.json", "GET", SIGNED_IN, lambda _ids: "/api/v1/openapi.json"),
    Probe("/api/v1/categories", "GET", SIGNED_IN, lambda _ids: "/api/v1/categories"),
    Probe("/audit/export.csv", "GET", access.AUDIT_VIEW, lambda _ids: "/audit/export.csv"),
    Probe("/", "GET", access.MAP_VIEW, lambda _ids: "/", label="page /"),
    Probe("/<path:path>", "GET", access.AUDIT_VIEW, lambda _ids: "/audit", label="page /audit"),
    Probe("/<path:path>", "GET", access.WALL_VIEW, lambda _ids: "/wall", label="page /wall"),
    Probe(
        "/<path:path>",
        "GET",
        access.USERS_VIEW,
        lambda _ids: "/admin/users",
        label="page /admin/users",
    ),
    Probe(
        "/<path:path>", "GET", access.INCIDENT_IMPORT, lambda _ids: "/import", label="page /import"
    ),
    Probe(
        "/<path:path>",
        "GET",
        access.AREAS_IMPORT,
        lambda _ids: "/import/areas",
        label="page /import/areas",
    ),
    Probe(
        "/<path:path>",
        "GET",
        access.INCIDENT_REGISTER,
        lambda _ids: "/frontdesk",
        label="page /frontdesk",
    ),
    Probe(
        "/<path:path>",
        "GET",
        access.BRIEFING_EXPORT,
        lambda _ids: "/briefings",
        label="page /briefings",
    ),
    Probe(
        "/<path:path>",
        "GET",
        access.ANALYTICS_VIEW,
        lambda _ids: "/evaluation",
        label="page /evaluation",
    ),
    Probe(
        "/<path:path>", "GET", access.ANALYTICS_VIEW, lambda _ids: "/consult", label="page /consult"
    ),
    Probe(
        "/<path:path>",
        "GET",
        access.ANALYTICS_VIEW,
        lambda _ids: "/crosscheck",
        label="page /crosscheck",
    ),
    Probe("/_dash-layout", "GET", SIGNED_IN, lambda _ids: "/_dash-layout"),
    Probe("/_dash-dependencies", "GET", SIGNED_IN, lambda _ids: "/_dash-dependencies"),
    Probe("/_reload-hash", "GET", SIGNED_IN, lambda _ids: "/_reload-hash"),
    Probe("/healthz", "GET", PUBLIC, lambda _ids: "/healthz"),
    Probe("/login", "GET", PUBLIC, lambda _ids: "/login"),
    Probe("/report", "GET", PUBLIC, lambda _ids: "/report"),  # the POST: test_public.py
    Probe(
        "/<path:path>",
        "GET",
        access.INCIDENT_DISPATCH,
        lambda _ids: "/dispatch",
        label="page /dispatch",
    ),
    Probe("/patrol", "GET", access.PATROL_DO, lambda _ids: "/patrol", label="page /patrol"),
    Probe("/api/v1/patrol/day", "GET", access.PATROL_DO, lambda _ids: "/api/v1/patrol/day"),
    Probe(
        "/api/v1/patrol/tasks/<id:task_id>/submission",
        "POST",
        access.PATROL_DO,
        lambda _ids: "/api/v1/patrol/tasks/1/submission",
        {},  # passes the role check, then 400 (no client_id)
    ),
    Probe(
        "/api/v1/patrol/tasks/<id:task_id>/assignee",
        "POST",
        access.PATROL_SUPERVISE,
        lambda _ids: "/api/v1/patrol/tasks/1/assignee",
        {},  # passes the role check, then 400 (no user_id)
    ),
    Probe(
        "/<path:path>", "GET", access.ALERTS_SUBSCRIBE, lambda _ids: "/alerts", label="page /alerts"
    ),
    Probe(
        "/<path:path>",
        "GET",
        access.WEBHOOKS_MANAGE,
        lambda _ids: "/admin/webhooks",
        label="page /admin/webhooks",
    ),
    Probe(
        "/api/v1/alerts/unread",
        "GET",
        access.ALERTS_SUBSCRIBE,
        lambda _ids: "/api/v1/alerts/unread",
    ),
    Probe(
        "/api/v1/alerts/inbox", "GET", access.ALERTS_SUBSCRIBE, lambda _ids: "/api/v1/alerts/inbox"
    ),
    Probe(
        "/api/v1/alerts/read",
        "POST",
        access.ALERTS_SUBSCRIBE,
        lambda _ids: "/api/v1/alerts/read",
        {"ids": []},
    ),
    Probe(
        "/api/v1/alerts/subscriptions",
        "GET",
        access.ALERTS_SUBSCRIBE,
        lambda _ids: "/api/v1/alerts/subscriptions",
    ),
    Probe(
        "/api/v1/alerts/subscriptions",
        "POST",
        access.ALERTS_SUBSCRIBE,
        lambda _ids: "/api/v1/alerts/subscriptions",
        {"kind": "spike"},  # the user's whole scope (rolled back)
    ),
    Probe(
        "/api/v1/alerts/subscriptions/<id:sub_id>/delete",
        "POST",
        access.ALERTS_SUBSCRIBE,
        lambda _ids: "/api/v1/alerts/subscriptions/2000000000/delete",  # passes, then 404
    ),
    Probe(
        "/api/v1/alerts/webhooks",
        "GET",
        access.WEBHOOKS_MANAGE,
        lambda _ids: "/api/v1/alerts/webhooks",
    ),
    Probe(
        "/api/v1/alerts/webhooks",
        "POST",
        access.WEBHOOKS_MANAGE,
        lambda _ids: "/api/v1/alerts/webhooks",
        {},  # passes the role check, then 400 (no name)
    ),
    Probe(
        "/api/v1/alerts/webhooks/<id:target_id>/disable",
        "POST",
        access.WEBHOOKS_MANAGE,
        lambda _ids: "/api/v1/alerts/webhooks/2000000000/disable",  # passes, then 404
    ),
    Probe(
        "/api/v1/alerts/deliveries",
        "GET",
        access.WEBHOOKS_MANAGE,
        lambda _ids: "/api/v1/alerts/deliveries",
    ),
    *(
        Probe(
            "/export/<dataset>.<fmt>",
            "GET",
            need,
            lambda _ids, dataset=dataset: f"/export/{dataset}.csv?window=7d",
            label=f"GET export {dataset}",
        )
        for dataset, need in EXPORT_DATASETS.items()
    ),
]
# Rules that are not probed role by role, and why.
NOT_PROBED = {
    "/_dash-update-component": "every callback x every role: test_access.py",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": "static JS",
    "/assets/<path:filename>": "static CSS/JS/images",
    "/static/<path:filename>": "Flask's static folder (unused)",
    "/_favicon.ico": "static",
    "/favicon.ico": "a redirect to /_favicon.ico (public): test_access.py",
    "/password": "one's own password (every signed-in account, forced after a reset): "
    "test_duties.py, test_web_fuzz.py",
    "/api/v1/<path:unknown>": "JSON 404 for unknown API paths: test_layers_api.py",
    "/login": "the sign-in form POST: test_access.py (lockout, wrong password)",
    "/logout": "sign-out POST: test_access.py",
    "/wall/k/<token>": "kiosk token entry (public; a bad token locks): test_wall.py",
    "/api/v1/stream": "live server-sent events (a plain probe would hang): every role in "
    "test_live.py",
    # source-system routes: a bearer token with incidents:write, never a session (every
    # session role gets 403 there, no credentials 401)
    "/api/v1/incidents": "token intake: test_intake.py",
    "/api/v1/incidents/bulk": "token bulk intake: test_intake.py",
    # the public pages (no sign-in): the tracking code is the credential
    "/track/<code>": "public progress page by tracking code (unknown: 404): test_public.py",
    "/track/<code>/feedback": "public rating POST (CSRF, one per round): test_public.py",
    "/api/v1/attachments/<id:attachment_id>": "a timeline file, every role and out of "
    "scope: test_attachments.py::test_who_may_open_a_file",
    # patrol objects: who may read them depends on the object (its submitter, its area)
    "/api/v1/patrol/checklists/<id:version_id>": "patrol staff (do or supervise): "
    "test_patrol_api.py::test_who_may_read_what",
    "/api/v1/patrol/submissions/<id:submission_id>": "the submitter, supervisors of its "
    "area: test_patrol_api.py::test_who_may_read_what",
    "/api/v1/patrol/photos/<id:photo_id>": "as its submission, audited: "
    "test_patrol_api.py::test_who_may_read_what",
}


def test_every_route_is_classified() -> None:
    from app import server

    probed = {p.rule for p in PROBES}
    rules = {r.rule for r in server.url_map.iter_rules()}
    unlisted = rules - probed - set(NOT_PROBED)
    assert not unlisted, f"classify these routes in tests/integration/test_matrix.py: {unlisted}"


@pytest.fixture(scope="module")
def scoped_ids() -> dict[str, dict[str, int]]:
    """Per user: a key person and a reported incident inside their area (any for
    city-wide users; the first of the city when the area holds none)."""
    from geodata.db import session_scope

    out: dict[str, dict[str, int]] = {}
    with session_scope(admin=True) as s:
        for username in USERS:
            prefix = s.execute(
                text("""SELECT CASE a.level WHEN 'county' THEN left(a.code, 6)
                          WHEN 'street' THEN left(a.code, 9) WHEN 'community' THEN a.code
                          ELSE a.code END
                        FROM app_user u LEFT JOIN area a ON a.id = u.area_id
                        WHERE u.username = :u"""),
                {"u": username},
            ).scalar_one()
            person = s.execute(
                text("""SELECT p.id FROM key_person p JOIN area g ON g.id = p.grid_id
                        ORDER BY NOT starts_with(g.code, coalesce(:p, '')), p.id LIMIT 1"""),
                {"p": prefix},
            ).scalar_one()
            incident = s.execute(
                text("""SELECT i.id FROM incident i JOIN incident_reporter r
                        ON r.incident_id = i.id JOIN area g ON g.id = i.grid_id
                        ORDER BY NOT starts_with(g.code, coalesce(:p, '')), i.id LIMIT 1"""),
                {"p": prefix},
            ).scalar_one()
            out[username] = {"person": person, "incident": incident}
    return out


def _call(client, probe: Probe, ids: dict[str, int]):  # type: ignore[no-untyped-def]
    path = probe.path(ids)
    if probe.method == "GET":
        return client.get(path)
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        path,
        data=json.dumps(probe.body or {}),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": cookie.value if cookie else "",
        },
    )


OBJECT_REFUSALS = {"error.out_of_scope", "error.not_lead_department"}


def _refused_for_role(resp) -> bool:  # type: ignore[no-untyped-def]
    """403 because of the role (not because of the object: its area, its department)."""
    if resp.status_code != 403:
        return False
    body = resp.get_json(silent=True)
    return body is None or body.get("key") not in OBJECT_REFUSALS


@pytest.mark.parametrize("username", list(USERS))
def test_role_matrix(username: str, scoped_ids: dict[str, dict[str, int]]) -> None:
    caps = ROLE_PERMISSIONS[next(r for r in ROLE_PERMISSIONS if str(r) == USERS[username])]
    client = signed_in_client(username)
    wrong = []
    for probe in PROBES:
        resp = _call(client, probe, scoped_ids[username])
        allowed = probe.need in (PUBLIC, SIGNED_IN) or probe.need in caps
        if probe.label.startswith("GET layer "):  # the wall screen draws a few layers too
            layer = probe.label.removeprefix("GET layer ").split()[0]
            allowed = allowed or (layer in WALL_LAYERS and access.WALL_VIEW in caps)
        got_through = resp.status_code != 401 and not _refused_for_role(resp)
        if resp.status_code >= 500 or got_through != allowed:
            wrong.append((probe.name, resp.status_code, resp.get_data(as_text=True)[:120]))
    assert not wrong, f"{username}: {wrong}"


def test_anonymous_gets_nothing_but_public_routes(anon_client, scoped_ids) -> None:  # type: ignore[no-untyped-def]
    ids = scoped_ids["commander"]
    for probe in PROBES:
        resp = _call(anon_client, probe, ids)
        if probe.need == PUBLIC:
            assert resp.status_code == 200, probe.name
        elif probe.rule.startswith(("/api/", "/_dash-", "/_reload")):
            assert resp.status_code == 401, probe.name
        else:  # pages and exports send the browser to the sign-in page
            assert resp.status_code == 302 and "/login" in resp.headers["Location"], probe.name
