"""Alerts without a database: the webhook signature as a receiver checks it, the URL
checks against hostile URLs (Hypothesis), the evidence allow-list, the live notice."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import alerts_evidence, live, webhook_sender, webhooks
from governance.errors import InvalidInput

PUBLIC = "93.184.216.34"


def _resolver(table: dict[str, list[str]]) -> webhooks.Resolver:
    def resolve(host: str, _port: int) -> list[str]:
        if host in table:
            return table[host]
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise OSError("unknown host") from None

    return resolve


# ----------------------------------------------------------------------------- signature
def receiver_check(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What the README tells a receiver to do, written independently of the server."""
    ts = headers["X-MinQing-Timestamp"]
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers["X-MinQing-Signature"])


@given(secret=st.text(min_size=1, max_size=60), body=st.binary(max_size=300),
       ts=st.integers(min_value=0, max_value=2**40))  # fmt: skip
def test_the_signature_verifies_on_the_receivers_side(secret: str, body: bytes, ts: int) -> None:
    headers = {"X-MinQing-Timestamp": str(ts),
               "X-MinQing-Signature": webhooks.sign(secret, str(ts), body)}  # fmt: skip
    assert receiver_check(secret, headers, body)
    assert webhooks.verify(secret, str(ts), body, headers["X-MinQing-Signature"], now=ts + 60)
    assert not receiver_check(secret + "x", headers, body)
    assert not receiver_check(secret, headers, body + b"x")
    assert not webhooks.verify(secret, str(ts), body, headers["X-MinQing-Signature"], now=ts + 301)
    other = {**headers, "X-MinQing-Timestamp": str(ts + 1)}
    assert not receiver_check(secret, other, body)


def test_the_payload_has_exactly_the_documented_fields() -> None:
    from datetime import datetime

    row = {"alert_id": 7, "kind": "spike", "area_code": "441502001001001", "category_code": None,
           "created_at": datetime(2026, 12, 6, 9, 0), "evidence": {"observed": 14}}  # fmt: skip
    assert json.loads(webhook_sender.payload(row)) == {
        "id": 7, "kind": "spike", "area_code": "441502001001001", "category": None,
        "created_at": "2026-12-06T09:00:00", "evidence": {"observed": 14},
    }  # fmt: skip


def test_the_back_off_schedule() -> None:
    assert [int(b.total_seconds()) for b in webhook_sender.BACKOFF] == [30, 120, 600, 3600, 21600]
    assert webhook_sender.MAX_ATTEMPTS == 6


# ----------------------------------------------------------------------------- URLs
LOOPBACK_FORMS = [
    "http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://017700000001/",
    "http://0x7f000001/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://127.000.000.001/",
    "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/", "http://evil@127.0.0.1/", "http://user:pass@example.org/",
    "http://example.org@127.0.0.1/", "http://127.0.0.1%2f@example.org/", "http://0/",
    "http://0.0.0.0/", "http://localhost/", "http://LOCALHOST./", "http://[fe80::1%25eth0]/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/",
    "http://172.16.0.1/", "http://100.64.0.1/", "http://224.0.0.1/", "http://[fc00::1]/",
    "http://[2002:7f00:1::]/", "http://255.255.255.255/", "http://198.18.0.1/",
    "file:///etc/passwd", "gopher://example.org/", "javascript:alert(1)", "ftp://example.org/",
    "dict://example.org:11211/", "http:///x", "http://exa mple.org/", "http://example.org\\@127.0.0.1/",
    "HTTP://127.0.0.1/", "http://internal.example/", "http://rebound.example/",
]  # fmt: skip
TABLE = {
    "localhost": ["127.0.0.1", "::1"],
    "localhost.": ["127.0.0.1"],
    "example.org": [PUBLIC],
    "internal.example": ["10.9.8.7"],
    "rebound.example": [PUBLIC, "127.0.0.1"],  # one good address is not enough
    "hooks.example.com": [PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"],
}


@pytest.mark.parametrize("url", LOOPBACK_FORMS)
def test_hostile_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        webhooks.check_url(url, _resolver(TABLE), allow_local=False)


def test_a_public_url_is_accepted_with_the_address_to_connect_to() -> None:
    got = webhooks.check_url("https://hooks.example.com:8443/in?a=1", _resolver(TABLE), False)
    assert got == ("https", "hooks.example.com", 8443, PUBLIC)
    assert webhooks.check_url(f"http://{PUBLIC}/", _resolver(TABLE), False)[3] == PUBLIC


def test_allow_local_allows_loopback_and_nothing_more() -> None:
    resolve = _resolver(TABLE)
    assert (
        webhooks.check_url("http://127.0.0.1:8080/h", resolve, allow_local=True)[3] == "127.0.0.1"
    )
    assert webhooks.check_url("http://[::1]:8080/h", resolve, allow_local=True)[3] == "::1"
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://internal.example/",
                "http://2130706433/", "http://evil@127.0.0.1/"):  # fmt: skip
        with pytest.raises(InvalidInput):
            webhooks.check_url(url, resolve, allow_local=True)


