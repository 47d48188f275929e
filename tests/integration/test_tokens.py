"""Machine tokens: the `tokens` CLI, bearer authentication on the API, and their audit trail.

Bearer requests are made by a client that has no cookie at all (a machine), as an intake
system would make them.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from geodata.db import session_scope

CITY = "110,18,120,25"
ALL_TIME = "start=2000-01-01&end=2099-12-31"
TOKEN_RE = re.compile(r"mq_[A-Za-z0-9_-]{43}")


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    from cli.main import cli

    return CliRunner().invoke(cli, ["tokens", *args], catch_exceptions=False)


def add_token(*args: str) -> tuple[int, str]:
    """`tokens add ...` -> (id, token)."""
    result = run_cli("add", *args)
    assert result.exit_code == 0, result.output
    token = TOKEN_RE.search(result.output)
    token_id = re.search(r"#(\d+)", result.output)
    assert token and token_id, result.output
    return int(token_id.group(1)), token.group(0)


def machine():  # type: ignore[no-untyped-def]
    """A client without cookies: every request stands on its own."""
    from app import server

    return server.test_client(use_cookies=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def audit_after(start: int) -> list:  # type: ignore[type-arg]
    with session_scope() as s:
        return list(
            s.execute(
                text("""SELECT action, outcome, username, role, object_type, object_id,
                        detail FROM audit_log WHERE id > :i ORDER BY id"""),
                {"i": start},
            )
        )


def audit_head() -> int:
    with session_scope() as s:
        return int(s.execute(text("SELECT coalesce(max(id), 0) FROM audit_log")).scalar_one())


@pytest.fixture(scope="module")
def reader() -> tuple[int, str]:
    """A 12345-hotline token that may read layers and write incidents."""
    return add_token(
        "--source", "12345", "--scope", "layers:read", "--scope", "incidents:write",
        "--name", "12345 热线平台",
    )  # fmt: skip


# --------------------------------------------------------------------------- CLI
def test_add_stores_only_the_hash_and_prints_the_token_once(reader, session) -> None:
    token_id, token = reader
    row = session.execute(
        text("SELECT * FROM api_token WHERE id = :i"), {"i": token_id}
    ).mappings().one()  # fmt: skip
    assert row["kind"] == "source" and row["source"] == "hotline_12345"
    assert row["scopes"] == ["incidents:write", "layers:read"]
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["token_prefix"] == token[:12] and row["name"] == "12345 热线平台"
    assert token not in json.dumps({k: str(v) for k, v in row.items()})
    assert row["revoked_at"] is None and row["expires_at"] is None


@pytest.mark.parametrize(
    ("alias", "value"),
    [("110", "police_110"), ("iot", "iot"), ("hotline_12345", "hotline_12345"), ("GRID", "grid")],
)
def test_source_aliases(alias: str, value: str, session) -> None:
    token_id, _ = add_token("--source", alias, "--scope", "incidents:write")
    src = session.execute(text("SELECT source FROM api_token WHERE id = :i"), {"i": token_id})
    assert src.scalar_one() == value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "119", "--scope", "incidents:write"], "未知的来源渠道“119”"),
        (["--source", "110", "--scope", "persons:read"], "未知的令牌权限“persons:read”"),
        (["--source", "110", "--scope", "wall:view"], "未知的令牌权限“wall:view”"),
        (["--source", "110", "--scope", "layers:read", "--area", "999"], "区域代码“999”格式不对"),
        (["--source", "110", "--scope", "layers:read", "--expires-days", "0"], "有效期天数"),
    ],
)
def test_add_refuses_invalid_input_with_a_translated_message(args, message: str) -> None:
    from cli.main import cli

    result = CliRunner().invoke(cli, ["tokens", "add", *args])
    assert result.exit_code != 0 and message in result.output, result.output


def test_invalid_input_is_a_translated_invalid_input_error(session) -> None:
    from governance.errors import InvalidInput
    from governance.kiosks import create_kiosk_token
    from governance.tokens import create_source_token

    with pytest.raises(InvalidInput) as err:
        create_source_token(session, source="fax", scopes=["layers:read"])
    assert err.value.key == "error.token_source"
    assert "Unknown intake source 'fax'" in err.value.user_message("en")
    with pytest.raises(InvalidInput) as err:
        create_source_token(session, source="110", scopes=[])
    assert err.value.key == "error.token_scope_missing"
    with pytest.raises(InvalidInput) as err:
        create_kiosk_token(session, area_code="000000000000", name="大屏")
    assert err.value.key == "areas.error.unknown"


def test_list_shows_no_secret_and_revoke_ends_the_token(session) -> None:
    token_id, token = add_token("--source", "iot", "--scope", "layers:read", "--name", "IoT 平台")
    listing = run_cli("list").output
    line = next(li for li in listing.splitlines() if li.startswith(f"#{token_id} "))
    assert "active" in line and token[:12] in line and "IoT 平台" in line
    assert token not in listing and token[12:20] not in listing
    assert hashlib.sha256(token.encode()).hexdigest() not in listing
    assert (
        machine().get(f"/api/v1/layers/areas?bbox={CITY}&z=8", headers=bearer(token)).status_code
        == 200
    )

    result = run_cli("revoke", str(token_id))
    assert result.exit_code == 0 and f"#{token_id}" in result.output
    line = next(li for li in run_cli("list").output.splitlines() if li.startswith(f"#{token_id} "))
    assert "revoked" in line
    assert (
        machine().get(f"/api/v1/layers/areas?bbox={CITY}&z=8", headers=bearer(token)).status_code
        == 401
    )
    again = run_cli("revoke", str(token_id))
    assert again.exit_code != 0 and "已被吊销" in again.output
    missing = run_cli("revoke", "999999")
    assert missing.exit_code != 0


def test_add_kiosk_prints_the_wall_url_once(session) -> None:
    street = session.execute(
        text("SELECT code FROM area WHERE level = 'street' ORDER BY code LIMIT 1")
    ).scalar_one()
    result = run_cli("add-kiosk", "--area", street, "--name", "指挥中心大屏")
    assert result.exit_code == 0, result.output
    url = re.search(r"http://[^/\s]+/wall/k/(mq_[A-Za-z0-9_-]{43})", result.output)
    assert url, result.output
    token_id = int(re.search(r"#(\d+)", result.output).group(1))  # type: ignore[union-attr]
    row = session.execute(
        text("""SELECT t.kind, t.scopes, a.code, u.role, u.area_id = t.area_id AS same_area
        FROM api_token t JOIN area a ON a.id = t.area_id
        JOIN app_user u ON u.username = 'kiosk-' || t.id WHERE t.id = :i"""),
        {"i": token_id},
    ).one()
    assert tuple(row) == ("kiosk", ["wall:view"], street, "wall", True)
    assert url.group(1) not in run_cli("list").output
    created = session.execute(
        text("""SELECT detail FROM audit_log WHERE action = 'permission_change'
        AND object_type = 'api_token' AND object_id = :i"""),
        {"i": str(token_id)},
    ).scalar_one()
    assert created["area"] == street and created["account"] == f"kiosk-{token_id}"
    assert created["kind"] == "kiosk" and created["scopes"] == ["wall:view"]


# --------------------------------------------------------------------------- bearer auth
def test_valid_token_reads_the_incidents_layer_without_cookies_or_csrf(reader) -> None:
    _, token = reader
    client = machine()
    resp = client.get(
        f"/api/v1/layers/incidents?bbox={CITY}&z=16&{ALL_TIME}", headers=bearer(token)
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["features"]
    assert "Set-Cookie" not in resp.headers  # no session was opened for the machine
    for layer in ("areas", "labels", "sites", "density"):
        r = client.get(f"/api/v1/layers/{layer}?bbox={CITY}&z=9", headers=bearer(token))
        assert r.status_code == 200, layer
    # a POST needs no CSRF token with a bearer token: it is refused for its scope, not CSRF
    post = client.post(
        "/api/v1/persons/1/reveal", json={"reason": "测试测试"}, headers=bearer(token)
    )
    assert post.status_code == 403 and post.get_json()["key"] == "error.forbidden"


def test_missing_scope_is_403(session) -> None:
    _, token = add_token("--source", "110", "--scope", "incidents:write")
    resp = machine().get(f"/api/v1/layers/incidents?bbox={CITY}&z=12", headers=bearer(token))
    assert resp.status_code == 403 and resp.get_json()["key"] == "error.forbidden"


def test_persons_layer_is_403_even_with_layers_read(reader) -> None:
    _, token = reader
    for mode in ("", "&mode=counts"):
        resp = machine().get(
            f"/api/v1/layers/persons?bbox={CITY}&z=12{mode}", headers=bearer(token)
        )
        assert resp.status_code == 403
    assert machine().get("/api/v1/persons/1", headers=bearer(token)).status_code == 403


def test_area_token_is_confined_to_its_area(session) -> None:
    street = session.execute(
        text("SELECT code FROM area WHERE level = 'street' ORDER BY code LIMIT 1")
    ).scalar_one()
    _, token = add_token("--source", "grid", "--scope", "layers:read", "--area", street)
    density = (
        machine()
        .get(f"/api/v1/layers/density?bbox={CITY}&z=9&{ALL_TIME}", headers=bearer(token))
        .get_json()
    )
    expected = session.execute(
        text("""SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id
        WHERE g.code LIKE :p AND i.status NOT IN ('merged', 'rejected')"""),
        {"p": street[:9] + "%"},
    ).scalar_one()
    assert density["stats"]["total"] == expected
    areas = machine().get(f"/api/v1/layers/areas?bbox={CITY}&z=12", headers=bearer(token))
    assert all(f["properties"]["code"].startswith(street[:9]) for f in areas.get_json()["features"])


@pytest.mark.parametrize("case", ["unknown", "malformed", "revoked", "expired", "kiosk", "empty"])
def test_dead_tokens_are_401_with_a_translated_message(case: str, session) -> None:
    if case == "unknown":
        token = "mq_" + "A" * 43
    elif case == "malformed":
        token = "not-a-token"
    elif case == "empty":
        token = ""
    elif case == "kiosk":  # a wall link is not an API token
        from governance.kiosks import create_kiosk_token

        with session_scope() as s:
            city = s.execute(text("SELECT code FROM area ORDER BY code LIMIT 1")).scalar_one()
            token = create_kiosk_token(s, area_code=city, name="大屏").token
    else:
        token_id, token = add_token("--source", "110", "--scope", "layers:read")
        with session_scope() as s:
            column = "revoked_at" if case == "revoked" else "expires_at"
            s.execute(
                text(f"UPDATE api_token SET {column} = now() - interval '1 minute' WHERE id = :i"),
                {"i": token_id},
            )
    url = f"/api/v1/layers/areas?bbox={CITY}&z=8"
    resp = machine().get(url, headers=bearer(token))
    body = resp.get_json()
    assert resp.status_code == 401 and body["key"] == "error.token_invalid"
    assert body["message"] == "API 令牌无效、已吊销或已过期"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    en = machine().get(url + "&lang=en", headers=bearer(token)).get_json()
    assert en["message"] == "The API token is invalid, revoked or expired"


def test_a_bearer_header_does_not_fall_back_to_the_cookie_session(flask_client) -> None:
    resp = flask_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8", headers=bearer("mq_nope"))
    assert resp.status_code == 401
    assert flask_client.get(f"/api/v1/layers/areas?bbox={CITY}&z=8").status_code == 200


def test_last_used_is_recorded_at_most_once_a_minute(session) -> None:
    token_id, token = add_token("--source", "public", "--scope", "layers:read")

    def last_used():  # type: ignore[no-untyped-def]
        with session_scope() as s:
            return s.execute(
                text("SELECT last_used_at FROM api_token WHERE id = :i"), {"i": token_id}
            ).scalar_one()

    assert last_used() is None
    url = f"/api/v1/layers/labels?bbox={CITY}&z=8"
    machine().get(url, headers=bearer(token))
    first = last_used()
    assert first is not None
    machine().get(url, headers=bearer(token))
    assert last_used() == first
    with session_scope() as s:
        s.execute(
            text("UPDATE api_token SET last_used_at = now() - interval '2 minutes' WHERE id = :i"),
            {"i": token_id},
        )
    machine().get(url, headers=bearer(token))
    assert last_used() >= first  # rewritten (now() is the test's start throughout)


def test_require_scope_helper() -> None:
    from governance.access import Principal
    from governance.errors import Forbidden, Unauthorized
    from governance.tokens import TokenPrincipal, require_scope

    tok = TokenPrincipal(
        user_id=0, username="token:mq_x", display_name="x", role="token",
        scopes=frozenset({"incidents:write"}), source="iot",
    )  # fmt: skip
    assert require_scope(tok, "incidents:write") is tok
    with pytest.raises(Forbidden):
        require_scope(tok, "layers:read")
    with pytest.raises(Forbidden):  # a signed-in user is not a token
        require_scope(Principal(1, "commander", "c", "commander"), "incidents:write")
    with pytest.raises(Unauthorized):
        require_scope(None, "incidents:write")
    assert not tok.can("map.view") and not tok.can("persons.counts")


def test_openapi_documents_the_bearer_scheme_and_scopes(reader) -> None:
    spec = machine().get("/api/v1/openapi.json", headers=bearer(reader[1])).get_json()
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for scope in ("incidents:write", "incidents:read", "layers:read"):
        assert scope in scheme["description"]
    layer = spec["paths"]["/api/v1/layers/{layer}"]["get"]
    assert {"bearerAuth": []} in layer["security"]


# --------------------------------------------------------------------------- audit
def test_create_revoke_and_refusals_are_audited_without_the_token() -> None:
    from governance import audit

    start = audit_head()
    token_id, token = add_token("--source", "110", "--scope", "layers:read", "--name", "110 平台")
    run_cli("revoke", str(token_id))
    machine().get(f"/api/v1/layers/areas?bbox={CITY}&z=8", headers=bearer(token))  # revoked
    machine().get(f"/api/v1/layers/areas?bbox={CITY}&z=8", headers=bearer("mq_" + "B" * 43))
    _, live = add_token("--source", "110", "--scope", "incidents:write")
    machine().get(f"/api/v1/layers/sites?bbox={CITY}&z=8", headers=bearer(live))  # 403: scope
    rows = audit_after(start)
    text_of_rows = json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False)
    assert token not in text_of_rows and live not in text_of_rows
    assert token[12:] not in text_of_rows

    changes = [r for r in rows if r.action == "permission_change" and r.object_id == str(token_id)]
    assert [r.detail["command"] for r in changes] == ["create", "revoke"]
    for r in changes:
        assert r.object_type == "api_token" and r.username == "cli" and r.outcome == "success"
        assert r.detail["prefix"] == token[:12] and r.detail["source"] == "police_110"
        assert r.detail["scopes"] == ["layers:read"]
    denied = [r for r in rows if r.action == "access_denied"]
    revoked = next(r for r in denied if r.detail.get("reason") == "revoked")
    assert revoked.username == f"token:{token[:12]}" and revoked.detail["token_id"] == token_id
    assert revoked.object_id == "GET /api/v1/layers/areas"
    assert any(r.detail.get("reason") == "unknown" and r.username is None for r in denied)
    scope = next(r for r in denied if r.username == f"token:{live[:12]}")
    assert scope.detail["check"] == "api" and scope.outcome == "denied"
    with session_scope() as s:
        assert audit.verify(s, since_id=start + 1).ok
