"""Alerts on PostGIS: publishing fans out by scope, category and kind; a key is stored
once; subscriptions stay inside the subscriber's scope; the routes refuse hostile bodies
with a translated 4xx and write nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from governance import alerts
from governance.access import Principal
from governance.errors import Forbidden, InvalidInput, NotFound
from governance.uow import unit_of_work
from tests.conftest import signed_in_client

SPIKE = {"observed": 14, "expected": 3.1, "window_hours": 24}
BLIND = {"own": 1, "external": 30, "expected": 9.5, "q": 0.002}


def _principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


@pytest.fixture(scope="module")
def places() -> dict[str, Any]:
    """The supervisor's street, a grid in it, a grid of another street, two categories."""
    sup = _principal("supervisor")
    assert sup.scope is not None
    with session_scope(admin=True) as s:
        grid_in = s.execute(
            text("SELECT code FROM area WHERE level = 'grid' AND starts_with(code, :p) "
                 "ORDER BY code LIMIT 1"), {"p": sup.scope}).scalar_one()  # fmt: skip
        grid_out = s.execute(
            text("SELECT code FROM area WHERE level = 'grid' AND NOT starts_with(code, :p) "
                 "ORDER BY code LIMIT 1"), {"p": sup.scope}).scalar_one()  # fmt: skip
        other_street = s.execute(
            text("SELECT code FROM area WHERE level = 'street' AND NOT starts_with(code, :p) "
                 "ORDER BY code LIMIT 1"), {"p": sup.scope}).scalar_one()  # fmt: skip
        cats = s.execute(
            text("SELECT code FROM incident_category WHERE parent_code IS NOT NULL "
                 "ORDER BY code LIMIT 2")).scalars().all()  # fmt: skip
    return {
        "street": sup.area_code,
        "scope": sup.scope,
        "grid_in": grid_in,
        "grid_out": grid_out,
        "other_street": other_street,
        "cat_x": cats[0],
        "cat_y": cats[1],
    }


def _publish(**kw: Any) -> int:
    with unit_of_work() as s:
        return alerts.publish(s, **kw)


def _inbox(who: Principal) -> list[dict[str, Any]]:
    with unit_of_work(who) as s:
        return alerts.inbox(s, who, "en")


def _subscribe(who: Principal, **kw: Any) -> dict[str, Any]:
    with unit_of_work(who) as s:
        return alerts.subscribe(s, who, **kw)


def test_publish_fans_out_by_scope_category_and_kind(places, session) -> None:
    sup, cmd = _principal("supervisor"), _principal("commander")
    _subscribe(sup, kind="spike", area=None, category=None)  # the supervisor's street
    _subscribe(cmd, kind="spike", area=None, category=places["cat_x"])  # the city, one category
    _subscribe(cmd, kind="blind_spot", area=places["other_street"], category=None)
    p = places
    assert _publish(kind="spike", area_code=p["grid_in"], category=p["cat_x"], key="k1",
                    evidence=SPIKE) == 2  # fmt: skip
    assert _publish(kind="spike", area_code=p["grid_in"], category=p["cat_y"], key="k2",
                    evidence=SPIKE) == 1  # fmt: skip
    assert _publish(kind="spike", area_code=p["grid_out"], category=p["cat_y"], key="k3",
                    evidence=SPIKE) == 0  # fmt: skip
    # a blind spot of the supervisor's street: they subscribed to spikes only
    assert _publish(kind="blind_spot", area_code=p["street"], category=None, key="k4",
                    evidence=BLIND) == 0  # fmt: skip
    # below the other street: the commander's blind-spot subscription
    grid_other = session.execute(
        text("SELECT code FROM area WHERE level = 'grid' AND starts_with(code, :p) LIMIT 1"),
        {"p": p["other_street"][:9]},
    ).scalar_one()
    assert _publish(kind="blind_spot", area_code=grid_other, category=p["cat_y"], key="k5",
                    evidence=BLIND) == 1  # fmt: skip
    sup_box, cmd_box = _inbox(sup), _inbox(cmd)
    keys = lambda box: [  # noqa: E731
        session.execute(text("SELECT dedup_key FROM alert WHERE id = :i"), {"i": a["id"]}).scalar()
        for a in box
    ]
    assert keys(sup_box) == ["k2", "k1"]  # newest first
    assert sorted(keys(cmd_box)) == ["k1", "k5"]
    first = sup_box[-1]
    assert not first["read"] and first["words"].startswith("14 incidents in the last 24 h")
    assert first["link"].startswith("/dispatch?area=")
    blind = next(a for a in cmd_box if a["kind"] == "blind_spot")
    assert blind["link"] == f"/crosscheck?area={grid_other}&category={p['cat_y']}"
    with unit_of_work(sup) as s:
        zh = alerts.inbox(s, sup, "zh-CN")
        assert zh[0]["words"].startswith("近 24 小时发生 14 件")
        assert alerts.unread(s, sup) == 2
        assert alerts.mark_read(s, sup, [sup_box[0]["id"]]) == 1
        assert alerts.unread(s, sup) == 1
        assert alerts.mark_read(s, sup, None) == 1
        assert alerts.unread(s, sup) == 0
    assert [a["read"] for a in _inbox(sup)] == [True, True]


