"""Sign-in, sessions, CSRF and area scope, over HTTP without a browser.

Every Dash callback and API route is an HTTP endpoint: these tests call them directly,
as a hand-made request would, and check what comes back.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import text

from i18n import t
from pages.map_ids import MapIds
from tests.conftest import demo_password, signed_in_client
from tests.dash_requests import router_body as _router

CITY = "110,18,120,25"
ALL_TIME = "start=2000-01-01&end=2099-12-31"
LAYERS = ("areas", "labels", "sites", "incidents", "density")


def login_token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def try_login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": login_token(client),
            "next": "/",
        },
    )


def panel_payload(area_id: int) -> dict:
    """The body Dash's renderer POSTs for the side-panel callback."""
    outputs = [
        {"id": MapIds.PANEL_BODY, "property": "children"},
        {"id": MapIds.PANEL, "property": "className"},
        {"id": MapIds.FLY, "property": "data"},
    ]
    return {
        "output": ".." + "...".join(f"{o['id']}.{o['property']}" for o in outputs) + "..",
        "outputs": outputs,
        "inputs": [
            {"id": MapIds.SELECTION, "property": "data", "value": {"kind": "area", "id": area_id}},
            {"id": MapIds.WINDOW, "property": "value", "value": "365d"},
            {"id": MapIds.DATES, "property": "start_date", "value": None},
            {"id": MapIds.DATES, "property": "end_date", "value": None},
            {"id": MapIds.CATEGORIES, "property": "value", "value": []},
        ],
        "changedPropIds": [f"{MapIds.SELECTION}.data"],
        "state": [],
    }


def post_callback(client, payload: dict, *, csrf: bool = True):  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json"}
    if csrf:
        cookie = client.get_cookie("_csrf_token")
        headers["X-CSRFToken"] = cookie.value if cookie else ""
    return client.post("/_dash-update-component", data=json.dumps(payload), headers=headers)


# --------------------------------------------------------------------------- anonymous
@pytest.mark.parametrize("path", ["/", "/?lang=en"])
def test_anonymous_pages_redirect_to_sign_in(anon_client, path: str) -> None:
    resp = anon_client.get(path)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize(
    "path",
    [f"/api/v1/layers/{layer}?bbox={CITY}&z=9" for layer in LAYERS]
    + ["/_dash-layout", "/_dash-dependencies"],
)
def test_anonymous_api_and_dash_internals_are_401(anon_client, path: str) -> None:
    resp = anon_client.get(path)
    assert resp.status_code == 401
    assert resp.get_json()["key"] == "error.login_required"


def test_anonymous_callback_post_is_refused(anon_client) -> None:
    anon_client.get("/login")  # has a session and a CSRF token, but no sign-in
    resp = post_callback(anon_client, panel_payload(1))
    assert resp.status_code == 401
    assert "breadcrumb" not in resp.get_data(as_text=True)


def test_health_and_login_page_are_public(anon_client) -> None:
    assert anon_client.get("/healthz").status_code == 200
    page = anon_client.get("/login")
    assert page.status_code == 200 and "账号登录" in page.get_data(as_text=True)
    assert "Sign in" in anon_client.get("/login?lang=en").get_data(as_text=True)


# --------------------------------------------------------------------------- sign-in
def test_wrong_password_gives_a_clear_message_and_no_session(anon_client) -> None:
    resp = try_login(anon_client, "commander", "wrong-password")
    assert resp.status_code == 401 and "用户名或密码错误" in resp.get_data(as_text=True)
    assert anon_client.get("/").status_code == 302
    resp = try_login(anon_client, "nobody-here", "whatever")
    assert "用户名或密码错误" in resp.get_data(as_text=True)  # same message: no enumeration


