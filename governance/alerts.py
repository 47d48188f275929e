"""Alerts: where spike warnings and blind spots go (issue 16, part 4).

The analyses call :func:`publish` in their own unit of work. The alert is stored once
(by its de-duplication key: publishing a key again stores nothing), fanned out to the
inbox of every subscriber whose subscription matches (kind; area: the alert's code lies
under the subscribed area, so a street's subscriber gets the street and everything below
it, a city-wide subscription everything; category: the same, or the subscription names
none), queued for every matching webhook target (sent later by
``governance/webhook_sender.py``, never inside this transaction), and announced with a
``pg_notify`` on the live channel (``{"action": "alert", "alert_id", "kind", "area"}``)
so that open screens refresh their unread count; like the rows, the notification exists
only once the caller commits.

Subscriptions (``ALERTS_SUBSCRIBE``) are confined to the subscriber's area scope. The inbox
renders each alert in the reader's language from its evidence (numbers and codes only,
``governance/alerts_evidence.py``) with a link to the screen to look at.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Final
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from geodata.queries import alerts as q
from geodata.queries import notify
from governance import alerts_evidence, area_codes
from governance.access import ALERTS_SUBSCRIBE, LEVEL_DIGITS, Principal, require, require_area
from governance.errors import Forbidden, InvalidInput, NotFound
from i18n import t

log = logging.getLogger(__name__)

KINDS: Final = alerts_evidence.KINDS
MAX_KEY: Final = 200
MAX_SUBSCRIPTIONS: Final = 100
INBOX_LIMIT: Final = 200
NOTIFY_ACTION: Final = "alert"  # pg_notify(INCIDENT_CHANNEL, {"action": "alert", ...})


def _kind(kind: object) -> str:
    if kind not in KINDS:
        raise InvalidInput("alerts.error.kind", value=str(kind)[:20], choices=", ".join(KINDS))
    return str(kind)


def category_code(s: Session, category: object) -> str | None:
    """An existing category code, None for none; else :class:`InvalidInput`."""
    if category is None or category == "":
        return None
    if not isinstance(category, str) or len(category) > 40 or not q.category_exists(s, category):
        raise InvalidInput("alerts.error.category", value=str(category)[:40])
    return category


def publish(
    s: Session, *, kind: str, area_code: str, category: str | None, key: str, evidence: dict
) -> int:
    """Store an alert, fan it out, queue its webhooks, notify; in the caller's unit of
    work ``s``. Returns the number of inbox rows created (0 for a key published before).

    ``area_code``: the area the alert concerns (a grid, community, street or county, in
    any form :func:`governance.area_codes.resolve` accepts; the city's code for the whole
    city); ``category``: a category code or None; ``key``: the de-duplication key;
    ``evidence``: numbers, short codes and ISO times under the keys ``kind`` allows.

    Raises :class:`InvalidInput` for an unknown kind, area or category, a bad key, or
    evidence that is not allowed (nothing is written then).
    """
    kind = _kind(kind)
    clean = alerts_evidence.check(kind, evidence)
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY or not key.isprintable():
        raise InvalidInput("alerts.error.key", max=MAX_KEY)
    ref = area_codes.resolve(s, area_code)
    if ref is None:
        raise InvalidInput("error.input.required", field="area_code")
    cat = category_code(s, category)
    for k in alerts_evidence.AREA_KEYS & clean.keys():
        named = area_codes.resolve(s, clean[k], k)
        if named is None or named.is_city or not named.code.startswith(ref.prefix or ""):
            raise InvalidInput("alerts.error.evidence", field=k)
    alert_id = q.insert_alert(s, kind=kind, area=ref.code, category=cat, key=key, evidence=clean)
    if alert_id is None:
        return 0
    inboxes = q.fan_out(s, alert_id, kind, ref.code, cat)
    hooks = q.queue_webhooks(s, alert_id, kind, ref.code, cat)
    message = {"action": NOTIFY_ACTION, "alert_id": alert_id, "kind": kind, "area": ref.code}
    notify.incident_changed(s, json.dumps(message))
    log.info("alert %s (%s %s): %d inboxes, %d webhooks", alert_id, kind, ref.code, inboxes, hooks)
    return inboxes


# ----------------------------------------------------------------------------- subscriptions
def subscription_area(s: Session, who: Principal, raw: object) -> tuple[str, str | None]:
    """(prefix, stored code) of the area a subscription (or a webhook target) names,
    inside ``who``'s scope (else :class:`Forbidden`); nothing: their whole scope (the
    city, prefix "", for city-wide roles)."""
    ref = area_codes.resolve(s, raw if raw not in (None, "") else None)
    if ref is None:
        if who.scope is None:
            return "", None
        ref = area_codes.resolve(s, who.area_code)
        assert ref is not None
    if ref.is_city:
        if who.scope is not None:
            raise Forbidden("error.out_of_scope")
        return "", None
    require_area(who, ref.code)
    return ref.code[: LEVEL_DIGITS[ref.level]], ref.code


def subscribe(
    s: Session, who: Principal | None, *, kind: object, area: object, category: object
) -> dict[str, Any]:
    """Subscribe ``who`` to alerts of ``kind`` in ``area`` (None: their whole scope) and
    ``category`` (None: all). Refused: no permission or an area outside their scope (403),
    an unknown kind, area or category (400). Subscribing twice changes nothing."""
    who = require(who, ALERTS_SUBSCRIBE)
    kind_ = _kind(kind)
    prefix, code = subscription_area(s, who, area)
    cat = category_code(s, category)
    if len(q.subscriptions(s, who.user_id)) >= MAX_SUBSCRIPTIONS:
        raise InvalidInput("alerts.error.too_many", max=MAX_SUBSCRIPTIONS)
    new = q.add_subscription(
        s, user_id=who.user_id, kind=kind_, prefix=prefix, area=code, category=cat
    )
    return {"id": new, "created": new is not None, "kind": kind_, "area": code, "category": cat}


def unsubscribe(s: Session, who: Principal | None, sub_id: object) -> None:
    """Remove one of ``who``'s own subscriptions (404 for any other)."""
    who = require(who, ALERTS_SUBSCRIBE)
    if isinstance(sub_id, bool) or not isinstance(sub_id, int) or not 0 < sub_id < 2**31:
        raise InvalidInput("error.input.integer", field="id")
    if not q.delete_subscription(s, who.user_id, sub_id):
        raise NotFound("alerts.error.no_subscription")


