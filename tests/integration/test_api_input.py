"""Regressions of the fault test's bad input (issue 10, findings 13 and 17): each was an
HTTP 500 (or a document looser than the server) and is now a translated 4xx that writes
nothing, refused by the one normaliser (governance/inputs.py) through the request models
(governance/shapes.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.intake_checks import Checker
from tests.conftest import signed_in_client
from tests.integration.test_attachments import PNG, b64
from tests.integration.test_workflow import new_incident, state

CITY = "110,18,120,25"
NOW = datetime.now(UTC).isoformat()


def counts() -> tuple[int, ...]:
    """Rows of the tables a request could write (the audit log may grow)."""
    with session_scope(admin=True) as s:
        return tuple(
            s.execute(
                text(
                    "SELECT (SELECT count(*) FROM incident), (SELECT count(*) FROM "
                    "incident_event), (SELECT count(*) FROM incident_reporter), (SELECT "
                    "count(*) FROM incident_attachment), (SELECT coalesce(sum(version), 0) "
                    "FROM incident)"
                )
            ).one()
        )


@pytest.fixture(scope="module")
def token() -> str:
    from governance.tokens import create_source_token

    with session_scope(admin=True) as s:
        return create_source_token(
            s,
            source="hotline_12345",
            scopes=("incidents:write", "incidents:read", "layers:read"),
            name="bad input",
        ).token


@pytest.fixture(scope="module")
def point() -> tuple[float, float]:
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p
                    FROM area WHERE level = 'grid' ORDER BY code LIMIT 1) x""")
        ).one()
    return float(row[0]), float(row[1])


def item(point: tuple[float, float], **fields: Any) -> dict[str, Any]:
    base = {
        "external_id": f"bad-input-{datetime.now().timestamp()}",
        "category": "city.garbage",
        "occurred_at": NOW,
        "lon": point[0],
        "lat": point[1],
    }
    return {**base, **fields}


def machine_post(token: str, path: str, raw: bytes) -> Any:
    from app import server

    return server.test_client(use_cookies=False).post(
        path + "?lang=en",
        data=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


def assert_refused(resp: Any, status: int | tuple[int, ...] = 400) -> dict[str, Any]:
    wanted = status if isinstance(status, tuple) else (status,)
    assert resp.status_code in wanted, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert {"error", "message", "key"} <= set(body), body
    assert body["key"] not in body["message"]  # translated, not the bare key
    return dict(body)


# ----------------------------------------------------------------- a lone surrogate
@pytest.mark.parametrize(
    "fields",
    [{"description": "\ud800"}, {"reporter": {"name": "张\udfff三"}}, {"address": "x\ud800"}],
    ids=["description", "reporter name", "address"],
)
def test_a_lone_surrogate_in_an_intake_field_is_a_400(token, point, fields) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    for path, body in (
        ("/api/v1/incidents", item(point, **fields)),
        ("/api/v1/incidents/bulk", {"items": [item(point), item(point, **fields)]}),
    ):
        for raw in (
            json.dumps(body).encode(),  # as a JSON escape
            json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"),  # raw bytes
        ):
            assert_refused(machine_post(token, path, raw))
    assert counts() == before


def test_every_channel_refuses_a_lone_surrogate_field_by_field() -> None:
    """Spreadsheet rows and forms do not come through the JSON reader: the item's shapes
    refuse the surrogate themselves, naming the field."""
    checker = Checker({"city.garbage": 3}, "grid", datetime.now(UTC))
    raw = {
        "external_id": "a\ud800",
        "category": "city.garbage",
        "occurred_at": NOW,
        "lon": "115.3",
        "lat": "22.8",
        "description": "\udfff",
        "reporter": {"name": "\ud800"},
    }
    assert checker.item(0, raw) is None
    fields = {(e.field, e.key) for e in checker.errors}
    assert ("description", "intake.field.encoding") in fields
    assert ("reporter.name", "intake.field.encoding") in fields
    assert {e.field for e in checker.errors} >= {"external_id"}


def test_a_lone_surrogate_in_a_note_or_a_file_name_is_a_400() -> None:
    iid = new_incident()
    sup = signed_in_client("supervisor")
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": sup.get_cookie("_csrf_token").value,
    }
    before = (state(iid), counts())
    bodies = [
        {"action": "reject", "expected_version": 1, "note": "重复\ud800"},
        {
            "action": "verify",
            "expected_version": 1,
            "attachment": {"filename": "\ud800.png", "data_base64": b64(PNG)},
        },
    ]
    for body in bodies:
        for raw in (
            json.dumps(body).encode(),
            json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        ):
            resp = sup.post(f"/api/v1/incidents/{iid}/transitions", data=raw, headers=headers)
            assert_refused(resp)
    reveal = sup.post(
        f"/api/v1/incidents/{iid}/reporter/reveal",
        data=json.dumps({"reason": "回访\ud800核实"}),
        headers=headers,
    )
    assert_refused(reveal)
    assert (state(iid), counts()) == before


