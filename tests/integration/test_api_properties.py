"""Hostile input at every API route and method: never a 5xx, always a translated answer,
never a write (issue 10, "one way in for text and numbers").

Hypothesis throws arbitrary JSON documents and text at every route of the ``/api/v1``
blueprint and every method (declared or not), as an anonymous caller, a signed-in
commander (with the CSRF header) and a source token holding every scope: lone surrogates
(as JSON escapes and as raw bytes), NUL and other controls, direction marks, numbers
with hundreds of digits or in other scripts, deep nesting, wrong types, huge strings,
hostile query strings and path segments; and valid bodies with one field made hostile.

For every request: the status is below 500; a 4xx carries JSON ``{error, message, key}``
with a translated message; and no business table gained or lost a row and no incident
changed (the audit log, sessions and rate-limit counters may change). A body that would
be valid but for its hostile field is made to fail for two more reasons that write
nothing either (an unknown field, and a stale version or a time far in the future), so
that any write is a hole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from tests.conftest import signed_in_client

# per caller; derandomized, so every run sends the same requests (raise it for a hunt)
EXAMPLES = int(os.environ.get("MINQING_PROPERTY_EXAMPLES", "200"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ROUTES = [  # (path template, declared methods); test_openapi.py checks these are all
    ("/api/v1/layers/{layer}", {"GET"}),
    ("/api/v1/persons/{id}", {"GET"}),
    ("/api/v1/persons/{id}/reveal", {"POST"}),
    ("/api/v1/incidents", {"POST"}),
    ("/api/v1/incidents/bulk", {"POST"}),
    ("/api/v1/categories", {"GET"}),
    ("/api/v1/incidents/{id}", {"GET"}),
    ("/api/v1/incidents/{id}/transitions", {"POST"}),
    ("/api/v1/attachments/{id}", {"GET"}),
    ("/api/v1/incidents/{id}/reporter/reveal", {"POST"}),
    ("/api/v1/openapi.json", {"GET"}),
    ("/api/v1/stream", {"GET"}),
    ("/api/v1/patrol/day", {"GET"}),
    ("/api/v1/patrol/checklists/{id}", {"GET"}),
    ("/api/v1/patrol/tasks/{id}/submission", {"POST"}),
    ("/api/v1/patrol/tasks/{id}/assignee", {"POST"}),
    ("/api/v1/patrol/submissions/{id}", {"GET"}),
    ("/api/v1/patrol/photos/{id}", {"GET"}),
    ("/api/v1/{unknown}", set()),
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Tables a request may legitimately change: the trail of what it did, its session, limits.
BOOKKEEPING = {"audit_log", "audit_chain", "user_session", "rate_limit", "alembic_version",
               "spatial_ref_sys"}  # fmt: skip

# ----------------------------------------------------------------------------- values
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["\ud800", "a\udfffb", "\x00", "x\x00y", "\x1b[31m", "\u202egpj.exe", "\u200e", "\t",
         "line\nbreak", "\u0085", "\ufeff", "²", "١٢", "３", "9" * 400, "-" + "1" * 5000,
         "1e999", "NaN", "Infinity", "9999-12-31", "0001-01-01", "２０２６-01-01",
         "2026-02-30", "长" * 3000, " ", "", "null", "[]", "{}", "%00", "../../etc/passwd"]
    ),
)  # fmt: skip
HOSTILE_NUMBER = st.one_of(
    st.integers(min_value=-(10**40) + 1, max_value=10**40 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**31, 2**63, 10**30, 1.5, -0.0, 1e308]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | HOSTILE_NUMBER | HOSTILE_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(HOSTILE_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)
PATH_SEGMENTS = st.one_of(
    st.sampled_from(["1", "2", "0", "-1", "007", "١٢", "²", "9" * 30, "areas", "density",
                     "persons", "x", "%ED%A0%80", "%00", "a%2Fb"]),
    st.integers(min_value=1, max_value=10**25).map(str),
    HOSTILE_TEXT.map(lambda s: quote(s.encode("utf-8", "surrogatepass"), safe="")),
)  # fmt: skip
QUERY_KEYS = ["bbox", "z", "format", "level", "types", "res", "window", "start", "end",
              "categories", "sources", "mode", "lang", "v"]  # fmt: skip
VALID_LAYER_QUERY = {"bbox": "110,18,120,25", "z": "10", "window": "30d"}
QUERY_VALUES = st.one_of(
    st.sampled_from(["geobuf", "geojson", "county", "grid", "school,nope", "9", "12", "today",
                     "2y", "2026-01-01", "2026-05-01T10:00+08:00", "city.garbage", "city",
                     "grid,fax", "counts", "1,2,3,4", "116,22,115,23", "1,2,3", "", "-1",
                     "1e999", "nan,1,2,3", "0x10", "1_0", "+5", " 5"]),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=20),
    HOSTILE_TEXT,
)  # fmt: skip
LAYER_NAMES = ["areas", "labels", "sites", "incidents", "density", "persons"]


def _encode(doc: Any, raw_surrogates: bool) -> bytes:
    """JSON text: surrogates as \\u escapes, or as raw (invalid UTF-8) bytes."""
    if raw_surrogates:
        return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return json.dumps(doc).encode()


@st.composite
def bodies(draw: st.DrawFn, template: str) -> bytes | None:
    """A body: none, arbitrary JSON, a deep or long document, or a route's valid body
    with one field made hostile (and a second fault that writes nothing)."""
    kind = draw(st.sampled_from(["none", "json", "deep", "digits", "mutant", "mutant", "mutant"]))
    if kind == "none":
        return None
    if kind == "deep":
        n = draw(st.sampled_from([40, 1_000, 100_000]))
        return b"[" * n + b"]" * n
    if kind == "digits":
        return b'{"lon": ' + b"7" * draw(st.sampled_from([41, 300, 5_000])) + b"}"
    raw_surrogates = draw(st.booleans())
    if kind == "json":
        return _encode(draw(JSON_VALUES), raw_surrogates)
    base = _valid_body(template)
    if base is None:
        return _encode(draw(JSON_VALUES), raw_surrogates)
    target = base["items"][0] if "items" in base else base
    field = draw(st.sampled_from(sorted({*target, "reporter", "extra"})))
    target[field] = draw(JSON_VALUES)
    return _encode(base, raw_surrogates)


def _valid_body(template: str) -> dict[str, Any] | None:
    """A body of the route that is refused anyway, without writing (see the docstring)."""
    future = "2099-01-01T00:00:00+08:00"  # refused: more than 10 minutes ahead
    unknown = {"zzz": 1}  # refused: not a field (whichever other field the mutant changes)
    item = {
        **unknown,
        "external_id": "prop-1",
        "category": "city.garbage",
        "occurred_at": future,
        "lon": 115.37,
        "lat": 22.79,
        "description": "x",
        "priority": 2,
        "reporter": {"name": "张三", "phone": "13800000000"},
    }
    if template == "/api/v1/incidents":
        return item
    if template == "/api/v1/incidents/bulk":
        return {"items": [item]}
    if template.endswith("/transitions"):
        return {"action": "verify", "expected_version": 2**31 - 1, "note": "n", **unknown}
    if template.endswith("/reveal"):
        return {"reason": "回访核实"}
    return None


@st.composite
def requests_(draw: st.DrawFn) -> tuple[str, str, bytes | None, str]:
    """(method, path with query, body, content type)."""
    template, declared = draw(st.sampled_from(ROUTES))
    use_declared = declared and draw(st.sampled_from([True, True, True, False]))
    method = draw(st.sampled_from(sorted(declared) if use_declared else METHODS))
    path = template
    for name, usual in (
        ("{layer}", LAYER_NAMES),
        ("{id}", ["1", "2", "3", "20"]),
        ("{unknown}", []),
    ):
        if name in path:
            typical = usual and draw(st.sampled_from([True, True, False]))
            path = path.replace(name, draw(st.sampled_from(usual) if typical else PATH_SEGMENTS))
    params = dict(VALID_LAYER_QUERY) if template == "/api/v1/layers/{layer}" else {}
    mode = draw(st.sampled_from(["as sent", "as sent", "as sent", "one hostile", "arbitrary"]))
    if mode == "one hostile":  # one parameter made hostile, the others as a client sends them
        params[draw(st.sampled_from(QUERY_KEYS))] = draw(QUERY_VALUES)
    elif mode == "arbitrary":
        params = draw(st.dictionaries(st.sampled_from(QUERY_KEYS) | HOSTILE_TEXT, QUERY_VALUES))
    query = "&".join(
        quote(k.encode("utf-8", "surrogatepass"), safe="")
        + "="
        + quote(v.encode("utf-8", "surrogatepass"), safe=",:")
        for k, v in params.items()
    )
    body = draw(bodies(template)) if method in ("POST", "PUT", "PATCH") else None
    ctype = draw(st.sampled_from(["application/json", "application/json", "text/plain", ""]))
    return method, f"{path}?{query}", body, ctype


# ----------------------------------------------------------------------------- checks
def _business_tables() -> list[str]:
    with session_scope(admin=True) as s:
        names = s.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ).scalars()
        return [n for n in names if n not in BOOKKEEPING and not n.startswith("audit")]


@pytest.fixture(scope="module")
def snapshot() -> Callable[[], tuple[int, ...]]:
    """Row counts of every business table, and the sum of incident versions (a changed
    incident bumps its version)."""
    tables = _business_tables()
    assert {"incident", "incident_event", "incident_reporter", "incident_attachment"} <= set(tables)
    sql = ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    sql += ", (SELECT coalesce(sum(version), 0) FROM incident)"

    def take() -> tuple[int, ...]:
        with session_scope(admin=True) as s:
            return tuple(s.execute(text(f"SELECT {sql}")).one())

    return take


def _callers() -> dict[str, Callable[[], tuple[Any, dict[str, str]]]]:
    def anonymous() -> tuple[Any, dict[str, str]]:
        from app import server

        return server.test_client(use_cookies=False), {}

    def session() -> tuple[Any, dict[str, str]]:
        client = signed_in_client("commander")
        return client, {"X-CSRFToken": client.get_cookie("_csrf_token").value}

    def token() -> tuple[Any, dict[str, str]]:
        from app import server
        from governance.tokens import create_source_token

        with session_scope(admin=True) as s:
            made = create_source_token(
                s,
                source="hotline_12345",
                scopes=("incidents:write", "incidents:read", "layers:read"),
                name="properties",
            )
        client = server.test_client(use_cookies=False)
        return client, {"Authorization": f"Bearer {made.token}"}

    return {"anonymous": anonymous, "session": session, "token": token}


@pytest.mark.parametrize("caller", ["anonymous", "session", "token"])
def test_hostile_requests_never_fail_the_server_nor_write(
    caller: str, snapshot: Callable[[], tuple[int, ...]]
) -> None:
    client, auth = _callers()[caller]()
    before = snapshot()

    @SETTINGS
    @given(requests_())
    def one(request: tuple[str, str, bytes | None, str]) -> None:
        method, url, body, ctype = request
        if method == "GET" and url.startswith("/api/v1/stream?") and caller == "session":
            return  # a live stream lasts minutes; its refusals are covered by the others
        headers = {**auth, "Accept-Encoding": "identity"}
        if ctype:
            headers["Content-Type"] = ctype
        resp = client.open(url, method=method, data=body, headers=headers)
        assert resp.status_code < 500, (method, url, body and body[:200], resp.get_data()[:300])
        if resp.status_code >= 400:
            answer = resp.get_json(silent=True)
            assert isinstance(answer, dict), (method, url, resp.get_data()[:300])
            assert {"error", "message", "key"} <= set(answer), answer
            assert all(isinstance(answer[k], str) for k in ("error", "message", "key"))
            assert answer["message"] and answer["message"] != answer["key"], answer
        assert snapshot() == before, (method, url, body and body[:200], resp.status_code)

    one()
