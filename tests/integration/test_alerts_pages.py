"""The alerts screen and the webhook screen through their Dash callbacks, as the browser
calls them: subscribing writes one subscription (inside one's scope only), adding a
webhook shows its secret once and stores it encrypted, an internal URL writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from pages.alerts_ids import AlertsIds as A
from pages.webhooks_ids import WebhooksIds as W
from settings import get_settings
from tests.conftest import signed_in_client
from tests.dash_requests import item
from tests.integration.test_users_page import _spec, post, strings


def _body(first_output: str, trigger: str, values: dict[str, Any]) -> dict[str, Any]:
    spec = _spec(first_output)
    outs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in spec["output"].strip(".").split("...")
    ]

    def dep(d: dict[str, Any]) -> Any:
        if d["id"].startswith("{"):
            return item(d)  # a pattern input with no component: an empty list
        return {
            "id": d["id"],
            "property": d["property"],
            "value": values.get(f"{d['id']}.{d['property']}"),
        }

    return {
        "output": spec["output"],
        "outputs": outs,
        "inputs": [dep(d) for d in spec["inputs"]],
        "state": [dep(d) for d in spec["state"]],
        "changedPropIds": [trigger],
    }  # fmt: skip


def _message(resp: Any, cid: str) -> str:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return " ".join(strings(resp.get_json()["response"][cid]["children"]))


def test_subscribing_through_the_page(session) -> None:
    client = signed_in_client("supervisor")
    street = session.execute(
        text("SELECT a.code FROM app_user u JOIN area a ON a.id = u.area_id "
             "WHERE u.username = 'supervisor'")).scalar_one()  # fmt: skip
    other = session.execute(
        text("SELECT code FROM area WHERE level = 'street' AND code <> :c LIMIT 1"), {"c": street}
    ).scalar_one()

    def subscribe(area: str) -> str:
        values = {f"{A.ADD}.n_clicks": 1, f"{A.KIND}.value": "blind_spot", f"{A.AREA}.value": area}
        return _message(post(client, _body(A.MESSAGE, f"{A.ADD}.n_clicks", values)), A.MESSAGE)

    assert subscribe(other) == "该对象不在您的管辖范围内"
    assert session.execute(text("SELECT count(*) FROM alert_subscription")).scalar_one() == 0
    assert subscribe("") == "已订阅。"
    assert subscribe("") == "已有相同订阅。"
    rows = session.execute(text("SELECT kind, area_prefix FROM alert_subscription")).all()
    assert [tuple(r) for r in rows] == [("blind_spot", street[:9])]


def test_adding_a_webhook_through_the_page(session, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in_client("admin")

    def add(url: str) -> str:
        values = {f"{W.ADD}.n_clicks": 1, f"{W.NAME}.value": "区平台", f"{W.URL}.value": url,
                  f"{W.KINDS}.value": ["spike"], f"{W.AREA}.value": ""}  # fmt: skip
        return _message(post(client, _body(W.MESSAGE, f"{W.ADD}.n_clicks", values)), W.MESSAGE)

    before = session.execute(text("SELECT count(*) FROM webhook_target")).scalar_one()
    assert "本机、内网" in add("http://127.0.0.1:8080/hook")
    assert session.execute(text("SELECT count(*) FROM webhook_target")).scalar_one() == before
    monkeypatch.setenv("MINQING_WEBHOOK_ALLOW_LOCAL", "1")
    get_settings.cache_clear()
    try:
        shown = add("http://127.0.0.1:8080/hook")
    finally:
        monkeypatch.delenv("MINQING_WEBHOOK_ALLOW_LOCAL")
        get_settings.cache_clear()
    secret = shown.rsplit("：", 1)[-1]
    assert secret.startswith("whsec_")
    stored = session.execute(
        text("SELECT secret_enc, kinds FROM webhook_target ORDER BY id DESC LIMIT 1")
    ).one()
    assert secret.encode() not in bytes(stored[0]) and stored[1] == ["spike"]
    listed = client.get("/api/v1/alerts/webhooks").get_json()["items"]
    assert secret not in json.dumps(listed)
