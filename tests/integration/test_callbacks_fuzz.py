"""Every Dash callback, called by hand with arbitrary JSON and text (property-based).

A callback is an HTTP endpoint anyone signed in can call with any body. For every
server-side callback and every demo role, Hypothesis builds bodies that name the callback
correctly (so they reach it past the guard's shape check) and fill every input and state
with hostile values: deep and wide JSON, huge and non-ASCII numbers, NUL and other
controls, direction marks, lone surrogates (refused whole by the JSON reader), wrong
types. Each answer must be below 500 and no business table may change: pattern ids name
objects that do not exist, so a callback that writes anything did so for garbage.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from tests.conftest import signed_in_client

ROLES = ("commander", "supervisor", "gridworker", "dept", "admin", "security", "auditor", "wall")
BUSINESS_TABLES = (
    "incident",
    "incident_event",
    "incident_reporter",
    "incident_attachment",
    "incident_feedback",
    "app_user",
    "api_token",
    "file_upload",
    "key_person",
    "key_site",
    "alert_subscription",
    "alert_inbox",
    "webhook_target",
)
NO_SUCH_ID = 2_000_000_000  # what pattern ids name: no incident, person or account has it

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            "\u202egpj.exe",
            "\ud800",
            "9" * 400,
            "²",
            "١٢",
            "9999-12-31",
            "0000-00-00",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "NaN",
            "-1",
            "1e309",
            "{}",
        ]
    ),
)
HOSTILE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _callbacks() -> list[str]:
    from app import app

    return sorted(k for k, cb in app.callback_map.items() if "callback" in cb)


def _outputs(key: str) -> list[dict[str, Any]] | dict[str, Any]:
    out = []
    for part in key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        parsed = json.loads(cid) if cid.startswith("{") else cid
        if isinstance(parsed, dict):
            parsed = {k: (NO_SUCH_ID if isinstance(v, list) else v) for k, v in parsed.items()}
        out.append({"id": parsed, "property": prop})
    return out if len(out) > 1 else out[0]


def _item(dep: dict[str, Any], value: Any) -> Any:
    cid = json.loads(dep["id"]) if dep["id"].startswith("{") else dep["id"]
    if isinstance(cid, dict):
        concrete = {k: (NO_SUCH_ID if isinstance(v, list) else v) for k, v in cid.items()}
        one = {"id": concrete, "property": dep["property"], "value": value}
        if ["MATCH"] in cid.values():
            return one
        return [one]  # ALL / ALLSMALLER: one such component
    return {"id": cid, "property": dep["property"], "value": value}


def _body(key: str, spec: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    deps = [*spec["inputs"], *spec["state"]]
    items = [_item(d, v) for d, v in zip(deps, values, strict=True)]
    n = len(spec["inputs"])
    first = deps[0] if deps else None
    changed = [f"{first['id']}.{first['property']}"] if first else []
    return {
        "output": key,
        "outputs": _outputs(key),
        "inputs": items[:n],
        "state": items[n:],
        "changedPropIds": changed,
    }


def _rows() -> tuple[int, ...]:
    with session_scope(admin=True) as s:
        return tuple(
            int(s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in BUSINESS_TABLES
        )


_clients: dict[str, Any] = {}


def _client(role: str) -> Any:
    if role not in _clients:
        _clients[role] = signed_in_client(role)
    return _clients[role]


@pytest.mark.slow
@pytest.mark.parametrize("key", _callbacks())
def test_no_callback_answers_5xx_or_writes_for_garbage(key: str) -> None:
    from app import app

    spec = app.callback_map[key]
    width = len(spec["inputs"]) + len(spec["state"])
    before = _rows()

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(st.sampled_from(ROLES), st.lists(HOSTILE, min_size=width, max_size=width))
    def check(role: str, values: list[Any]) -> None:
        client = _client(role)
        cookie = client.get_cookie("_csrf_token")
        resp = client.post(
            "/_dash-update-component",
            data=json.dumps(_body(key, spec, values)),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": cookie.value if cookie else "",
            },
        )
        assert resp.status_code < 500, (role, values, resp.get_data(as_text=True)[-500:])
        if resp.status_code >= 400:
            data = resp.get_json(silent=True) or {}
            assert data.get("message") and data.get("key"), resp.get_data(as_text=True)[:300]

    check()
    assert _rows() == before, f"{key} wrote for garbage"
