"""schemathesis against the OpenAPI document, in-process (WSGI), with 0 failures.

Every operation of ``/api/v1/openapi.json`` (and ``/healthz``) is called with what the
document allows and with what it forbids, as a signed-in commander (session cookie and
CSRF header) and as a source system's bearer token holding every scope. Every check
schemathesis has runs: no 5xx, answers and headers conforming to the document, only
documented statuses, data the document forbids refused (the document is not looser than
the server), data it allows accepted, undeclared methods answered 405 with ``Allow``,
credentials enforced.

Kept reproducible and bounded: a fixed seed, deterministic generation, at most
:data:`MAX_EXAMPLES` generated examples per operation (``MINQING_SCHEMATHESIS_EXAMPLES``
raises it for a longer hunt), no example database.

What the document cannot state is configured here, each with its reason:

* data the document allows may still be a 400 where a rule spans several fields or the
  record's state (layers: min below max, start before end, geobuf for areas only;
  intake: a time in the future, an unknown category is a leaf question, a point outside
  the token's area; transitions: the state machine; reveals of a record without a
  reporter are a 404; a patrol submission's answers are judged against its checklist
  version and the task's state; a task is reassigned only to a grid worker of the area).
  ``positive_data_acceptance`` accepts 400 there.
* ``GET /api/v1/stream`` is a server-sent event stream that lasts minutes: not called.
* ``/healthz`` is not an API route: like every page outside ``/api/``, an undeclared
  state-changing method is refused by the CSRF check (403) and another one sent
  anonymously by the sign-in redirect, before routing (``web/guard.py``); its
  ``unsupported_method`` check is off, and it is called with the session run only.

Writes stay contained: transitions only ever target an incident made for this module,
reassignments one patrol task whose assignee is put back at the end, and the incidents
the token registers and the alert subscriptions made are deleted at the end.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER
from sqlalchemy import text

from geodata.db import session_scope
from tests.conftest import signed_in_client

SEED = 20261206
MAX_EXAMPLES = int(os.environ.get("MINQING_SCHEMATHESIS_EXAMPLES", "20"))
STATE_RULES = [  # operations whose 400 can answer data the document allows (see above)
    "getLayer",
    "createIncident",
    "transitionIncident",
    "patrolSubmit",
    "patrolReassign",
    "getPlaybackFrame",  # the period's length and the frame inside it span parameters
    # alerts: an area in the caller's scope that exists, a category that exists, one's own
    # subscription, a webhook target that exists and a URL on a public address
    "alertsSubscribe",
    "alertsUnsubscribe",
    "alertsAddWebhook",
    "alertsDisableWebhook",
]
STATE_REFUSALS = ["2xx", "400", "401", "403", "404", "409"]
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429"]
CONFIG: dict[str, Any] = {
    "seed": SEED,
    "generation": {
        "mode": "all",
        "deterministic": True,
        "max-examples": MAX_EXAMPLES,
        "database": "none",
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
    # in-process answers are not decompressed: ask for none (Flask-Compress would gzip)
    "headers": {"Accept-Encoding": "identity"},
    "operations": [
        {"include-path": "/healthz", "checks": {"unsupported_method": {"enabled": False}}},
        {  # more than 10,000 items is a 413, as the document says
            "include-operation-id": "createIncidents",
            "checks": {
                "negative_data_rejection": {"expected-statuses": [*REFUSALS, "413"]},
                "positive_data_acceptance": {"expected-statuses": STATE_REFUSALS},
            },
        },
        {"include-operation-id": "stream", "enabled": False},
        {
            "include-operation-id": STATE_RULES,
            "checks": {"positive_data_acceptance": {"expected-statuses": STATE_REFUSALS}},
        },
    ],
}


def _incident() -> int:
    """An incident of its own for the transitions, in the commander's city."""
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("""
            INSERT INTO incident (source, external_id, category_code, occurred_at, reported_at,
                grid_id, status, priority, description, address, geom,
                h3_6, h3_7, h3_8, h3_9, h3_10, version)
            SELECT 'grid', 'schemathesis-' || gen_random_uuid(), i.category_code, now(),
                   now(), i.grid_id, 'registered', 3, 'schemathesis', i.address, i.geom,
                   i.h3_6, i.h3_7, i.h3_8, i.h3_9, i.h3_10, 1
            FROM incident i WHERE i.grid_id IS NOT NULL ORDER BY i.id LIMIT 1
            RETURNING id""")
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def token() -> Iterator[tuple[int, str]]:
    """A 12345 token with every scope; what it registered is deleted afterwards."""
    from governance.tokens import create_source_token

    with session_scope(admin=True) as s:
        made = create_source_token(
            s,
            source="hotline_12345",
            scopes=("incidents:write", "incidents:read", "layers:read"),
            name="schemathesis",
        )
        token_id = int(made.id)
    yield token_id, made.token
    with session_scope(admin=True) as s:
        doomed = "SELECT incident_id FROM incident_event WHERE actor_token_id = :t"
        s.execute(
            text(f"UPDATE incident SET merged_into_id = NULL WHERE merged_into_id IN ({doomed})"),
            {"t": token_id},
        )
        s.execute(text(f"DELETE FROM incident WHERE id IN ({doomed})"), {"t": token_id})


