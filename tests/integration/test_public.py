"""有事找书记 on the real database: anonymous reports, tracking, ratings, bad input and
the per-address limits (web/public.py, governance/public.py)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import text

from geodata.db import session_scope
from governance.access import Principal
from i18n import t
from tests.integration.test_workflow import transition

NAME, PHONE = "王小明", "13812345678"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# ----------------------------------------------------------------------------- helpers
def principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


def case(code: str) -> dict[str, Any]:
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT i.id, i.status, i.version, i.source, i.external_id, g.code AS grid,
                           r.name_enc, r.phone_enc
                    FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                    LEFT JOIN incident_reporter r ON r.incident_id = i.id
                    WHERE i.tracking_code = :c"""),
            {"c": code},
        ).mappings()
        return dict(row.one())


def public_count() -> int:
    with session_scope(admin=True) as s:
        return int(
            s.execute(text("SELECT count(*) FROM incident WHERE source = 'public'")).scalar_one()
        )


def resolve(code: str, note: str = "已处理完毕") -> None:
    """Move a public case on to ``resolved`` as the demo users would (commander
    verifies and dispatches to the demo department, its staff accept and resolve)."""
    commander, dept = principal("commander"), principal("dept")
    steps = {
        "registered": ("verify", commander, {}),
        "verified": ("dispatch", commander, {"lead_department_id": dept.department_id}),
        "dispatched": ("accept", dept, {}),
        "accepted": ("resolve", dept, {}),
        "in_progress": ("resolve", dept, {}),
    }
    while (row := case(code))["status"] != "resolved":
        action, who, params = steps[row["status"]]
        transition(
            row["id"],
            action,
            expected_version=row["version"],
            principal=who,
            note=note if action == "resolve" else None,
            params=params,
        )


@pytest.fixture(scope="module")
def choices() -> dict[str, str]:
    """A leaf category and a community of the demo city."""
    with session_scope(admin=True) as s:
        category = s.execute(
            text("""SELECT code FROM incident_category c WHERE NOT EXISTS
                    (SELECT 1 FROM incident_category k WHERE k.parent_code = c.code)
                    ORDER BY code LIMIT 1""")
        ).scalar_one()
        community = s.execute(
            text("""SELECT c.code FROM area c WHERE c.level = 'community' AND EXISTS
                    (SELECT 1 FROM area g WHERE g.parent_id = c.id AND g.level = 'grid'
                     AND ST_Covers(g.geom, c.label_point)) ORDER BY c.code LIMIT 1""")
        ).scalar_one()
    return {"category": category, "community": community}


def open_form(client: Any) -> dict[str, str]:
    page = client.get("/report").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert csrf and nonce, page[:500]
    return {"csrf_token": csrf.group(1), "nonce": nonce.group(1)}


def report(client: Any, choices: dict[str, str], **fields: Any) -> Any:
    data: dict[str, Any] = {
        **open_form(client),
        "category": choices["category"],
        "description": "小区门口路灯坏了一周，晚上很黑",
        "community": choices["community"],
        "address": "幸福路 8 号",
        "name": NAME,
        "phone": PHONE,
    }
    data.update(fields)
    return client.post("/report", data=data, content_type="multipart/form-data")


def code_of(resp: Any) -> str:
    m = re.search(r'id="report-code">([A-Z0-9]+)<', resp.get_data(as_text=True))
    assert m, resp.get_data(as_text=True)[:800]
    return m.group(1)


