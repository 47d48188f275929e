"""Behind N reverse proxies the client's address comes from X-Forwarded-For, trusting
exactly N hops; with no proxy configured the header is ignored (it could be forged)."""

from __future__ import annotations

import pytest
from flask import Flask, request

from web.guard import trust_proxies


def _app(hops: int) -> Flask:
    app = Flask(__name__)

    @app.get("/who")
    def who() -> str:
        return f"{request.remote_addr} {request.scheme}"

    trust_proxies(app, hops)
    return app


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2 http"),  # no proxy trusted: the header is ignored
        (1, "203.0.113.9", "203.0.113.9 https"),  # nginx in front: its header is the client
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9 https"),  # a forged first hop is not
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1 https"),  # two trusted proxies
    ],
)
def test_the_client_address_behind_proxies(hops: int, forwarded: str, expected: str) -> None:
    client = _app(hops).test_client()
    resp = client.get(
        "/who",
        headers={
            "X-Forwarded-For": forwarded,
            "X-Forwarded-Proto": ", ".join(["https"] * max(hops, 1)),  # one per proxy
        },
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert resp.get_data(as_text=True) == expected
