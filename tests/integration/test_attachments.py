"""Files attached to timeline steps: sent with a transition (API and panel), stored with
the step in its transaction, listed in the timeline, opened by staff in scope (audited),
refused by content (not by name), too large or badly encoded, with nothing written."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance.attachments import MAX_BYTES, safe_name, sniff
from i18n import t
from tests.conftest import signed_in_client
from tests.integration.test_persons_ui import _post, _raw
from tests.integration.test_workflow import new_incident, state
from tests.integration.test_workflow_ui import act_body

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def files_of(incident_id: int) -> list[Any]:
    with session_scope(admin=True) as s:
        return s.execute(
            text("""SELECT a.id, a.filename, a.content_type, a.size, a.data, e.action
                    FROM incident_attachment a JOIN incident_event e ON e.id = a.event_id
                    WHERE a.incident_id = :i ORDER BY a.id"""),
            {"i": incident_id},
        ).all()


def api_transition(client: Any, iid: int, action: str, **body: Any) -> Any:
    version = state(iid)["version"]
    return client.post(
        f"/api/v1/incidents/{iid}/transitions?lang=zh-CN",
        data=json.dumps({"action": action, "expected_version": version, **body}),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": client.get_cookie("_csrf_token").value,
        },
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, ("image/png", ".png")),
        (b"\xff\xd8\xff\xe0" + b"0" * 20, ("image/jpeg", ".jpg")),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", ("image/webp", ".webp")),
        (PDF, ("application/pdf", ".pdf")),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00", None),
    ],
)
def test_types_are_recognised_by_content(data: bytes, expected: Any) -> None:
    assert sniff(data) == expected


def test_names_lose_paths_and_control_characters_and_get_the_real_extension() -> None:
    assert safe_name("../../etc/passwd", ".png") == "passwd.png"
    assert safe_name("C:\\现场\\整改后.JPG", ".jpg") == "整改后.jpg"
    assert safe_name("a\x00b\nc.exe", ".pdf") == "a_b_c.pdf"
    assert safe_name(None, ".png") == "file.png"
    assert len(safe_name("长" * 300, ".png")) == 120


def test_a_step_with_a_photo_over_the_api_then_staff_open_it() -> None:
    iid = new_incident()
    sup = signed_in_client("supervisor")
    r = api_transition(
        sup,
        iid,
        "verify",
        note="现场核实属实",
        attachment={"filename": "现场.png", "data_base64": b64(PNG)},
    )
    assert r.status_code == 200, r.get_json()
    files = files_of(iid)
    assert [(f.filename, f.content_type, f.size, bytes(f.data), f.action) for f in files] == [
        ("现场.png", "image/png", len(PNG), PNG, "verify")
    ]
    timeline = sup.get(f"/api/v1/incidents/{iid}").get_json()["workflow"]["timeline"]
    assert timeline[-1]["attachments"] == [
        {"id": files[0].id, "filename": "现场.png", "content_type": "image/png", "size": len(PNG)}
    ]
    got = sup.get(f"/api/v1/attachments/{files[0].id}")
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert "no-store" in got.headers["Cache-Control"]
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png" in got.headers["Content-Disposition"]
    with session_scope(admin=True) as s:
        audited = s.execute(
            text("""SELECT username, detail->>'attachment' FROM audit_log
                    WHERE action = 'view_attachment' AND object_id = :i"""),
            {"i": str(iid)},
        ).all()
        change = s.execute(
            text("""SELECT detail->'attachment'->>'size' FROM audit_log
                    WHERE action = 'data_change' AND object_id = :i"""),
            {"i": str(iid)},
        ).scalar_one()
    assert [tuple(a) for a in audited] == [("supervisor", str(files[0].id))]
    assert change == str(len(PNG))


def test_who_may_open_a_file() -> None:
    iid = new_incident()
    sup = signed_in_client("supervisor")
    attachment = {"filename": "form.pdf", "data_base64": b64(PDF)}
    assert api_transition(sup, iid, "verify", attachment=attachment).status_code == 200
    fid = files_of(iid)[0].id
    url = f"/api/v1/attachments/{fid}"
    pdf = signed_in_client("gridworker").get(url)  # the case's grid
    assert pdf.status_code == 200 and pdf.data == PDF
    assert pdf.headers["Content-Disposition"].startswith("attachment;")  # downloads
    assert signed_in_client("commander").get(url).status_code == 200
    assert signed_in_client("dept").get(url).status_code == 200  # departments handle it
    from app import server

    assert server.test_client().get(url).status_code in (401, 302)
    assert signed_in_client("wall").get(url).status_code == 403  # no map, no files
    for role in ("auditor", "admin", "security"):  # 三员: no business data
        assert signed_in_client(role).get(url).status_code == 403
    assert sup.get("/api/v1/attachments/999999999").status_code == 404
    # a grid worker of another grid: as if it did not exist
    with session_scope(admin=True) as s:
        other = s.execute(
            text("""SELECT i.id FROM incident i JOIN area g ON g.id = i.grid_id
                    JOIN app_user u ON u.username = 'gridworker'
                    WHERE i.grid_id <> u.area_id ORDER BY i.id LIMIT 1""")
        ).scalar_one()
        event = s.execute(
            text("SELECT min(id) FROM incident_event WHERE incident_id = :i"), {"i": other}
        ).scalar()
        if event is None:
            event = s.execute(
                text("""INSERT INTO incident_event (incident_id, action, to_status, version)
                        VALUES (:i, 'register', 'registered', 1) RETURNING id"""),
                {"i": other},
            ).scalar_one()
        far = s.execute(
            text("""INSERT INTO incident_attachment
                    (incident_id, event_id, filename, content_type, size, sha256, data)
                    VALUES (:i, :e, 'x.pdf', 'application/pdf', :n, 'x', :d) RETURNING id"""),
            {"i": other, "e": event, "n": len(PDF), "d": PDF},
        ).scalar_one()
    # outside the grid worker's grid: refused and audited like any out-of-scope object
    # (finding 10: it was a 404 without a trace)
    probe = signed_in_client("gridworker").get(f"/api/v1/attachments/{far}")
    assert probe.status_code == 403 and probe.get_json()["key"] == "error.out_of_scope"
    with session_scope(admin=True) as s:
        denied = s.execute(
            text("""SELECT object_id, detail FROM audit_log WHERE action = 'access_denied'
                    AND username = 'gridworker' ORDER BY id DESC LIMIT 1""")
        ).one()
    assert denied.object_id == f"GET /api/v1/attachments/{far}"
    assert denied.detail["key"] == "error.out_of_scope"
    assert signed_in_client("commander").get(f"/api/v1/attachments/{far}").status_code == 200


@pytest.mark.parametrize(
    ("attachment", "key"),
    [
        ({"filename": "a.svg", "data_base64": b64(b"<svg/>")}, "attachment.error.type"),
        ({"filename": "a.png", "data_base64": "@@not base64@@"}, "attachment.error.encoding"),
        ({"filename": "a.png", "data_base64": ""}, "attachment.error.empty"),
        ("a.png", "attachment.error.shape"),
        (
            {"filename": "big.png", "data_base64": b64(PNG + b"0" * MAX_BYTES)},
            "attachment.error.too_large",
        ),
    ],
)
def test_bad_files_refuse_the_step_and_write_nothing(attachment: Any, key: str) -> None:
    iid = new_incident()
    sup = signed_in_client("supervisor")
    before = state(iid)
    r = api_transition(sup, iid, "verify", attachment=attachment)
    assert r.status_code in (400, 413), r.get_json()
    assert r.get_json()["key"] == key
    assert r.get_json()["message"][:4] == t(key, "zh-CN", mb=0, max_mb=10)[:4]  # in Chinese
    assert state(iid) == before and files_of(iid) == []


def test_a_refused_step_keeps_no_file() -> None:
    iid = new_incident()
    dept = signed_in_client("dept")  # may not verify
    r = api_transition(
        dept, iid, "verify", attachment={"filename": "a.png", "data_base64": b64(PNG)}
    )
    assert r.status_code == 403
    stale = signed_in_client("supervisor")
    r = stale.post(
        f"/api/v1/incidents/{iid}/transitions",
        data=json.dumps(
            {
                "action": "verify",
                "expected_version": 7,
                "attachment": {"filename": "a.png", "data_base64": b64(PNG)},
            }
        ),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": stale.get_cookie("_csrf_token").value,
        },
    )
    assert r.status_code == 409
    assert files_of(iid) == [] and state(iid)["version"] == 1


def test_the_panel_sends_a_file_with_the_step_and_lists_it() -> None:
    iid = new_incident()
    sup = signed_in_client("supervisor")
    url = "data:image/png;base64," + b64(PNG)
    done = _raw(_post(sup, act_body(iid, "verify", 1, file=url, filename="整改前.png")))
    assert "已完成" in done
    fid = files_of(iid)[0].id
    assert f"/api/v1/attachments/{fid}" in done and "整改前.png" in done
    bad = _raw(
        _post(
            sup,
            act_body(iid, "reject", 2, file="data:text/html;base64,PGh0bWw+", filename="x.html"),
        )
    )
    assert t("attachment.error.type", "zh-CN") in bad
    assert state(iid)["status"] == "verified" and len(files_of(iid)) == 1
