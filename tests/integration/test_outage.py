"""A database outage under every kind of request: a translated 503, then recovery.

The database is really stopped (a crash: SIGQUIT to the postmaster) under a real
gunicorn, on a cluster of this module's own (``tests/outage_server.py``; the shared test
cluster is never stopped), and started again without restarting the app server. Each
answer during the outage must be a 503 with ``Retry-After``, in the request's language
(zh-CN and en), without a stack trace: JSON for the API and Dash, a page that retries
by itself for a GET and one that says "not saved" for a POST. An open live stream must
end with its ``status {live: false}`` and ``end`` events, not be cut, on the stream
server (after this module's earlier restarts, in file order: its listener lives through
them) and on gunicorn's threads alike. Afterwards the same requests succeed again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from governance.live import LISTEN_WAIT
from i18n import t
from tests.conftest import demo_password
from tests.dash_requests import router_body as router_payload
from tests.integration.test_live import Stream
from tests.outage_server import OutageServer, outage_server

STREAM = "/api/v1/stream"
LANGS = ("zh-CN", "en")
LEAKS = ("Traceback", "psycopg2", "sqlalchemy", "OperationalError", 'File "')
TIMEOUT = 20
LONG_OUTAGE = 8.0  # seconds: the listener's backoff grows past LISTEN_WAIT


@pytest.fixture(scope="module")
def running_server(request: pytest.FixtureRequest) -> Iterator[OutageServer]:
    keep = [False]
    with outage_server(keep_log=keep) as srv:
        yield srv
        keep[0] = bool(request.session.testsfailed)


@pytest.fixture(scope="module")
def threaded_server(request: pytest.FixtureRequest) -> Iterator[OutageServer]:
    """The same with live streams on gunicorn's threads (MINQING_STREAM_SERVER=0)."""
    keep = [False]
    with outage_server(keep_log=keep, stream_server=False) as srv:
        yield srv
        keep[0] = bool(request.session.testsfailed)


@pytest.fixture
def server(running_server: OutageServer) -> Iterator[OutageServer]:
    """The server; whatever the test did, the next one finds the database up."""
    yield running_server
    if not running_server.cluster.running():
        running_server.start_database()


@pytest.fixture(params=["stream server", "threads"])
def stream_host(request: pytest.FixtureRequest) -> Iterator[OutageServer]:
    """The server whose live streams a test opens: the stream server (after this module's
    earlier database restarts, when the tests run in file order), or gunicorn's threads
    (the fallback; its own server and cluster, started when first needed)."""
    name = "running_server" if request.param == "stream server" else "threaded_server"
    srv: OutageServer = request.getfixturevalue(name)
    yield srv
    if not srv.cluster.running():
        srv.start_database()


# ----------------------------------------------------------------------------- clients
def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, page[:400]
    return m.group(1)


def session() -> requests.Session:
    """A client that opens a connection per request. A kept-alive connection races with
    gunicorn closing it after 2 s idle (a database restart takes longer): a request sent
    on it as it closes is reset, which says nothing about the app (a browser sends it
    again on a new connection)."""
    http = requests.Session()
    http.headers["Connection"] = "close"
    return http


def signed_in(base: str, username: str) -> requests.Session:
    http = session()
    token = csrf_of(http.get(base + "/login", timeout=TIMEOUT).text)
    resp = http.post(
        base + "/login",
        data={"username": username, "password": demo_password(username), "csrf_token": token},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert resp.status_code == 302, resp.text[:400]
    return http


@dataclass
class Clients:
    """Everything the requests need, prepared while the database is up."""

    base: str
    commander: requests.Session
    auditor: requests.Session
    resident: requests.Session  # anonymous, with the report form's CSRF token and nonce
    wall: requests.Session  # anonymous, opens the kiosk link (which starts a session)
    report_form: dict[str, str]
    code: str  # a tracking code of a public report
    kiosk_token: str

    def set_lang(self, lang: str) -> None:
        for http in (self.commander, self.auditor, self.resident, self.wall):
            http.cookies.set("minqing_lang", lang)


def post_callback(c: Clients, http: requests.Session, body: dict[str, Any]) -> requests.Response:
    return http.post(
        c.base + "/_dash-update-component",
        data=json.dumps(body),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": http.cookies.get("_csrf_token") or "",
        },
        timeout=TIMEOUT,
    )


