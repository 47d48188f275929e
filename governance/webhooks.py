"""Webhook targets of alerts: which URLs may be called, their secrets, the signature.

A webhook makes the server send requests to an address someone typed, so the address is
checked as an attacker would choose it (server-side request forgery): only ``http`` and
``https``, no user information (``http://evil@127.0.0.1``), no numeric host written in
any form but the canonical one (``http://2130706433/``, ``http://127.1``, ``0x7f.1``,
octal), and the host name is resolved and EVERY address it gives must be a public
unicast address that is not this machine's: loopback, private (RFC 1918, IPv6 ULA),
link-local, CGNAT (100.64/10), multicast, reserved, unspecified and IPv4-mapped or 6to4
forms of those are refused. The sender checks again at each delivery (a name may resolve
elsewhere by then: DNS rebinding) and connects to the very address it checked.
``MINQING_WEBHOOK_ALLOW_LOCAL=1`` allows loopback, and only loopback (tests run a receiver
on 127.0.0.1).

The secret is made here, shown once to the system administrator, and stored encrypted
(AES-256-GCM bound to its row, ``geodata/crypto.py``). Each request carries
``X-MinQing-Timestamp`` and ``X-MinQing-Signature: sha256=<hex HMAC-SHA256 of
timestamp + "." + body>``; :func:`verify` is what a receiver does.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
from collections.abc import Callable, Iterable
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from geodata.crypto import FieldCipher, cipher
from geodata.models_audit import AuditAction
from geodata.queries import webhooks as q
from governance import alerts, audit, inputs
from governance.access import WEBHOOKS_MANAGE, Principal, require
from governance.errors import InvalidInput, NotFound
from settings import get_settings

Resolver = Callable[[str, int], list[str]]
IP = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL: Final = 500
MAX_NAME: Final = 80
SIGNATURE_HEADER: Final = "X-MinQing-Signature"
TIMESTAMP_HEADER: Final = "X-MinQing-Timestamp"
TOLERANCE_SECONDS: Final = 300
_CGNAT: Final = ipaddress.ip_network("100.64.0.0/10")
# a label of a numeric address in some notation: decimal, octal (leading 0) or 0x hex
_NUMERIC_LABEL: Final = re.compile(r"[0-9]*|0[xX][0-9a-fA-F]*")
_OCTET: Final = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD: Final = re.compile(rf"{_OCTET}(\.{_OCTET}){{3}}")
_LABEL: Final = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_LABELS: Final = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?")


class UrlRefused(InvalidInput):
    """The URL may not be called (a translated 400)."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (TCP)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _own_addresses() -> set[str]:
    """Addresses of this machine by its host name (its public address among them)."""
    try:
        return set(system_resolver(socket.gethostname(), 0))
    except OSError:
        return set()


def _unwrap(ip: IP) -> IP:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return ip


def address_allowed(raw: str, allow_local: bool, own: Iterable[str] = ()) -> bool:
    """May a webhook connect to the address ``raw``?"""
    try:
        ip = _unwrap(ipaddress.ip_address(raw.split("%", 1)[0]))
    except ValueError:
        return False
    if ip.is_loopback:
        return allow_local
    if raw in set(own) or str(ip) in set(own):
        return False
    if ip.is_multicast or ip.is_unspecified or ip.is_link_local or ip.is_reserved:
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return bool(ip.is_global) and not ip.is_private


def parse_url(url: object) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL that may be a webhook's, without resolving it."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise UrlRefused("alerts.error.url", max=MAX_URL)
    if inputs.has_control(url) or any(c.isspace() or c == "\\" for c in url):
        raise UrlRefused("alerts.error.url", max=MAX_URL)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused("alerts.error.url", max=MAX_URL) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UrlRefused("alerts.error.url_scheme")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UrlRefused("alerts.error.url_userinfo")
    host = parts.hostname or ""
    if not host:
        raise UrlRefused("alerts.error.url", max=MAX_URL)
    if ":" in host:  # an IPv6 literal
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise UrlRefused("alerts.error.url", max=MAX_URL) from None
        if "%" in host:
            raise UrlRefused("alerts.error.url_address")
    elif not _DOTTED_QUAD.fullmatch(host):
        labels = host.rstrip(".").split(".")
        if all(_NUMERIC_LABEL.fullmatch(label) for label in labels):
            # 127.1, 2130706433, 0177.0.0.1, 0x7f.1: an address in a notation no one types
            raise UrlRefused("alerts.error.url_address")
        if not _HOST_LABELS.fullmatch(host):
            raise UrlRefused("alerts.error.url", max=MAX_URL)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def check_url(
    url: object, resolve: Resolver = system_resolver, allow_local: bool | None = None
) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) of a URL a webhook may call, after
    resolving its host and checking every address; else :class:`UrlRefused`."""
    scheme, host, port = parse_url(url)
    local = get_settings().webhook_allow_local if allow_local is None else allow_local
    try:
        addresses = resolve(host.strip("[]"), port)
    except (OSError, UnicodeError):
        raise UrlRefused("alerts.error.url_resolve", host=host[:60]) from None
    if not addresses:
        raise UrlRefused("alerts.error.url_resolve", host=host[:60])
    own = _own_addresses()
    if not all(address_allowed(a, local, own) for a in addresses):
        raise UrlRefused("alerts.error.url_address")
    return scheme, host, port, addresses[0]


# ----------------------------------------------------------------------------- signing
def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` + hex HMAC of ``timestamp.body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> bool:
    """A receiver's check: the signature matches and the timestamp is within five
    minutes of ``now`` (a replayed old request is refused)."""
    import time

    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    return age <= TOLERANCE_SECONDS and hmac.compare_digest(
        sign(secret, timestamp, body), signature
    )


def _place(target_id: int) -> bytes:
    return FieldCipher.place("webhook_target", "secret_enc", target_id)


def secret_of(target_id: int, secret_enc: bytes | memoryview) -> str:
    """The target's secret in clear (the sender only)."""
    out = cipher().decrypt(secret_enc, _place(target_id))
    assert out is not None
    return out