_blocked_v4 = st.one_of(
    st.ip_addresses(v=4, network="127.0.0.0/8"),
    st.ip_addresses(v=4, network="10.0.0.0/8"),
    st.ip_addresses(v=4, network="172.16.0.0/12"),
    st.ip_addresses(v=4, network="192.168.0.0/16"),
    st.ip_addresses(v=4, network="100.64.0.0/10"),
    st.ip_addresses(v=4, network="169.254.0.0/16"),
    st.ip_addresses(v=4, network="224.0.0.0/4"),
    st.ip_addresses(v=4, network="0.0.0.0/8"),
    st.ip_addresses(v=4, network="240.0.0.0/4"),
)
_blocked_v6 = st.one_of(
    st.just(ipaddress.IPv6Address("::1")),
    st.ip_addresses(v=6, network="fc00::/7"),
    st.ip_addresses(v=6, network="fe80::/10"),
    st.ip_addresses(v=6, network="ff00::/8"),
    _blocked_v4.map(lambda a: ipaddress.IPv6Address(f"::ffff:{a}")),
)


def _numeric_forms(ip: ipaddress.IPv4Address) -> list[str]:
    n = int(ip)
    a, b, c, d = (int(x) for x in str(ip).split("."))
    return [str(n), hex(n), oct(n).replace("0o", "0"), f"{a}.{(b << 16) | (c << 8) | d}",
            f"{a}.{b}.{(c << 8) | d}", f"0{a:o}.{b}.{c}.{d}", f"{hex(a)}.{b}.{c}.{d}"]  # fmt: skip


@settings(max_examples=300)
@given(
    ip=_blocked_v4 | _blocked_v6,
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    userinfo=st.sampled_from(["", "evil@", "a:b@", "example.org@"]),
    port=st.sampled_from(["", ":80", ":8080", ":443"]),
    path=st.sampled_from(["", "/", "/hook?x=1", "/#frag"]),
    form=st.integers(min_value=0, max_value=7),
    via_name=st.booleans(),
)
def test_no_internal_address_is_reachable_in_any_spelling(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address, scheme: str, userinfo: str, port: str,
    path: str, form: int, via_name: bool,
) -> None:  # fmt: skip
    table = dict(TABLE)
    if via_name:  # a name that resolves (among others) to the internal address
        host = "hooks.attacker.example"
        table[host] = [PUBLIC, str(ip)]
    elif isinstance(ip, ipaddress.IPv6Address):
        host = f"[{ip}]"
    else:
        forms = [str(ip), *_numeric_forms(ip)]
        host = forms[form % len(forms)]
    url = f"{scheme}://{userinfo}{host}{port}{path}"
    with pytest.raises(InvalidInput):
        webhooks.check_url(url, _resolver(table), allow_local=False)