def sign_in_post(c: Clients) -> requests.Response:
    """A fresh visitor signs in: the form itself needs no database."""
    http = session()
    http.cookies.set("minqing_lang", c.resident.cookies.get("minqing_lang") or "zh-CN")
    form = http.get(c.base + "/login", timeout=TIMEOUT)
    assert form.status_code == 200
    return http.post(
        c.base + "/login",
        data={
            "username": "supervisor",
            "password": demo_password("supervisor"),
            "csrf_token": csrf_of(form.text),
        },
        headers={"Referer": c.base + "/login"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def report_post(c: Clients) -> requests.Response:
    return c.resident.post(
        c.base + "/report",
        data={**c.report_form, "description": "路灯坏了，晚上很黑", "address": "幸福路 8 号"},
        files={"photo": ("", b"")},
        headers={"Referer": c.base + "/report"},
        timeout=TIMEOUT,
    )


@dataclass(frozen=True)
class Kind:
    """One kind of request: how to send it, and what it answers with the database up."""

    name: str
    send: Callable[[Clients], requests.Response]
    ok: int
    form: str  # "json", "page" (a GET: retries by itself), "post" (not saved) or "health"


def _get(who: str, path: Callable[[Clients], str]) -> Callable[[Clients], requests.Response]:
    def send(c: Clients) -> requests.Response:
        http: requests.Session = getattr(c, who)
        return http.get(c.base + path(c), allow_redirects=False, timeout=TIMEOUT)

    return send


KINDS = [
    Kind("page", _get("commander", lambda c: "/"), 200, "page"),
    Kind("callback", lambda c: post_callback(c, c.commander, router_payload("/")), 200, "json"),
    Kind("api", _get("commander", lambda c: "/api/v1/categories"), 200, "json"),
    Kind("export", _get("commander", lambda c: "/export/incidents.csv"), 200, "page"),
    Kind("audit export", _get("auditor", lambda c: "/audit/export.csv"), 200, "page"),
    Kind("sign-in", sign_in_post, 302, "post"),
    Kind("report form", _get("resident", lambda c: "/report"), 200, "page"),
    Kind("report", report_post, 200, "post"),
    Kind("tracking", _get("resident", lambda c: f"/track/{c.code}"), 200, "page"),
    Kind("kiosk", _get("wall", lambda c: f"/wall/k/{c.kiosk_token}"), 302, "page"),
    Kind("health", _get("resident", lambda c: "/healthz"), 200, "health"),
]


@pytest.fixture(scope="module")
def clients(running_server: OutageServer) -> Clients:
    base = running_server.base
    resident = session()

    def fresh_form() -> dict[str, str]:
        page = resident.get(base + "/report", timeout=TIMEOUT).text
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)
        category = re.search(r'id="report-category".*?<option value="([^"]+)"', page, re.S)
        community = re.search(r'id="report-community".*?<option value="([^"]+)"', page, re.S)
        assert nonce and category and community, page[:800]
        return {
            "csrf_token": csrf_of(page),
            "nonce": nonce.group(1),
            "category": category.group(1),
            "community": community.group(1),
        }

    done = resident.post(
        base + "/report",
        data={**fresh_form(), "description": "小区门口路灯坏了一周"},
        files={"photo": ("", b"")},
        timeout=TIMEOUT,
    )
    code = re.search(r'id="report-code">([A-Z0-9]+)<', done.text)
    assert done.status_code == 200 and code, done.text[:800]
    return Clients(
        base=base,
        commander=signed_in(base, "commander"),
        auditor=signed_in(base, "auditor"),
        resident=resident,
        wall=session(),
        report_form=fresh_form(),
        code=code.group(1),
        kiosk_token=running_server.kiosk_token,
    )


# ----------------------------------------------------------------------------- checks
def outage_problems(kind: Kind, resp: requests.Response, lang: str) -> list[str]:
    """What is wrong with ``resp`` as the answer of ``kind`` during an outage."""
    out = []
    if resp.status_code != 503:
        out.append(f"status {resp.status_code}")
    if not (resp.headers.get("Retry-After") or "").isdigit():
        out.append("no Retry-After")
    body = resp.text
    out += [f"leaks {leak!r}" for leak in LEAKS if leak in body]
    if kind.form == "health":
        return out
    if kind.form == "json":
        data = (
            resp.json()
            if resp.headers.get("Content-Type", "").startswith("application/json")
            else {}
        )
        if data.get("error") != "unavailable" or data.get("message") != t("outage.retrying", lang):
            out.append(f"JSON {body[:200]!r}")
        return out
    if not resp.headers.get("Content-Type", "").startswith("text/html"):
        out.append(f"content type {resp.headers.get('Content-Type')}")
    for key in ("outage.title", "outage.retrying"):
        if t(key, lang) not in body:
            out.append(f"no {key} in {lang}")
    refresh = '<meta http-equiv="refresh"' in body
    if kind.form == "page" and not refresh:
        out.append("a GET page that does not retry by itself")
    if kind.form == "post" and (refresh or t("outage.not_saved", lang) not in body):
        out.append("a POST answered without 'not saved', or replayed")
    return out


def answers(c: Clients) -> dict[str, requests.Response]:
    return {kind.name: kind.send(c) for kind in KINDS}


# ----------------------------------------------------------------------------- the tests
def test_every_kind_of_request_is_a_translated_503_then_works_again(
    server: OutageServer, clients: Clients
) -> None:
    clients.set_lang("zh-CN")
    before = answers(clients)
    assert {n: r.status_code for n, r in before.items()} == {k.name: k.ok for k in KINDS}

    stopped_in = server.stop_database()
    problems: dict[str, list[str]] = {}
    timings: list[float] = []
    for lang in LANGS:
        clients.set_lang(lang)
        for kind in KINDS:
            t0 = time.perf_counter()
            resp = kind.send(clients)
            timings.append(time.perf_counter() - t0)
            if found := outage_problems(kind, resp, lang):
                problems[f"{kind.name} ({lang})"] = found
    assert not problems, problems

    started_in = server.start_database()
    clients.set_lang("zh-CN")
    after = answers(clients)
    assert {n: r.status_code for n, r in after.items()} == {k.name: k.ok for k in KINDS}
    assert "_pages_content" in after["callback"].text
    print(
        f"\noutage: stopped in {stopped_in:.2f} s, {len(timings)} answers of 503 in "
        f"{max(timings) * 1000:.0f} ms at most, restarted in {started_in:.2f} s"
    )


def test_signing_out_works_without_the_database(server: OutageServer) -> None:
    """The browser's session ends even during an outage (it stayed signed in before)."""
    http = signed_in(server.base, "commander")
    token = http.cookies.get("_csrf_token") or ""
    server.stop_database()
    try:
        out = http.post(
            server.base + "/logout",
            data={"csrf_token": token},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert out.status_code == 302 and out.headers["Location"].endswith("/login")
    finally:
        server.start_database()
    after = http.get(server.base + "/api/v1/categories", timeout=TIMEOUT)
    assert after.status_code == 401  # the cookie no longer signs anyone in


def test_an_open_live_stream_ends_with_its_status_event(stream_host: OutageServer) -> None:
    server = stream_host
    # a long outage first, as the module's other restarts are under load (a crash recovery
    # says "starting up" for seconds): the stream server's listener, which lives through
    # it, backs off to 8 s between attempts; a stream opened as soon as the database is
    # back must still be live, and still end when the database goes
    server.stop_database()
    time.sleep(LONG_OUTAGE)
    server.start_database()
    http = signed_in(server.base, "commander")
    resp = http.get(server.base + STREAM, stream=True, timeout=TIMEOUT)
    assert resp.status_code == 200
    stream = Stream(lambda: (resp.iter_content(chunk_size=None), resp.close))
    try:
        assert stream.next("retry")[1] > 0
        # long enough for a "not live" (sent once LISTEN_WAIT passed without LISTEN)
        time.sleep(LISTEN_WAIT + 0.5)
        while not stream.events.empty():  # what came before the outage
            name, data = stream.events.get()
            assert (name, data) != ("status", {"live": False}), "not live before the outage"
        t0 = time.monotonic()
        server.stop_database()
        seen: list[tuple[str, Any]] = []
        while not seen or seen[-1][0] not in ("_closed", "_error"):
            seen.append(stream.next("status", "retry", "end", timeout=15))
        ended_in = time.monotonic() - t0
    finally:
        stream.close()
        resp.close()
    names = [n for n, _ in seen]
    assert seen[-1][0] == "_closed", f"the stream was cut: {seen}"
    assert ("status", {"live": False}) in seen and ("end", {"reason": "unavailable"}) in seen
    assert names.index("status") < names.index("end"), seen
    retry = next(d for n, d in seen if n == "retry")
    assert 5000 <= retry <= 15000, seen
    assert ended_in < 5.0, f"the stream ended {ended_in:.1f} s after the outage began"

    for lang in LANGS:  # reconnecting meanwhile: a translated 503
        again = http.get(
            server.base + STREAM, cookies={"minqing_lang": lang}, stream=True, timeout=TIMEOUT
        )
        assert again.status_code == 503 and again.headers["Retry-After"].isdigit()
        assert again.json()["message"] == t("outage.retrying", lang)
        again.close()

    server.start_database()
    back = http.get(server.base + STREAM, stream=True, timeout=TIMEOUT)
    try:
        assert back.status_code == 200
        first = next(back.iter_content(chunk_size=None)).decode()
        assert first.startswith("retry:")
    finally:
        back.close()
    print(f"\nlive stream ended {ended_in:.2f} s after the database stopped")