# ----------------------------------------------------------------------------- targets
def add_target(
    s: Session,
    who: Principal | None,
    *,
    name: object,
    url: object,
    kinds: object,
    area: object = None,
    category: object = None,
    resolve: Resolver = system_resolver,
    client_addr: str | None = None,
) -> dict[str, Any]:
    """A new webhook target; returns ``{id, secret}`` (the only time the secret is shown).
    Refused (nothing written): no permission (403), a URL that may not be called, bad
    kinds, an unknown area or category (400)."""
    who = require(who, WEBHOOKS_MANAGE)
    if (
        not isinstance(name, str)
        or not name.strip()
        or len(name) > MAX_NAME
        or inputs.has_control(name)
    ):
        raise InvalidInput("alerts.error.name", max=MAX_NAME)
    check_url(url, resolve)
    assert isinstance(url, str)
    if not isinstance(kinds, list) or not kinds or any(k not in alerts.KINDS for k in kinds):
        raise InvalidInput(
            "alerts.error.kind", value=str(kinds)[:40], choices=", ".join(alerts.KINDS)
        )
    prefix, _code = alerts.subscription_area(s, who, area)
    cat = alerts.category_code(s, category)
    target_id = q.add_target(
        s,
        name=name.strip(),
        url=url,
        kinds=sorted(set(kinds)),
        prefix=prefix,
        category=cat,
        created_by=who.user_id or None,
    )
    secret = "whsec_" + secrets.token_urlsafe(32)
    enc = cipher().encrypt(secret, _place(target_id))
    assert enc is not None
    q.set_secret(s, target_id, enc)
    detail = {"command": "add", "url": url, "kinds": sorted(set(kinds)), "area": prefix}
    _audit(s, who, target_id, client_addr, detail)
    return {"id": target_id, "secret": secret}


def _audit(
    s: Session, who: Principal, target_id: int, client_addr: str | None, detail: dict[str, Any]
) -> None:
    """One ``data_change`` record of a webhook target, in the change's transaction (never
    the secret)."""
    audit.record(
        s,
        action=AuditAction.DATA_CHANGE,
        user_id=who.user_id or None,
        username=who.username,
        role=who.role,
        object_type="webhook_target",
        object_id=target_id,
        client_addr=client_addr,
        detail=detail,
    )


def disable_target(
    s: Session, who: Principal | None, target_id: object, client_addr: str | None = None
) -> None:
    """Stop sending to a target (its pending deliveries are marked failed)."""
    who = require(who, WEBHOOKS_MANAGE)
    if isinstance(target_id, bool) or not isinstance(target_id, int) or not 0 < target_id < 2**31:
        raise InvalidInput("error.input.integer", field="id")
    if not q.disable_target(s, target_id):
        raise NotFound("alerts.error.no_target")
    _audit(s, who, target_id, client_addr, {"command": "disable"})


def area_choices(s: Session, who: Principal | None, lang: str) -> list[dict[str, str]]:
    """Areas a target may be confined to, for a picker ("" the whole city first)."""
    return alerts.area_options(s, require(who, WEBHOOKS_MANAGE), lang)


def targets(s: Session, who: Principal | None) -> list[dict[str, Any]]:
    """Every target (never a secret) with its deliveries counted."""
    require(who, WEBHOOKS_MANAGE)
    return q.targets(s)


def deliveries(
    s: Session, who: Principal | None, limit: int = 100, status: str | None = None
) -> list[dict[str, Any]]:
    """The latest deliveries and their last attempt."""
    require(who, WEBHOOKS_MANAGE)
    if status not in (None, "pending", "sent", "failed"):
        raise InvalidInput("error.unknown_value", name="status", value=str(status)[:20])
    return q.deliveries(s, max(1, min(int(limit), 1000)), status)