@given(st.text(max_size=80))
def test_any_text_is_refused_or_a_checked_public_url(raw: str) -> None:
    try:
        scheme, host, port, address = webhooks.check_url(raw, _resolver(TABLE), allow_local=False)
    except InvalidInput:
        return
    assert scheme in ("http", "https") and "@" not in raw and 0 < port < 65536
    assert webhooks.address_allowed(address, False)


# ----------------------------------------------------------------------------- evidence
_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.lists(st.integers() | st.floats() | st.text(max_size=3), max_size=4),
)  # fmt: skip
_keys = st.sampled_from(
    sorted({k for kind in alerts_evidence.ALLOWED.values() for k in kind} | {"name", "phone"})
)


@given(kind=st.sampled_from(alerts_evidence.KINDS),
       evidence=st.dictionaries(_keys | st.text(max_size=8), _values, max_size=8))  # fmt: skip
def test_evidence_is_refused_or_only_allowed_numbers_codes_and_times(
    kind: str, evidence: dict
) -> None:
    try:
        clean = alerts_evidence.check(kind, evidence)
    except InvalidInput as err:
        assert err.key in ("alerts.error.evidence", "alerts.error.kind")
        return
    allowed = alerts_evidence.ALLOWED[kind]
    assert set(clean) <= set(allowed) and set(alerts_evidence.REQUIRED[kind]) <= set(clean)
    for value in clean.values():
        if isinstance(value, int | float):
            assert not isinstance(value, bool) and abs(value) <= alerts_evidence.MAX_NUMBER
        elif isinstance(value, list):
            assert all(isinstance(v, int | float) for v in value)
        else:
            assert isinstance(value, str) and len(value) <= 32
    for lang in ("zh-CN", "en"):
        assert alerts_evidence.render(kind, clean, lang)


def test_rendering_follows_the_readers_language() -> None:
    ev = {"observed": 14, "expected": 3.1, "window_hours": 24,
          "start": "2026-12-05T09:00:00+08:00", "end": "2026-12-06T09:00:00+08:00"}  # fmt: skip
    assert alerts_evidence.render("spike", ev, "en") == (
        "14 incidents in the last 24 h; about 3.1 expected from the baseline. "
        "Period: 2026-12-05 09:00 to 2026-12-06 09:00."
    )
    assert alerts_evidence.render("spike", ev, "zh-CN").startswith("近 24 小时发生 14 件")


# ----------------------------------------------------------------------------- live
def test_an_alert_notice_goes_to_the_scopes_that_cover_its_area() -> None:
    payload = json.dumps({"action": "alert", "alert_id": 3, "kind": "blind_spot",
                          "area": "441502001001001"})  # fmt: skip
    (notice,) = live.enrich([payload])  # no incident named: no query
    assert notice.message(None) == live.sse("alert", {"kind": "blind_spot"})
    assert notice.message("441502001") == live.sse("alert", {"kind": "blind_spot"})
    assert notice.message("441502002") is None
    assert notice.message("441502001", coarse=True) is not None
    # an alert is never taken for an incident, nor merged away with its neighbours
    assert live.coalesce([notice, notice]) == [notice, notice]
    assert live.parse_alert('{"action": "alert", "id": 5}') is None


def test_numpy_numbers_and_datetimes_are_stored_as_plain_json() -> None:
    from datetime import UTC, datetime

    import numpy as np

    clean = alerts_evidence.check(
        "spike",
        {"observed": np.int64(14), "expected": np.float64(3.1), "window_hours": 24,
         "start": datetime(2026, 12, 5, 1, 0, tzinfo=UTC), "series": [np.int32(1), 2.5]},
    )  # fmt: skip
    assert json.loads(json.dumps(clean)) == {
        "observed": 14, "expected": 3.1, "window_hours": 24,
        "start": "2026-12-05T01:00:00+00:00", "series": [1, 2.5],
    }  # fmt: skip
    assert type(clean["observed"]) is int and type(clean["expected"]) is float
    with pytest.raises(InvalidInput):
        alerts_evidence.check("spike", {**clean, "observed": np.int64(-1)})
