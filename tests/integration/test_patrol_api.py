"""``/api/v1/patrol`` over HTTP: the day as a walk, a submission and its resend, who may
read what (checklists, submissions, photos: the last audited), and hostile bodies from the
task's own worker (never a 5xx, never a half-write)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from geodata.db import session_scope
from tests.conftest import signed_in_client
from tests.integration.test_patrol import JPEG, _answers, _failable, _task
from tests.integration.test_workflow import _principal


def _post(client: Any, url: str, body: object) -> Any:
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        url,
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )


def _body(task: dict[str, Any], **extra: Any) -> dict[str, Any]:
    photos = [
        {"item": i["key"], "data_base64": base64.b64encode(JPEG).decode()}
        for i in task["items"]
        if i["kind"] == "photo"
    ]
    return {
        "client_id": str(uuid.uuid4()),
        "template_version_id": task["version_id"],
        "answers": _answers(task["items"], extra.pop("fail", None)),
        "position": {"lon": task["lon"], "lat": task["lat"], "accuracy_m": 6},
        "photos": photos,
        **extra,
    }


@pytest.mark.commits
def test_the_day_a_submission_and_its_resend(rolled_back: Any) -> None:
    worker = _principal("gridworker")
    task = _task(worker)
    client = signed_in_client("gridworker")
    try:
        day = client.get(f"/api/v1/patrol/day?lon={task['lon']}&lat={task['lat']}").get_json()
        ids = [t["id"] for t in day["tasks"]]
        assert task["id"] in ids and [t["order"] for t in day["tasks"]] == list(
            range(1, len(ids) + 1)
        )
        assert str(task["version_id"]) in day["checklists"]
        assert "full_name" not in json.dumps(day) and "id_number" not in json.dumps(day)
        body = _body(task, fail=_failable(task))
        url = f"/api/v1/patrol/tasks/{task['id']}/submission"
        first = _post(client, url, body)
        assert first.status_code == 201, first.get_data(as_text=True)
        again = _post(client, url, body)
        assert again.status_code == 200 and again.get_json()["replayed"]
        assert again.get_json()["id"] == first.get_json()["id"]
        other = _post(client, url, {**body, "client_id": str(uuid.uuid4())})
        assert other.status_code == 409 and other.get_json()["key"] == "patrol.error.already_done"
        shown = client.get(f"/api/v1/patrol/submissions/{first.get_json()['id']}").get_json()
        assert shown["cases"] == first.get_json()["cases"]
        assert task["id"] not in [
            t["id"] for t in client.get("/api/v1/patrol/day").get_json()["tasks"]
        ]
    finally:
        with session_scope(admin=True) as s:
            s.execute(text("DELETE FROM patrol_submission WHERE task_id = :t"), {"t": task["id"]})
            s.execute(text("UPDATE patrol_task SET status = 'open', done_at = NULL WHERE id = :t"),
                      {"t": task["id"]})  # fmt: skip


@pytest.mark.commits
def test_who_may_read_what(rolled_back: Any) -> None:
    worker = _principal("gridworker")
    task = _task(worker)
    photo_item = next((i["key"] for i in task["items"] if i["kind"] == "photo"), None)
    client = signed_in_client("gridworker")
    try:
        body = _body(task)
        if photo_item and not body["photos"]:
            body["photos"] = [{"item": photo_item, "data_base64": base64.b64encode(JPEG).decode()}]
        resp = _post(client, f"/api/v1/patrol/tasks/{task['id']}/submission", body)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        sub = resp.get_json()["id"]
        with session_scope(admin=True) as s:
            photo = s.execute(
                text("SELECT id FROM patrol_photo WHERE submission_id = :s"), {"s": sub}
            ).scalar()
        checklist = f"/api/v1/patrol/checklists/{task['version_id']}"
        for user, may in (("gridworker", True), ("supervisor", True), ("commander", True),
                          ("dept", False), ("wall", False), ("admin", False)):  # fmt: skip
            c = signed_in_client(user)
            assert (c.get(checklist).status_code == 200) == may, user
            # the submission: its submitter and the supervisors of its area
            assert (c.get(f"/api/v1/patrol/submissions/{sub}").status_code == 200) == may, user
            if photo is not None:
                r = c.get(f"/api/v1/patrol/photos/{photo}")
                assert (r.status_code == 200) == may, user
                if may:
                    assert (
                        r.mimetype == "image/jpeg"
                        and r.headers["Cache-Control"] == "private, no-store"
                    )
        if photo is not None:
            with session_scope(admin=True) as s:
                opened = s.execute(
                    text("""SELECT count(*) FROM audit_log WHERE action = 'view_attachment'
                            AND object_type = 'patrol_photo' AND object_id = :p"""),
                    {"p": str(photo)},
                ).scalar_one()
            assert opened == 3
        assert client.get("/api/v1/patrol/submissions/999999999").status_code == 404
    finally:
        with session_scope(admin=True) as s:
            s.execute(text("DELETE FROM patrol_submission WHERE task_id = :t"), {"t": task["id"]})
            s.execute(text("UPDATE patrol_task SET status = 'open', done_at = NULL WHERE id = :t"),
                      {"t": task["id"]})  # fmt: skip


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["\ud800", "\x00", "fail", "pass", "na", "9" * 400, "长" * 2000]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@st.composite
def bodies(draw: Any, task: dict[str, Any]) -> Any:
    """A valid body with one to three fields made hostile, or something else entirely."""
    if draw(st.booleans()):
        return draw(st.one_of(HOSTILE, st.lists(HOSTILE, max_size=3)))
    body = _body(task)
    fields = [*body, "position.lon", "position.lat", "answers.x", "photos.0", "filled_at", "extra"]
    for name in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)):
        head, _, tail = name.partition(".")
        if not tail:
            body[head] = draw(HOSTILE)
        elif head == "position" and isinstance(body.get("position"), dict):
            body["position"][tail] = draw(HOSTILE)
        elif head == "answers" and isinstance(body.get("answers"), dict):
            key = draw(st.sampled_from([i["key"] for i in task["items"]] + ["x"]))
            body["answers"][key] = draw(HOSTILE)
        elif head == "photos":
            body["photos"] = [
                {"item": draw(st.text(max_size=5)), "data_base64": draw(st.text(max_size=20))}
            ]
    return body


@pytest.mark.commits
def test_hostile_bodies_from_the_tasks_own_worker(rolled_back: Any) -> None:
    worker = _principal("gridworker")
    task = _task(worker)
    client = signed_in_client("gridworker")
    url = f"/api/v1/patrol/tasks/{task['id']}/submission"

    def counts() -> tuple[int, int]:
        with session_scope(admin=True) as s:
            return tuple(  # type: ignore[return-value]
                s.execute(
                    text("SELECT (SELECT count(*) FROM patrol_submission WHERE task_id = :t), "
                         "(SELECT count(*) FROM incident WHERE source = 'patrol')"),
                    {"t": task["id"]},
                ).one()
            )  # fmt: skip

    @settings(
        max_examples=150,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(body=bodies(task))
    def check(body: Any) -> None:
        before = counts()
        resp = _post(client, url, body)
        assert resp.status_code < 500, resp.get_data(as_text=True)[:300]
        if resp.status_code >= 400:
            out = resp.get_json()
            assert out and out["message"] and out["key"], resp.get_data(as_text=True)[:200]
            assert counts() == before  # nothing half-saved
        else:  # a body that was valid after all: one submission, then clean the slate
            with session_scope(admin=True) as s:
                s.execute(text("DELETE FROM incident WHERE external_id LIKE :p"),
                          {"p": f"patrol-{resp.get_json()['id']}-%"})  # fmt: skip
                s.execute(
                    text("DELETE FROM patrol_submission WHERE task_id = :t"), {"t": task["id"]}
                )
                s.execute(text("UPDATE patrol_task SET status = 'open', done_at = NULL "
                               "WHERE id = :t"), {"t": task["id"]})  # fmt: skip

    try:
        check()
    finally:
        with session_scope(admin=True) as s:
            s.execute(text("DELETE FROM patrol_submission WHERE task_id = :t"), {"t": task["id"]})
            s.execute(text("UPDATE patrol_task SET status = 'open', done_at = NULL WHERE id = :t"),
                      {"t": task["id"]})  # fmt: skip