def test_a_street_alert_does_not_reach_a_grid_subscriber(places) -> None:
    sup = _principal("supervisor")
    _subscribe(sup, kind="spike", area=places["grid_in"], category=None)
    assert _publish(kind="spike", area_code=places["street"], category=None, key="s1",
                    evidence=SPIKE) == 0  # fmt: skip
    assert _publish(kind="spike", area_code=places["grid_in"], category=None, key="s2",
                    evidence=SPIKE) == 1  # fmt: skip


def test_the_same_key_is_stored_once(places, session) -> None:
    _subscribe(_principal("commander"), kind="spike", area=None, category=None)
    before = session.execute(text("SELECT count(*) FROM alert")).scalar_one()
    args = dict(kind="spike", area_code=places["grid_in"], category=None, evidence=SPIKE)
    assert _publish(key="dup", **args) == 1
    assert _publish(key="dup", **args) == 0
    assert session.execute(text("SELECT count(*) FROM alert")).scalar_one() == before + 1
    inbox_rows = session.execute(
        text("SELECT count(*) FROM alert_inbox i JOIN alert a ON a.id = i.alert_id "
             "WHERE a.dedup_key = 'dup'")).scalar_one()  # fmt: skip
    assert inbox_rows == 1


@pytest.mark.parametrize(
    "evidence",
    [
        {**SPIKE, "note": "张三 13812345678"},  # a key not allowed
        {**SPIKE, "observed": "14"},  # a number as text
        {**SPIKE, "observed": 13812345678},  # a phone number is no count
        {**SPIKE, "start": "13812345678"},  # not a time
        {**SPIKE, "series": [1, 2, "x"]},
        {"observed": 14, "expected": 3.1},  # a required key missing
        {**SPIKE, "expected": float("nan")},
    ],
)
def test_evidence_with_words_or_personal_data_is_refused(places, session, evidence) -> None:
    before = session.execute(text("SELECT count(*) FROM alert")).scalar_one()
    with pytest.raises(InvalidInput):
        _publish(kind="spike", area_code=places["grid_in"], category=None, key="bad",
                 evidence=evidence)  # fmt: skip
    assert session.execute(text("SELECT count(*) FROM alert")).scalar_one() == before


def test_a_grid_code_in_evidence_must_be_an_area_under_the_alert(places) -> None:
    blind = {**BLIND, "grid": places["grid_out"]}
    with pytest.raises(InvalidInput):
        _publish(kind="blind_spot", area_code=places["street"], category=None, key="g1",
                 evidence=blind)  # fmt: skip
    ok = {**BLIND, "grid": places["grid_in"]}
    _publish(kind="blind_spot", area_code=places["street"], category=None, key="g2", evidence=ok)


def test_publish_refuses_unknown_kind_area_or_category(places) -> None:
    for kw in (
        {"kind": "flood", "area_code": places["grid_in"], "category": None},
        {"kind": "spike", "area_code": "999999999999", "category": None},
        {"kind": "spike", "area_code": places["grid_in"], "category": "no_such_category"},
    ):
        with pytest.raises(InvalidInput):
            _publish(key="x", evidence=SPIKE, **kw)