# ----------------------------------------------------------- deep JSON, long numbers
@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        b'{"lon": ' + b"9" * 5_000 + b"}",
        b'{"priority": -' + b"1" * 400 + b"}",
    ],
    ids=["deep array", "deep object", "5000 digits", "400 digits"],
)
def test_deep_json_and_huge_numbers_are_a_400_everywhere(token, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    assert_refused(machine_post(token, "/api/v1/incidents", raw))
    assert_refused(machine_post(token, "/api/v1/incidents/bulk", raw))
    cmd = signed_in_client("commander")
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": cmd.get_cookie("_csrf_token").value,
    }
    for path in ("/api/v1/incidents/1/transitions", "/api/v1/incidents/1/reporter/reveal"):
        assert_refused(cmd.post(path, data=raw, headers=headers), (400, 413))  # a reason: 64 KB
    assert counts() == before


def test_a_huge_version_or_department_is_a_400_not_a_conflict() -> None:
    iid = new_incident()
    cmd = signed_in_client("commander")
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": cmd.get_cookie("_csrf_token").value,
    }
    before = state(iid)
    for body in (
        {"action": "verify", "expected_version": 10**30},
        {"action": "merge", "expected_version": 1, "into": 10**30},
        {"action": "verify", "expected_version": 1, "lead_department_id": "²"},
    ):
        resp = cmd.post(
            f"/api/v1/incidents/{iid}/transitions", data=json.dumps(body), headers=headers
        )
        assert_refused(resp)
    assert state(iid) == before


# ------------------------------------------------------------------- "²".isdigit()
@pytest.mark.parametrize("priority", ["²", "١", "３", " 2\x00", 2.5, True, "1e0", 10**40])
def test_a_priority_that_is_not_ascii_digits_is_refused(token, point, priority: Any) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    resp = machine_post(
        token, "/api/v1/incidents", json.dumps(item(point, priority=priority)).encode()
    )
    body = assert_refused(resp)
    assert body["key"].startswith("error.input.json") or body["errors"][0]["field"] == "priority"
    assert counts() == before


def test_a_priority_as_ascii_text_still_works(token, point) -> None:  # type: ignore[no-untyped-def]
    resp = machine_post(
        token, "/api/v1/incidents", json.dumps(item(point, priority=" 2 ")).encode()
    )
    assert resp.status_code == 201, resp.get_json()
    with session_scope(admin=True) as s:
        stored = s.execute(
            text("SELECT priority FROM incident WHERE id = :i"), {"i": resp.get_json()["id"]}
        ).scalar_one()
    assert stored == 2


# ------------------------------------------------------------------- dates, layers
@pytest.mark.parametrize(
    "query",
    [
        "end=9999-12-31",
        "start=0001-01-01",
        "start=2026-01-01T00:00:00%2B08:00&end=9999-12-31T23:59:59",
        "end=２０２６-01-01",
        "start=2026-02-30",
        "z=" + "9" * 5000,
        "z=²",
        "bbox=",
        "bbox=1e400,2,3,4",
        "res=٩",
    ],
)
def test_layer_parameters_out_of_bounds_are_a_400(query: str) -> None:
    cmd = signed_in_client("commander")
    params = {"bbox": CITY, "z": "10"}
    for part in query.split("&"):
        key, _, value = part.partition("=")
        params[key] = value
    url = "/api/v1/layers/density?" + "&".join(f"{k}={v}" for k, v in params.items())
    assert_refused(cmd.get(url))


# --------------------------------------------------------- every refusal is worded
HOSTILE = [None, "", " ", "\x00", "a\ud800", "\u202e", "x" * 10_000, "²", "١٢", 5, -1, 1.5,
           10**30, True, [], {}, [1, "a"], "2026-02-30", "9999-12-31", "nan", "1e999"]  # fmt: skip


def _models() -> list[Any]:
    from governance.intake_model import IncidentIn, ReporterIn
    from governance.layer_query import LayerQuery
    from governance.reveal_reason import RevealIn
    from governance.workflow_params import TransitionIn

    return [IncidentIn, ReporterIn, TransitionIn, RevealIn, LayerQuery]


def test_every_refusal_of_every_field_has_a_message_in_both_languages() -> None:
    """A shape may rename an error's key (intake's row-level keys, the layer keys): every
    renamed key must find its parameters, or the refusal itself would be a 500."""
    from governance.errors import InvalidInput
    from governance.shapes import Shape

    refused = 0
    for model in _models():
        for name, info in model.model_fields.items():
            shape = next((m for m in info.metadata if isinstance(m, Shape)), None)
            if shape is None:
                continue
            for value in HOSTILE:
                try:
                    shape.check(value, name)
                except InvalidInput as err:
                    refused += 1
                    for lang in ("zh-CN", "en"):
                        message = err.user_message(lang)
                        assert message and message != err.key, (model, name, value, err.key)
    assert refused > 150
    checker = Checker({"city.garbage": 3}, "grid", datetime.now(UTC))
    for value in HOSTILE:
        raw = {f: value for f in ("external_id", "category", "occurred_at", "lon", "lat")}
        checker.item(0, {**raw, "crs": value, "priority": value, "reporter": {"phone": value}})
    for error in checker.errors:
        for lang in ("zh-CN", "en"):
            assert error.message(lang) != error.key, error
