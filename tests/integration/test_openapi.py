"""The OpenAPI document is exact (issue 10, finding 17): every route with its methods, the
constraints the server enforces, a valid OpenAPI 3.1 document; and what is not a route
is a translated JSON 404 or 405 with ``Allow``."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from tests.conftest import signed_in_client

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    resp = signed_in_client("commander").get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return dict(resp.get_json())


def _routes() -> dict[str, set[str]]:
    """Every API route of the URL map, in the document's path syntax, with its methods."""
    import re

    from app import server

    out: dict[str, set[str]] = {}
    for rule in server.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        if rule.endpoint == "api_v1._unknown":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: "{" + m.group(1) + "}", rule.rule)
        path = re.sub(r"\{[a-z]+_id\}", "{id}", path)
        out.setdefault(path, set()).update(m.lower() for m in rule.methods or ())
    return {p: m & HTTP_METHODS for p, m in out.items()}


def test_every_route_and_method_is_documented_and_nothing_else(doc: dict[str, Any]) -> None:
    documented = {path: set(ops) & HTTP_METHODS for path, ops in doc["paths"].items()}
    assert documented == _routes()
    assert "post" in documented["/api/v1/incidents/{id}/transitions"]
    assert "get" in documented["/api/v1/attachments/{id}"]


def test_the_document_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    assert doc["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(doc).validate()  # the OpenAPI 3.1 meta-schema


def test_every_operation_states_security_and_its_errors(doc: dict[str, Any]) -> None:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert "security" in op, (method, path)
            codes = set(op["responses"])
            assert {"200", "503"} <= codes or {"201", "503"} <= codes, (method, path)
            if path != "/healthz":
                assert {"400", "401", "403"} <= codes, (method, path)
                assert op["security"], (method, path)
            if "requestBody" in op:
                assert "413" in codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)


def test_the_constraints_the_fault_test_found_missing(doc: dict[str, Any]) -> None:
    layer = doc["paths"]["/api/v1/layers/{layer}"]["get"]
    params = {p["name"]: p for p in layer["parameters"]}
    bbox = params["bbox"]
    assert bbox["required"] and bbox["schema"]["minItems"] == bbox["schema"]["maxItems"] == 4
    assert bbox["style"] == "form" and bbox["explode"] is False
    assert params["z"]["schema"] == {"type": "number", "minimum": 0, "maximum": 22}
    assert "city.garbage" in params["categories"]["schema"]["items"]["enum"]
    assert set(params["sources"]["schema"]["items"]["enum"]) >= {"hotline_12345", "iot"}
    assert params["start"]["schema"]["pattern"].startswith("^20[0-9]{2}-")
    schemas = doc["components"]["schemas"]
    item = schemas["IncidentIn"]
    assert "city.garbage" in item["properties"]["category"]["enum"]
    assert "city" not in item["properties"]["category"]["enum"]  # groups are not accepted
    assert item["additionalProperties"] is False
    assert set(item["required"]) == {"external_id", "category", "occurred_at", "lon", "lat"}
    bulk = schemas["BulkIn"]["oneOf"][0]
    assert bulk["required"] == ["items"] and bulk["additionalProperties"] is False
    assert bulk["properties"]["items"]["minItems"] == 1
    step = schemas["TransitionIn"]
    assert step["required"] == ["action", "expected_version"]
    assert "dispatch" in step["properties"]["action"]["enum"]
    assert step["additionalProperties"] is False
    assert schemas["RevealIn"]["properties"]["reason"]["maxLength"] == 500