@pytest.fixture(scope="module", autouse=True)
def _no_subscriptions_left() -> Iterator[None]:
    """The commander's subscriptions made by the run are removed afterwards."""
    yield
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM alert_subscription"))


@pytest.fixture(scope="module")
def own_incident() -> int:
    return _incident()


@pytest.fixture(scope="module")
def own_task() -> Iterator[int]:
    """The one patrol task reassignments may touch; its assignee is put back after."""
    with session_scope(admin=True) as s:
        task, assignee = s.execute(
            text("SELECT id, assignee_id FROM patrol_task ORDER BY id DESC LIMIT 1")
        ).one()
    yield int(task)
    with session_scope(admin=True) as s:
        s.execute(
            text("UPDATE patrol_task SET assignee_id = :a WHERE id = :t"),
            {"a": assignee, "t": task},
        )


@pytest.fixture(autouse=True)
def _wsgi_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """schemathesis 4.32.5 hands its credential probes (the ``ignored_auth`` check) to the
    WSGI transport with socket options werkzeug's client does not take (TypeError:
    ``max_redirects``); in-process they mean nothing, so they are dropped."""
    from schemathesis.transport.wsgi import WSGITransport

    send = WSGITransport.send

    def without_socket_options(self: Any, case: Any, **kwargs: Any) -> Any:
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return send(self, case, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", without_socket_options)


@pytest.fixture(scope="module")
def commander() -> Any:
    return signed_in_client("commander")


@pytest.fixture(scope="module")
def document(commander: Any) -> dict[str, Any]:
    """The document as the server serves it."""
    served = commander.get("/api/v1/openapi.json")
    assert served.status_code == 200
    return dict(served.get_json())


def _run(
    document: dict[str, Any], auth: dict[str, Any], own_incident: int, own_task: int
) -> list[str]:
    """Every phase of schemathesis against the app in-process; the failures found."""
    from app import server

    server.config["TESTING"] = True
    config = schemathesis.Config.from_dict({**CONFIG, **auth})
    schema = schemathesis.openapi.from_dict(copy.deepcopy(document), config=config)
    schema.app = server
    schema.location = "/api/v1/openapi.json"

    def only_our_incident(_ctx: Any, case: Any, _kwargs: dict[str, Any]) -> None:
        """Transitions never touch the demo city's incidents, only this module's."""
        if case.operation.path == "/api/v1/incidents/{id}/transitions" and isinstance(
            case.path_parameters.get("id"), int
        ):
            case.path_parameters["id"] = own_incident
        if case.operation.path == "/api/v1/patrol/tasks/{id}/assignee" and isinstance(
            case.path_parameters.get("id"), int
        ):
            case.path_parameters["id"] = own_task

    hook = schemathesis.hook("before_call")(only_our_incident)
    try:
        return _execute(schema)
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(hook)


def _execute(schema: Any) -> list[str]:
    from schemathesis.engine import Status, events, from_schema

    problems: list[str] = []
    calls = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: {event.info.format()}")
        if isinstance(event, events.ScenarioFinished):
            calls += len(event.recorder.interactions)
            if event.status == Status.FAILURE:
                problems.extend(_failures(event.recorder))
    print(f"schemathesis: {calls} calls")
    return problems


def _failures(recorder: Any) -> list[str]:
    out = []
    for checks in recorder.checks.values():
        for check in checks:
            if check.failure_info is None:
                continue
            failure = check.failure_info.failure
            out.append(
                f"{recorder.label} [{check.name}] {failure.title}: {failure.message}\n"
                f"    {check.failure_info.code_sample}"
            )
    return out


def test_as_a_signed_in_commander(
    commander: Any, document: dict[str, Any], own_incident: int, own_task: int
) -> None:
    cookie = commander.get_cookie("minqing_session").value
    csrf = commander.get_cookie("_csrf_token").value
    auth = {
        "auth": {"openapi": {"cookieAuth": {"api_key": cookie}}},
        "headers": {**CONFIG["headers"], "X-CSRFToken": csrf},
    }
    problems = _run(document, auth, own_incident, own_task)
    assert not problems, "\n".join(problems)


def test_as_a_token_with_every_scope(
    token: tuple[int, str], document: dict[str, Any], own_incident: int, own_task: int
) -> None:
    auth = {
        "auth": {"openapi": {"bearerAuth": {"bearer": token[1]}}},
        "operations": [*CONFIG["operations"], {"include-path": "/healthz", "enabled": False}],
    }
    problems = _run(document, auth, own_incident, own_task)
    assert not problems, "\n".join(problems)