def test_lockout_after_five_failures(anon_client, session) -> None:
    """Five failures lock the account; the answer never says so (finding 5: one message
    for unknown, wrong and locked); the audit trail does."""
    from geodata.db import session_scope
    from governance.accounts import create_user

    with session_scope() as s:
        create_user(s, username="lockme", password="Lock-Me-2026!", role="commander")
    unknown = try_login(anon_client, "nobody-such", "nope").get_data(as_text=True)
    message = t("error.bad_credentials", "zh-CN", minutes=15)
    assert message in unknown
    for _ in range(5):
        assert message in try_login(anon_client, "lockme", "nope").get_data(as_text=True)
    right = try_login(anon_client, "lockme", "Lock-Me-2026!")
    assert right.status_code == 401 and message in right.get_data(as_text=True)
    with session_scope() as s:
        reasons = s.execute(
            text(
                "SELECT detail ->> 'reason' FROM audit_log WHERE username = 'lockme' "
                "AND action = 'login_failed' ORDER BY id"
            )
        ).scalars()
        assert list(reasons)[-2:] == ["wrong_password_locked_now", "locked"]
        s.execute(
            text(
                "UPDATE app_user SET locked_until = now() - interval '1 second' "
                "WHERE username = 'lockme'"
            )
        )
    assert try_login(anon_client, "lockme", "Lock-Me-2026!").status_code == 302


def test_session_is_rotated_at_sign_in(anon_client) -> None:
    anon_client.get("/login")
    before = anon_client.get_cookie("minqing_session").value
    assert try_login(anon_client, "commander", demo_password("commander")).status_code == 302
    after = anon_client.get_cookie("minqing_session")
    assert after.value != before and after.http_only
    with anon_client.session_transaction() as sess:
        assert sess["uid"] and sess["sid"]


def test_idle_timeout_signs_out(anon_client) -> None:
    try_login(anon_client, "commander", demo_password("commander"))
    assert anon_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8").status_code == 200
    with anon_client.session_transaction() as sess:
        sess["seen_at"] = int(time.time()) - 31 * 60
    resp = anon_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8")
    assert resp.status_code == 401 and resp.get_json()["key"] == "error.session_idle"


def test_absolute_timeout_signs_out(anon_client) -> None:
    try_login(anon_client, "commander", demo_password("commander"))
    with anon_client.session_transaction() as sess:
        sess["login_at"] = int(time.time()) - 13 * 3600
    resp = anon_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8")
    assert resp.status_code == 401 and resp.get_json()["key"] == "error.session_expired"


def test_logout_ends_the_session(anon_client) -> None:
    try_login(anon_client, "commander", demo_password("commander"))
    with anon_client.session_transaction() as sess:
        token = sess["csrf"]
    assert anon_client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert anon_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8").status_code == 401


# --------------------------------------------------------------------------- CSRF
def test_callbacks_need_the_csrf_header(flask_client, session) -> None:
    grid = session.execute(text("SELECT id FROM area WHERE level = 'grid' LIMIT 1")).scalar_one()
    refused = post_callback(flask_client, panel_payload(grid), csrf=False)
    assert refused.status_code == 403 and refused.get_json()["key"] == "error.csrf"
    ok = post_callback(flask_client, panel_payload(grid))
    assert ok.status_code == 200 and "mq-breadcrumb" in ok.get_data(as_text=True)


def test_forged_csrf_header_is_refused(flask_client) -> None:
    odd = flask_client.post("/logout", data={"csrf_token": "令牌"})  # non-ASCII: 403, not 500
    assert odd.status_code == 403
    resp = flask_client.post(
        "/_dash-update-component",
        data="{}",
        headers={"Content-Type": "application/json", "X-CSRFToken": "forged"},
    )
    assert resp.status_code == 403


def test_security_headers(flask_client) -> None:
    resp = flask_client.get("/")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert "object-src 'none'" in csp and resp.headers["X-Frame-Options"] == "DENY"


# --------------------------------------------------------------------------- roles and scope
@pytest.mark.parametrize("username", ["admin", "security", "auditor", "wall"])
def test_roles_without_map_access(username: str) -> None:
    client = signed_in_client(username)
    page = client.get("/")
    assert page.status_code == 403 and "无权" in page.get_data(as_text=True)
    # the wall draws boundaries, names and density: aggregates (see test_wall.py)
    wall_layers = {"areas", "labels", "density"} if username == "wall" else set()
    for layer in set(LAYERS) - wall_layers:
        resp = client.get(f"/api/v1/layers/{layer}?bbox={CITY}&z=9")
        assert resp.status_code == 403 and resp.get_json()["key"] == "error.forbidden"