def test_what_the_document_refuses_the_server_refuses() -> None:
    cmd = signed_in_client("commander")
    assert cmd.get("/api/v1/layers/areas?bbox=&z=9").status_code == 400
    csrf = {"X-CSRFToken": cmd.get_cookie("_csrf_token").value}
    reveal = cmd.post(
        "/api/v1/incidents/1/reporter/reveal", json={"reason": "回访核实", "extra": 1}, headers=csrf
    )
    assert reveal.status_code == 400 and reveal.get_json()["key"] == "error.input.unknown"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/incidents", "OPTIONS, POST"),
        ("DELETE", "/api/v1/categories", "GET, HEAD, OPTIONS"),
        ("POST", "/api/v1/incidents/1", "GET, HEAD, OPTIONS"),
        ("GET", "/api/v1/incidents/1/transitions", "OPTIONS, POST"),
        ("PATCH", "/api/v1/layers/areas", "GET, HEAD, OPTIONS"),
        ("POST", "/api/v1/stream", "GET, HEAD, OPTIONS"),
        ("TRACE", "/api/v1/attachments/7", "GET, HEAD, OPTIONS"),
    ],
)
def test_an_undeclared_method_is_a_translated_405_with_allow(
    method: str, path: str, allowed: str
) -> None:
    cmd = signed_in_client("commander")
    csrf = {"X-CSRFToken": cmd.get_cookie("_csrf_token").value}
    resp = cmd.open(path + "?lang=en", method=method, headers=csrf)
    assert resp.status_code == 405
    assert resp.headers["Allow"] == allowed
    body = resp.get_json()
    assert body["key"] == "error.request.method" and body["message"].startswith("This method")
    options = cmd.open(path, method="OPTIONS")
    assert options.headers["Allow"] == allowed


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing", "/api/v1/incidents/0", "/api/v1/incidents/007", "/api/v1/persons/-3",
     "/api/v1/incidents/١٢", "/api/v1/attachments/" + "9" * 30],
)  # fmt: skip
def test_an_unknown_path_is_a_translated_json_404(path: str) -> None:
    resp = signed_in_client("commander").get(path + "?lang=en")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "not_found" and resp.get_json()["key"]


def test_real_answers_validate_with_the_models_the_document_is_made_from() -> None:
    """Each read route's answer, as a commander gets it, is an instance of the model its
    response component is generated from (api/responses.py)."""
    from sqlalchemy import text

    from api import responses as r
    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        incident_id = s.execute(
            text("SELECT max(id) FROM incident WHERE status = 'closed'")
        ).scalar_one()
        person_id = s.execute(  # in the supervisor's street: the commander sees no person
            text("""SELECT p.id FROM key_person p JOIN area g ON g.id = p.grid_id
                    JOIN app_user u ON u.username = 'supervisor' JOIN area a ON a.id = u.area_id
                    WHERE g.code LIKE left(a.code, 9) || '%' ORDER BY p.id LIMIT 1""")
        ).scalar_one()
    person = signed_in_client("supervisor").get(f"/api/v1/persons/{person_id}")
    assert person.status_code == 200
    r.Person.model_validate(person.get_json())
    client = signed_in_client("commander")
    answers: dict[type[r.View], str] = {
        r.Incident: f"/api/v1/incidents/{incident_id}",
        r.Categories: "/api/v1/categories",
        r.Health: "/healthz",
        r.FeatureCollection: "/api/v1/layers/density?bbox=110,18,120,25&z=9",
    }
    for model, url in answers.items():
        resp = client.get(url)
        assert resp.status_code == 200, url
        model.model_validate(resp.get_json())
    missing = client.get("/api/v1/incidents/2000000000")
    assert missing.status_code == 404
    r.Error.model_validate(missing.get_json())
    closed = r.Incident.model_validate(client.get(answers[r.Incident]).get_json())
    assert closed.workflow.timeline and closed.breadcrumb


def test_the_models_refuse_an_answer_that_breaks_its_declaration() -> None:
    from pydantic import ValidationError

    from api.responses import BulkItem, Health

    BulkItem.model_validate({"index": 0, "id": 1, "created": True})  # optional fields absent
    for bad in (
        {"index": 0, "id": 1},  # a required field missing
        {"index": 0, "id": 1, "created": True, "duplicate_of": None},  # never null
        {"index": 0, "id": "1", "created": True},  # a number as a string
    ):
        with pytest.raises(ValidationError):
            BulkItem.model_validate(bad)
    with pytest.raises(ValidationError):
        Health.model_validate({"status": "fine", "database": {"status": "ok"}})