def subscriptions(s: Session, who: Principal | None, lang: str | None) -> list[dict[str, Any]]:
    """``who``'s subscriptions, each with its words in ``lang``."""
    who = require(who, ALERTS_SUBSCRIBE)
    out = []
    for r in q.subscriptions(s, who.user_id):
        out.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "area": r["area_code"],
                "category": r["category_code"],
                "label": t(f"alerts.kind.{r['kind']}", lang),
                "area_name": r["area_name"] or area_codes.city_name(lang),
                "category_name": _cat_name(r, lang) or t("alerts.all_categories", lang),
            }
        )
    return out


def categories(s: Session, lang: str | None) -> list[dict[str, str]]:
    """Category options (code and name in ``lang``)."""
    return [{"value": r["code"], "label": _cat_name(r, lang) or r["code"]} for r in q.categories(s)]


def _cat_name(r: dict[str, Any], lang: str | None) -> str | None:
    return r.get("name_en") if lang == "en" else r.get("name_zh")


# ----------------------------------------------------------------------------- inbox
def unread(s: Session, who: Principal | None) -> int:
    """How many of ``who``'s alerts are unread."""
    who = require(who, ALERTS_SUBSCRIBE)
    return q.unread(s, who.user_id)


def link(kind: str, area_code: str, category: str | None) -> str:
    """The screen to look at: the cross-check of the area and category for a blind spot;
    the dispatch board for a spike (cases of the street, to act on)."""
    params = {"area": area_code} | ({"category": category} if category else {})
    if kind == "blind_spot":
        return "/crosscheck?" + urlencode(params)
    return "/dispatch?" + urlencode(params)


def inbox(
    s: Session, who: Principal | None, lang: str | None, limit: int = INBOX_LIMIT
) -> list[dict[str, Any]]:
    """``who``'s alerts, newest first, rendered in ``lang``."""
    who = require(who, ALERTS_SUBSCRIBE)
    out = []
    for r in q.inbox(s, who.user_id, limit):
        out.append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "title": t(f"alerts.kind.{r['kind']}", lang),
                "area": r["area_code"],
                "area_name": r["area_name"] or r["area_code"],
                "category": r["category_code"],
                "category_name": _cat_name(r, lang) or t("alerts.all_categories", lang),
                "words": alerts_evidence.render(r["kind"], r["evidence"], lang),
                "evidence": r["evidence"],
                "created_at": r["created_at"].isoformat(),
                "read": r["read_at"] is not None,
                "link": link(r["kind"], r["area_code"], r["category_code"]),
            }
        )
    return out


def mark_read(s: Session, who: Principal | None, alert_ids: list[int] | None) -> int:
    """Mark ``who``'s alerts read (None: all); how many changed."""
    who = require(who, ALERTS_SUBSCRIBE)
    if alert_ids is not None and not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in alert_ids
    ):
        raise InvalidInput("error.input.integer", field="ids")
    return q.mark_read(s, who.user_id, alert_ids)


def area_choices(s: Session, who: Principal | None, lang: str) -> list[dict[str, str]]:
    """Areas ``who`` may subscribe to, for a picker (``{label, value}``; value "" is their
    whole scope): their area and the counties, streets and communities under it."""
    return area_options(s, require(who, ALERTS_SUBSCRIBE), lang)


def area_options(s: Session, who: Principal, lang: str) -> list[dict[str, str]]:
    """The picker's options for ``who`` (the caller has checked the permission)."""
    indent = {"county": "", "street": "· ", "community": "·· "}
    out = [{"label": t("alerts.whole_scope", lang), "value": ""}]
    for ref in area_codes.listing(s, under=who.area_code, lang=lang):
        if ref.level in indent:
            out.append({"label": f"{indent[ref.level]}{ref.name}", "value": ref.code})
    return area_codes.searchable(out, s)