@pytest.mark.parametrize("username", ["supervisor", "gridworker"])
def test_scoped_users_get_only_their_area_on_every_layer(username: str, session) -> None:
    client = signed_in_client(username)
    scope = session.execute(
        text("""SELECT a.code, a.level FROM app_user u JOIN area a
        ON a.id = u.area_id WHERE u.username = :u"""),
        {"u": username},
    ).one()
    prefix = scope.code[: {"street": 9, "grid": 15}[scope.level]]
    in_scope_grids = {
        r[0]
        for r in session.execute(
            text("SELECT id FROM area WHERE level = 'grid' AND code LIKE :p"), {"p": prefix + "%"}
        )
    }
    for z in (8, 11, 14):
        areas = client.get(f"/api/v1/layers/areas?bbox={CITY}&z={z}").get_json()["features"]
        labels = client.get(f"/api/v1/layers/labels?bbox={CITY}&z={z}").get_json()["features"]
        codes = [f["properties"]["code"] for f in areas]
        assert all(c.startswith(prefix) for c in codes)
        assert {f["properties"]["id"] for f in labels} <= {
            r[0]
            for r in session.execute(
                text("SELECT id FROM area WHERE code LIKE :p"), {"p": prefix + "%"}
            )
        }
    sites = client.get(f"/api/v1/layers/sites?bbox={CITY}&z=9").get_json()["features"]
    site_grids = {
        r[0]
        for r in session.execute(
            text("SELECT grid_id FROM key_site WHERE id = ANY(:ids)"),
            {"ids": [f["properties"]["id"] for f in sites]},
        )
    }
    assert site_grids <= in_scope_grids
    density = client.get(f"/api/v1/layers/density?bbox={CITY}&z=9&{ALL_TIME}").get_json()
    expected = session.execute(
        text(
            "SELECT count(*) FROM incident WHERE grid_id = ANY(:g)"
            " AND status NOT IN ('merged', 'rejected')"  # a duplicate counts once, as its case
        ),
        {"g": list(in_scope_grids)},
    ).scalar_one()
    total_city = session.execute(text("SELECT count(*) FROM incident")).scalar_one()
    assert density["stats"]["total"] == expected < total_city
    incidents = client.get(f"/api/v1/layers/incidents?bbox={CITY}&z=16&{ALL_TIME}").get_json()
    ids = [f["properties"]["id"] for f in incidents["features"] if "id" in f["properties"]]
    grids = {
        r[0]
        for r in session.execute(
            text("SELECT grid_id FROM incident WHERE id = ANY(:ids)"), {"ids": ids}
        )
    }
    assert grids <= in_scope_grids
    for mode in ("points", "counts"):
        persons = client.get(f"/api/v1/layers/persons?bbox={CITY}&z=12&mode={mode}").get_json()
        person_grids = {f["properties"]["grid_id"] for f in persons["features"]}
        assert person_grids <= in_scope_grids, mode
        total = sum(f["properties"].get("count", 1) for f in persons["features"])
        assert (
            total
            == session.execute(
                text("SELECT count(*) FROM key_person WHERE grid_id = ANY(:g)"),
                {"g": list(in_scope_grids)},
            ).scalar_one()
        )


def test_supervisor_cannot_open_another_streets_area_by_hand_made_post(session) -> None:
    client = signed_in_client("supervisor")
    own = session.execute(
        text("""SELECT a.code FROM app_user u JOIN area a ON a.id = u.area_id
        WHERE u.username = 'supervisor'""")
    ).scalar_one()
    other_id, other_name = session.execute(
        text("""SELECT id, name FROM area WHERE level = 'street'
        AND code <> :c ORDER BY code LIMIT 1"""),
        {"c": own},
    ).one()
    resp = post_callback(client, panel_payload(other_id))
    body = json.dumps(resp.get_json(), ensure_ascii=False)
    assert resp.status_code == 200
    assert "不在您的管辖范围内" in body
    assert other_name not in body and "mq-breadcrumb" not in body
    from geodata.db import session_scope

    with session_scope() as s:
        denied = s.execute(
            text("""SELECT detail FROM audit_log WHERE action = 'access_denied'
            AND username = 'supervisor' ORDER BY id DESC LIMIT 1""")
        ).scalar_one()
    assert denied["check"] == f"panel area {other_id}" and denied["key"] == "error.out_of_scope"


