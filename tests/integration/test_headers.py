"""Headers on every kind of response: nothing with clear text or case details is kept
by a browser or a proxy; HTTPS deployments pin HTTPS."""

from __future__ import annotations

from typing import Any

import pytest

from settings import get_settings
from tests.conftest import signed_in_client

CITY = "114.5,22.5,116.5,23.7"


@pytest.fixture(scope="module")
def commander() -> Any:
    return signed_in_client("commander")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/login",
        "/report",
        "/track/XXXXXXXXXX",
        "/api/v1/categories",
        "/api/v1/incidents/1",
        f"/api/v1/layers/incidents?bbox={CITY}&z=12",
        f"/api/v1/layers/persons?bbox={CITY}&z=12",
        "/api/v1/openapi.json",
        "/export/incidents.csv",
        "/dispatch",
        "/no-such-page",
        "/api/v1/no-such-route",
    ],
)
def test_responses_with_case_details_are_not_stored(commander: Any, url: str) -> None:
    resp = commander.get(url)
    assert resp.headers.get("Cache-Control") == "no-store", (url, resp.status_code)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_and_aggregate_layers_may_be_cached(commander: Any) -> None:
    css = commander.get("/assets/css/minqing.css")
    assert css.status_code == 200 and css.headers.get("Cache-Control") != "no-store"
    areas = commander.get(f"/api/v1/layers/areas?bbox={CITY}&z=9")
    assert areas.headers["Cache-Control"] == "private, max-age=60"


def test_hsts_only_when_cookies_are_secure(anon_client: Any, monkeypatch: Any) -> None:
    assert "Strict-Transport-Security" not in anon_client.get("/login").headers
    monkeypatch.setattr(get_settings(), "cookie_secure", True)
    hsts = anon_client.get("/login").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000