# ----------------------------------------------------------------------------- reports
def test_an_anonymous_report_creates_one_public_incident(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    resp = report(anon_client, choices, photo=(io.BytesIO(PNG), "lamp.png"))
    assert resp.status_code == 200
    code = code_of(resp)
    assert len(code) == 10 and f'href="/track/{code}' in resp.get_data(as_text=True)
    row = case(code)
    assert row["source"] == "public" and row["external_id"] == code
    assert row["status"] == "registered"
    assert row["grid"].startswith(choices["community"])  # placed in the chosen community
    assert row["name_enc"] and row["phone_enc"]  # encrypted, not clear text
    assert NAME.encode() not in bytes(row["name_enc"])
    assert PHONE.encode() not in bytes(row["phone_enc"])
    with session_scope(admin=True) as s:
        detail = s.execute(
            text("""SELECT detail FROM incident_event
                    WHERE incident_id = :id AND action = 'register'"""),
            {"id": row["id"]},
        ).scalar_one()
        files = s.execute(
            text("""SELECT a.filename, a.content_type, a.data FROM incident_attachment a
                    JOIN incident_event e ON e.id = a.event_id
                    WHERE a.incident_id = :id AND e.action = 'register'"""),
            {"id": row["id"]},
        ).all()
    assert detail["via"] == "public"
    # the photo is stored with the report, in the database, for staff to see
    assert [(f.filename, f.content_type, bytes(f.data)) for f in files] == [
        ("居民照片.png", "image/png", PNG)
    ]
    page = anon_client.get(f"/track/{code}").get_data(as_text=True)
    assert t("status.registered") in page
    for secret in (NAME, PHONE, PHONE[-4:], "幸福路", "居民照片"):
        assert secret not in page


def test_geolocation_wins_and_bad_coordinates_are_refused(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    with session_scope(admin=True) as s:
        lon, lat, grid = s.execute(
            text("""SELECT ST_X(label_point), ST_Y(label_point), code FROM area
                    WHERE level = 'grid' ORDER BY code DESC LIMIT 1""")
        ).one()
    code = code_of(report(anon_client, choices, lon=f"{lon:.7f}", lat=f"{lat:.7f}"))
    assert case(code)["grid"] == grid
    before = public_count()
    for bad in ({"lon": "abc", "lat": "23"}, {"lon": "115.3", "lat": "95"}, {"lon": "115.3"}):
        resp = report(anon_client, choices, **bad)
        assert resp.status_code == 400
        page = resp.get_data(as_text=True)
        assert 'id="report-error-location"' in page, bad
        assert t("public.error.coordinates") in page or t("public.error.location") in page
    resp = report(anon_client, choices, lon="2.35", lat="48.85")  # Paris
    assert resp.status_code == 400 and t("public.error.outside") in resp.get_data(as_text=True)
    assert public_count() == before


def test_a_double_submit_returns_the_same_code(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    form = open_form(anon_client)
    first = report(anon_client, choices, **form)
    before = public_count()
    second = report(anon_client, choices, **form)
    assert second.status_code == 200 and code_of(second) == code_of(first)
    assert public_count() == before


@pytest.mark.parametrize(
    ("fields", "field", "key"),
    [
        ({"description": "  "}, "description", "public.error.description_required"),
        ({"description": "长" * 2001}, "description", "intake.field.too_long"),
        ({"category": "no_such_category"}, "category", "public.error.category"),
        ({"category": ""}, "category", "public.error.category_required"),
        ({"community": ""}, "location", "public.error.location"),
        ({"community": "999999999999"}, "location", "public.error.community"),
        ({"phone": "call me"}, "phone", "intake.field.phone"),
        ({"nonce": "x"}, "form", "public.error.form_expired"),
        (
            {"photo": (io.BytesIO(b"GIF89a" + b"\x00" * 40), "a.png")},
            "photo",
            "public.error.photo_type",
        ),
        (
            {"photo": (io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (5 * 2**20)), "big.jpg")},
            "photo",
            "public.error.photo_size",
        ),
    ],
)
def test_bad_input_is_refused_in_words_and_writes_nothing(
    anon_client,  # type: ignore[no-untyped-def]
    choices,
    fields: dict[str, Any],
    field: str,
    key: str,
) -> None:
    before = public_count()
    resp = report(anon_client, choices, **fields)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    m = re.search(rf'id="report-error-{field}">([^<]+)<', page)
    assert m, page[:1500]
    assert m.group(1) == str(escape(t(key, "zh-CN", max=2000, n=2001, mb=5)))
    assert public_count() == before
    assert "小区门口路灯" in page or field == "description"  # what was typed is kept


def test_english_messages(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    anon_client.set_cookie("minqing_lang", "en")
    resp = report(anon_client, choices, description="")
    assert t("public.error.description_required", "en") in resp.get_data(as_text=True)
    anon_client.delete_cookie("minqing_lang")


def test_reports_are_rate_limited_per_address(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    from web.public import REPORTS

    before = public_count()
    for _ in range(REPORTS.hits):
        assert report(anon_client, choices).status_code == 200
    resp = report(anon_client, choices)
    assert resp.status_code == 429
    assert t("public.error.too_many_reports", minutes=10) in resp.get_data(as_text=True)
    assert public_count() == before + REPORTS.hits
    assert resp.headers["Retry-After"] == str(REPORTS.seconds)


def test_anonymous_posts_need_the_csrf_token(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    form = open_form(anon_client)
    resp = anon_client.post("/report", data={"nonce": form["nonce"], "description": "x", **choices})
    assert resp.status_code == 403


# ----------------------------------------------------------------------------- tracking
def test_tracking_shows_public_steps_only(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    code = code_of(report(anon_client, choices))
    resolve(code, note="已更换路灯，如有问题请联系 13900001111")
    page = anon_client.get(f"/track/{code.lower()}").get_data(as_text=True)
    assert t("status.resolved") in page and t("action.dispatch") in page
    assert "139****1111" in page and "13900001111" not in page
    with session_scope(admin=True) as s:
        names = s.execute(
            text("SELECT display_name FROM app_user WHERE username IN ('commander', 'dept')")
        ).scalars()
        for name in names:
            assert name not in page
    assert 'id="track-feedback-form"' in page


def test_unknown_codes_are_404_and_guessing_is_limited(anon_client) -> None:  # type: ignore[no-untyped-def]
    from web.public import MISSES

    resp = anon_client.get("/track/ABCDEFGHJK")
    assert resp.status_code == 404
    assert t("public.error.unknown_code") in resp.get_data(as_text=True)
    for i in range(MISSES.hits):
        anon_client.get(f"/track/nonsense{i}")
    resp = anon_client.get("/track/ABCDEFGHJK")
    assert resp.status_code == 429
    assert t("public.error.too_many_lookups", minutes=10) in resp.get_data(as_text=True)


# ----------------------------------------------------------------------------- feedback
def rate(client: Any, code: str, rating: str, comment: str = "") -> Any:
    client.get(f"/track/{code}")
    with client.session_transaction() as sess:  # the form's token (absent when not rateable)
        token = sess["csrf"]
    return client.post(
        f"/track/{code}/feedback",
        data={"csrf_token": token, "rating": rating, "comment": comment},
    )


def test_dissatisfied_reopens_and_satisfied_closes(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    code = code_of(report(anon_client, choices))
    resp = rate(anon_client, code, "satisfied")  # not resolved yet
    assert resp.status_code == 400
    assert t("public.error.not_rateable") in resp.get_data(as_text=True)
    assert case(code)["status"] == "registered"

    resolve(code)
    resp = rate(anon_client, code, "dissatisfied", "路灯还是不亮")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/track/{code}?rated=1")
    assert case(code)["status"] == "in_progress"
    page = anon_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="track-reopened"' in page and 'id="track-feedback-form"' not in page
    assert rate(anon_client, code, "satisfied").status_code == 400  # one rating per round

    resolve(code)
    assert rate(anon_client, code, "bogus").status_code == 400
    assert rate(anon_client, code, "satisfied").status_code == 303
    assert case(code)["status"] == "closed"
    page = anon_client.get(f"/track/{code}").get_data(as_text=True)
    assert 'id="track-feedback-form"' not in page and t("public.rating.satisfied") in page
    resp = rate(anon_client, code, "satisfied")
    assert resp.status_code == 400 and case(code)["status"] == "closed"


def test_a_case_closed_by_staff_may_still_be_rated_once(anon_client, choices) -> None:  # type: ignore[no-untyped-def]
    code = code_of(report(anon_client, choices))
    resolve(code)
    row = case(code)
    transition(
        row["id"], "close", expected_version=row["version"], principal=principal("commander")
    )
    assert rate(anon_client, code, "basic").status_code == 303
    assert case(code)["status"] == "evaluated"
    assert rate(anon_client, code, "basic").status_code == 400


def test_feedback_on_an_unknown_code_is_404(anon_client) -> None:  # type: ignore[no-untyped-def]
    anon_client.get("/report")  # a session with a CSRF token
    with anon_client.session_transaction() as sess:
        token = sess["csrf"]
    resp = anon_client.post(
        "/track/ABCDEFGHJK/feedback", data={"csrf_token": token, "rating": "satisfied"}
    )
    assert resp.status_code == 404