# --------------------------------------------------------------------------- matrix
ROLES = ("commander", "supervisor", "gridworker", "dept", "admin", "security", "auditor", "wall")
MAP_ROLES = {"commander", "supervisor", "gridworker", "dept"}


def _callbacks() -> list[dict]:
    """Every server-side callback of the app (clientside ones never reach the server)."""
    from app import app

    signed_in_client("commander").get("/")  # the callback map is filled at first request
    return [
        {"output": key, "outputs": cb["output"], "inputs": cb["inputs"], "state": cb["state"]}
        for key, cb in app.callback_map.items()
        if "callback" in cb
    ]


def _request_for(spec: dict) -> dict:
    """A minimal request body for one callback, as a hand-made POST would send."""

    def item(dep: dict) -> dict | list:
        cid = json.loads(dep["id"]) if dep["id"].startswith("{") else dep["id"]
        if isinstance(cid, dict):  # a pattern: no component of it (ALL), or one (MATCH)
            if ["MATCH"] not in cid.values():
                return []
            cid = {k: (1 if v == ["MATCH"] else v) for k, v in cid.items()}
        return {"id": cid, "property": dep["property"], "value": None}

    def parse(key: str) -> list[dict]:
        out = []
        for part in key.strip(".").split("..."):
            cid, prop = part.rsplit(".", 1)
            out.append({"id": json.loads(cid) if cid.startswith("{") else cid, "property": prop})
        return out

    outputs = parse(spec["output"])
    ins = [item(d) for d in spec["inputs"]]
    plain = [i for i in ins if isinstance(i, dict) and isinstance(i["id"], str)]
    return {
        "output": spec["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": ins,
        "state": [item(d) for d in spec["state"]],
        "changedPropIds": [f"{plain[0]['id']}.{plain[0]['property']}"] if plain else [],
    }


def _feature_permission(spec: dict) -> str | None:
    """The capability the guard asks for a callback: that of its output ids' feature."""
    from web.routes_table import CALLBACK_PERMISSIONS

    first = _request_for(spec)["outputs"]
    cid = (first[0] if isinstance(first, list) else first)["id"]
    cid = cid.get("type", "") if isinstance(cid, dict) else cid
    return next((p for prefix, p in CALLBACK_PERMISSIONS.items() if cid.startswith(prefix)), None)


@pytest.mark.parametrize("username", ROLES)
def test_every_callback_is_guarded_for_every_role(username: str) -> None:
    """Every server-side callback of every page, called by hand: a role without the
    capability of the callback's feature gets 403; a role with it gets through the guard
    (its answers are checked for scope elsewhere). No callback is left unlisted."""
    from governance.access import ROLE_PERMISSIONS

    client = signed_in_client(username)
    specs = [s for s in _callbacks() if "_pages_content" not in s["output"]]
    assert len(specs) == len(_callbacks()) - 1  # all but the pages router
    features = {_feature_permission(spec) for spec in specs}
    assert None not in features  # every callback belongs to a guarded feature
    assert len(features) >= 3  # map, audit, wall
    role = next(r for r in ROLE_PERMISSIONS if str(r) == _ROLE_OF[username])
    for spec in specs:
        resp = post_callback(client, _request_for(spec))
        if _feature_permission(spec) in ROLE_PERMISSIONS[role]:
            assert resp.status_code != 403, (spec["output"], resp.get_data(as_text=True)[:200])
        else:
            assert resp.status_code == 403, (username, spec["output"])
            assert resp.get_json()["key"] == "error.forbidden"


_ROLE_OF = {
    "commander": "commander",
    "supervisor": "supervisor",
    "gridworker": "grid_worker",
    "dept": "dept_staff",
    "admin": "sysadmin",
    "security": "secadmin",
    "auditor": "auditor",
    "wall": "wall",
}


@pytest.mark.parametrize("username", ROLES)
def test_pages_router_renders_only_permitted_pages(username: str) -> None:
    resp = post_callback(signed_in_client(username), _router("/"))
    if username in MAP_ROLES:
        assert resp.status_code == 200 and MapIds.MAP in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 403


@pytest.mark.parametrize(
    "inputs",
    [
        # Dash reads the page at position 0; the old guard read the first item with the
        # id, wherever it was (finding 7): position 0 must be the declared input.
        [
            {"id": "x", "property": "y", "value": "/admin/users"},
            {"id": "_pages_location", "property": "pathname", "value": "/"},
        ],
        [
            {"id": "_pages_location", "property": "search", "value": "/admin/users"},
            {"id": "_pages_location", "property": "pathname", "value": "/"},
        ],
        [{"id": "_pages_location", "property": "pathname", "value": "/admin/users"}],
        [
            {"id": "_pages_location", "property": "pathname", "value": "/"},
            {"id": "_pages_location", "property": "search", "value": ""},
            {"id": "_pages_location", "property": "pathname", "value": "/admin/users"},
        ],
    ],
)
def test_router_reads_the_page_where_dash_reads_it(inputs: list) -> None:
    client = signed_in_client("commander")
    body = {**_router("/"), "inputs": inputs}
    resp = post_callback(client, body)
    assert resp.status_code == 400 and resp.get_json()["key"] == "error.request.callback"
    assert "users-" not in resp.get_data(as_text=True)
    forbidden = post_callback(client, _router("/admin/users"))
    assert forbidden.status_code == 403


def test_a_callback_with_hundreds_of_changed_inputs_is_read() -> None:
    """Dash lists every changed component of a pattern input: a department inbox of a
    few hundred cases sends that many (the full suite's Chromium tests caught a limit
    of 64 refusing them)."""
    client = signed_in_client("commander")
    body = {**_router("/"), "changedPropIds": ["_pages_location.pathname"] * 500}
    assert post_callback(client, body).status_code == 200
    body["changedPropIds"] = [7]
    assert post_callback(client, body).status_code == 400


def test_a_callback_without_its_state_is_refused_not_a_500() -> None:
    from app import app

    client = signed_in_client("commander")
    key, spec = next(
        (k, v) for k, v in app.callback_map.items() if v.get("state") and k.startswith("map-")
    )
    body = _request_for({**spec, "output": key})
    for broken in ({**body, "state": []}, {**body, "state": None}, {**body, "inputs": {}}):
        resp = post_callback(client, broken)
        assert resp.status_code == 400, (key, resp.status_code)
    assert post_callback(client, {**body, "output": 7}).status_code == 400
    assert post_callback(client, [body]).status_code == 400


def test_callback_to_an_unknown_feature_is_refused() -> None:
    """No such callback: a translated 400 (it was a 500 from Dash before), audited."""
    from geodata.db import session_scope

    client = signed_in_client("commander")
    body = {
        "output": "admin-users.children",
        "outputs": {"id": "admin-users", "property": "children"},
        "inputs": [],
        "changedPropIds": [],
        "state": [],
    }
    resp = post_callback(client, body)
    assert resp.status_code == 400 and resp.get_json()["key"] == "error.request.callback"
    with session_scope(admin=True) as s:
        detail = s.execute(
            text(
                "SELECT detail FROM audit_log WHERE action = 'access_denied' "
                "AND username = 'commander' ORDER BY id DESC LIMIT 1"
            )
        ).scalar_one()
    assert detail["check"] == "callback_body"


def test_sign_ins_and_denials_are_audited(anon_client) -> None:
    from geodata.db import session_scope
    from governance import audit

    with session_scope() as s:
        start = s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one()
    try_login(anon_client, "commander", "not-the-password")
    try_login(anon_client, "commander", demo_password("commander"))
    anon_client.get(f"/api/v1/layers/persons?bbox={CITY}&z=9")  # commander: counts, allowed
    signed_in_client("dept").get(f"/api/v1/layers/persons?bbox={CITY}&z=9")  # 403
    with session_scope() as s:
        rows = s.execute(
            text("""SELECT action, outcome, username, client_addr FROM audit_log
            WHERE id > :i ORDER BY id"""),
            {"i": start},
        ).all()
        assert audit.verify(s, since_id=start + 1).ok
    assert ("login_failed", "failure", "commander", "127.0.0.1") in rows
    assert ("login", "success", "commander", "127.0.0.1") in rows
    assert any(r.action == "login" and r.username == "dept" for r in rows)
    assert any(
        r.action == "access_denied" and r.username == "dept" and r.outcome == "denied" for r in rows
    )


def test_sign_out_ends_the_session_everywhere(anon_client) -> None:
    """A copy of the session cookie is worthless once its owner signs out."""
    from app import server

    try_login(anon_client, "commander", demo_password("commander"))
    stolen = anon_client.get_cookie("minqing_session").value
    thief = server.test_client()
    thief.set_cookie("minqing_session", stolen)
    assert thief.get(f"/api/v1/layers/areas?bbox={CITY}&z=8").status_code == 200
    with anon_client.session_transaction() as sess:
        token = sess["csrf"]
    anon_client.post("/logout", data={"csrf_token": token})
    assert thief.get(f"/api/v1/layers/areas?bbox={CITY}&z=8").status_code == 401


def test_disabling_an_account_ends_its_sessions(anon_client) -> None:
    from geodata.db import session_scope
    from governance.accounts import create_user, set_disabled, set_password

    with session_scope() as s:
        create_user(s, username="short-lived", password="Short-Lived-2026!", role="commander")
    try_login(anon_client, "short-lived", "Short-Lived-2026!")
    url = f"/api/v1/layers/areas?bbox={CITY}&z=8"
    assert anon_client.get(url).status_code == 200
    with session_scope() as s:
        set_password(s, "short-lived", "Short-Lived-2027!")
    assert anon_client.get(url).status_code == 401
    try_login(anon_client, "short-lived", "Short-Lived-2027!")
    assert anon_client.get(url).status_code == 200
    with session_scope() as s:
        set_disabled(s, "short-lived")
    assert anon_client.get(url).status_code == 401


def test_anonymous_refusals_are_audited_at_a_bounded_rate(anon_client, session) -> None:
    """A flood of forged anonymous POSTs writes at most the limit of audit records per
    minute for one address, counted for every worker in the database; the next record
    written says how many were left out."""
    from geodata.db import session_scope
    from governance.throttle import ANONYMOUS_DENIALS_PER_ADDRESS as LIMIT

    start = session.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one()
    for _ in range(LIMIT.hits + 7):
        assert anon_client.post("/logout", headers={"X-CSRFToken": "forged"}).status_code == 403
    with session_scope(admin=True) as s:
        n = s.execute(
            text("""SELECT count(*) FROM audit_log WHERE id > :id AND action = 'access_denied'
                    AND username IS NULL"""),
            {"id": start},
        ).scalar_one()
        assert n == LIMIT.hits
        # the windows have passed
        s.execute(
            text(
                "UPDATE rate_limit SET window_start = window_start - interval '1 hour' "
                "WHERE bucket LIKE :b"
            ),
            {"b": LIMIT.name + ":%"},
        )
    anon_client.post("/logout", headers={"X-CSRFToken": "forged"})
    with session_scope(admin=True) as s:
        detail = s.execute(
            text(
                "SELECT detail FROM audit_log WHERE action = 'access_denied' "
                "ORDER BY id DESC LIMIT 1"
            )
        ).scalar_one()
    assert detail["suppressed_before"] == 7 and detail["check"] == "csrf"


def test_public_pages_are_exact_paths(anon_client) -> None:
    """Public routes by the rule Flask matched; a path that merely starts like one is
    not, and never gets Dash's index (finding 8: "/loginx", "/healthz/x" and
    "/favicon.ico" got the whole app with every page's validation layout)."""
    assert anon_client.get("/report").status_code == 200
    assert anon_client.get("/login").status_code == 200
    assert anon_client.get("/favicon.ico").headers["Location"].endswith("/_favicon.ico")
    for path in (
        "/reports",
        "/report-admin",
        "/reportx",
        "/loginx",
        "/login/x",
        "/healthz/x",
        "/track/ABC/x",
        "/track/ABC/feedback/x",
        "/wall/k/x/y",
        "/_favicon.icox",
        "/assets",
    ):
        resp = anon_client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path
        assert "_dash-config" not in resp.get_data(as_text=True), path