def _subs_count(session, username: str) -> int:  # type: ignore[no-untyped-def]
    return session.execute(
        text("SELECT count(*) FROM alert_subscription s JOIN app_user u ON u.id = s.user_id "
             "WHERE u.username = :u"), {"u": username}).scalar_one()  # fmt: skip


def test_subscribing_outside_ones_scope_is_refused_and_writes_nothing(places, session) -> None:
    sup = _principal("supervisor")
    for area in (places["other_street"], places["grid_out"], places["other_street"][:6]):
        with pytest.raises(Forbidden):
            _subscribe(sup, kind="spike", area=area, category=None)
    with pytest.raises(InvalidInput):
        _subscribe(sup, kind="spike", area=None, category="no_such_category")
    with pytest.raises(InvalidInput):
        _subscribe(sup, kind="earthquake", area=None, category=None)
    with pytest.raises(Forbidden):  # no permission at all
        _subscribe(_principal("gridworker"), kind="spike", area=None, category=None)
    assert _subs_count(session, "supervisor") == 0
    first = _subscribe(sup, kind="spike", area=places["grid_in"], category=places["cat_x"])
    again = _subscribe(sup, kind="spike", area=places["grid_in"], category=places["cat_x"])
    assert first["created"] and not again["created"]
    assert _subs_count(session, "supervisor") == 1
    with pytest.raises(NotFound), unit_of_work(_principal("commander")) as s:
        alerts.unsubscribe(s, _principal("commander"), first["id"])  # not theirs
    with unit_of_work(sup) as s:
        alerts.unsubscribe(s, sup, first["id"])
    assert _subs_count(session, "supervisor") == 0


def _post(client, path: str, body: object, lang: str = "zh-CN"):  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        f"{path}?lang={lang}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )


def test_the_route_refuses_an_area_outside_scope_in_the_readers_language(places, session) -> None:
    client = signed_in_client("supervisor")
    body = {"kind": "spike", "area": places["other_street"]}
    zh = _post(client, "/api/v1/alerts/subscriptions", body)
    en = _post(client, "/api/v1/alerts/subscriptions", body, "en")
    assert zh.status_code == en.status_code == 403
    assert zh.get_json()["key"] == "error.out_of_scope"
    assert zh.get_json()["message"] != en.get_json()["message"]
    unknown = _post(client, "/api/v1/alerts/subscriptions", {"kind": "spike", "category": "zz"})
    assert unknown.status_code == 400 and unknown.get_json()["key"] == "alerts.error.category"
    assert _subs_count(session, "supervisor") == 0
    ok = _post(client, "/api/v1/alerts/subscriptions", {"kind": "spike", "area": places["grid_in"]})
    assert ok.status_code == 201, ok.get_data(as_text=True)
    listed = client.get("/api/v1/alerts/subscriptions").get_json()["items"]
    assert [s["area"] for s in listed] == [places["grid_in"]]
    assert client.get("/api/v1/alerts/unread").get_json() == {"unread": 0}


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_bodies = st.one_of(
    _json,
    st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["spike", "blind_spot", "", "SPIKE"]) | _json,
            "area": st.text(alphabet="0123456789０１x ", max_size=16) | _json,
            "category": st.text(max_size=41) | _json,
            "extra": _json,
        },
    ),
)


@pytest.fixture(scope="module")
def sup_client():  # type: ignore[no-untyped-def]
    return signed_in_client("supervisor")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=_bodies)
def test_hostile_subscription_bodies_get_a_translated_4xx(places, sup_client, body) -> None:
    client = sup_client
    with session_scope(admin=True) as s:
        before = s.execute(text("SELECT count(*) FROM alert_subscription")).scalar_one()
    resp = _post(client, "/api/v1/alerts/subscriptions", body)
    assert resp.status_code in (200, 201, 400, 403, 413), resp.get_data(as_text=True)[:300]
    data = resp.get_json()
    if resp.status_code >= 400:
        assert data["message"] and data["key"]
        with session_scope(admin=True) as s:
            assert s.execute(text("SELECT count(*) FROM alert_subscription")).scalar_one() == before
    for path in ("/api/v1/alerts/read", "/api/v1/alerts/webhooks"):
        other = _post(client, path, body)
        assert other.status_code in (200, 400, 403, 413), (path, other.get_data(as_text=True)[:300])
