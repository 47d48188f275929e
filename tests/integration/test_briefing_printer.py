"""The briefings screen's warm Chromium (briefings/printer.py): one browser per process
prints every file, is started when the page opens, is started again after a crash, is
closed when idle, and a print that cannot be made is the renderer's translated 503, as
with ``briefings.render.render``; the screen's download is a real PDF.
"""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from briefings import printer
from governance import briefings
from governance.briefing_period import period_for
from governance.errors import Unavailable
from governance.filters import LOCAL_TZ
from tests.conftest import signed_in_client
from tests.dash_requests import router_body
from tests.integration.test_briefing import _post

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="Chromium not installed"
)


@pytest.fixture
def briefing(session: Session) -> Any:
    day = datetime.now(LOCAL_TZ).date() - timedelta(days=1)
    return briefings.build(session, None, period_for("daily", day))


def _wait_for(check: Any, what: str, seconds: float = 60.0) -> None:
    """Poll until ``check()`` (the printer works in its own thread)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"never: {what}")


def test_one_warm_browser_prints_pdf_and_png(briefing: Any) -> None:
    printer.warm()
    pdf = printer.render(briefing, "pdf")
    started = printer.launches()
    png = printer.render(briefing, "png")
    again = printer.render(briefing, "pdf")
    assert pdf.startswith(b"%PDF-") and again.startswith(b"%PDF-")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert printer.launches() == started  # warm prints start no browser
    assert printer.render(briefing, "html").startswith(b"<!DOCTYPE html>")


def test_a_crashed_browser_is_started_again_once(
    briefing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer.render(briefing, "pdf")
    real = printer._Browser.print
    failures = []

    def crash_once(self: Any, document: str, fmt: str) -> bytes:
        if not failures:
            failures.append(fmt)
            raise printer._Crashed("Target page, context or browser has been closed")
        return real(self, document, fmt)

    monkeypatch.setattr(printer._Browser, "print", crash_once)
    started = printer.launches()
    assert printer.render(briefing, "pdf").startswith(b"%PDF-")
    assert failures == ["pdf"] and printer.launches() == started + 1


def test_a_browser_that_keeps_failing_is_a_translated_503(
    briefing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: Any, document: str, fmt: str) -> bytes:
        raise printer._Crashed("crashed")

    with monkeypatch.context() as m:
        m.setattr(printer._Browser, "print", crash)
        with pytest.raises(Unavailable) as err:
            printer.render(briefing, "pdf")
    assert err.value.status == 503
    assert printer.render(briefing, "pdf").startswith(b"%PDF-")  # and it recovers


def test_the_idle_browser_is_closed_and_started_again(
    briefing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setattr(printer, "IDLE_SECONDS", 0.2)
        printer.render(briefing, "pdf")  # the thread waits IDLE_SECONDS for the next print
        closed = printer.idle_closes()
        _wait_for(lambda: printer.idle_closes() > closed, "the idle browser closed")
    started = printer.launches()
    assert printer.render(briefing, "pdf").startswith(b"%PDF-")
    assert printer.launches() == started + 1


def test_the_page_warms_the_printer_and_the_download_is_a_pdf(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warmed: list[bool] = []
    commander = signed_in_client("commander")
    cookie = commander.get_cookie("_csrf_token")
    with monkeypatch.context() as m:
        m.setattr(printer, "warm", lambda: warmed.append(True))
        opened = commander.post(
            "/_dash-update-component",
            json=router_body("/briefings"),
            headers={"X-CSRFToken": cookie.value if cookie else ""},
        )
    assert opened.status_code == 200 and warmed == [True]
    day = (datetime.now(LOCAL_TZ).date() - timedelta(days=1)).isoformat()
    resp = _post(commander, "", "pdf", day)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    data = resp.get_json()["response"]["brief-download"]["data"]
    assert data["filename"].endswith(".pdf") and data["type"] == "application/pdf"
    assert base64.b64decode(data["content"]).startswith(b"%PDF-")
