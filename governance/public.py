"""有事找书记: reports from the public (no sign-in), their tracking page and the
resident's rating after resolution.

A report is written by the one intake writer (:func:`governance.intake_write.write_items`) as
source ``public``, in one transaction with its tracking code and, if any, its photo
(an attachment of the ``register`` step, :mod:`governance.attachments`, which staff see
in the incident panel). The tracking code is derived from a per-form nonce (an HMAC
under the app's secret key), and it is also the incident's ``external_id``: a double
submit of one form is a replay of the same ``(source, external_id)`` and returns the
same code, never a second incident. The code is the only credential of the tracking page and of the rating, so it
carries ~50 bits (10 characters of an alphabet without look-alikes) and the web layer
rate-limits unknown codes.

The tracking page shows the case's category, status, time, grid and community, and the
public steps of its timeline: action labels and times, no staff names, no notes but the
resolution note with personal data masked (``governance/pii.py``: numbers, house numbers,
and the names of the reporter and of the key persons of the case's community, read only
to be masked). Reporter name and phone are never shown here.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata.db import ALL_AREAS, scope_within
from geodata.models import IncidentSource
from geodata.queries import public as q
from geodata.queries import timeline
from governance import attachments, known_names
from governance.errors import InvalidInput, NotFound
from governance.filters import LOCAL_TZ
from governance.intake import list_categories
from governance.intake_checks import IntakeInvalid, validate_items
from governance.intake_write import Actor, leaf_categories, write_items
from governance.workflow import resident_feedback
from i18n import t
from settings import get_settings, secret_key

log = logging.getLogger(__name__)

SOURCE = IncidentSource.PUBLIC.value
PUBLIC_ACTOR = Actor(source=SOURCE, kind="public", name=None, role="resident", username="public")
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
CODE_LENGTH = 10
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}  # by magic bytes
RATINGS = ("satisfied", "basic", "dissatisfied")
RATEABLE = frozenset({"resolved", "closed"})
# Timeline steps a resident sees; internal ones (returns between departments, extension
# requests, reminders, supervision, escalation) stay internal.
PUBLIC_ACTIONS = frozenset(
    {
        "register",
        "verify",
        "reject",
        "merge",
        "dispatch",
        "transfer",
        "accept",
        "start",
        "suspend",
        "resume",
        "resolve",
        "close",
        "fail_verification",
        "reopen",
        "feedback",
    }
)
# intake field -> form field
_FORM_FIELD = {
    "category": "category",
    "description": "description",
    "address": "address",
    "reporter.name": "name",
    "reporter.phone": "phone",
}
_OWN_MESSAGE = {"location": "public.error.coordinates", "category": "public.error.category"}
_LOCK_CLASS = 0x4D51  # "MQ": advisory-lock namespace of ratings


# ----------------------------------------------------------------------------- errors
class ReportInvalid(InvalidInput):
    """The report form has errors (form field -> (message key, params)); nothing written."""

    def __init__(self, errors: Mapping[str, tuple[str, Mapping[str, object]]]) -> None:
        super().__init__("public.error.form", n=len(errors))
        self.errors = dict(errors)

    def messages(self, lang: str | None = None) -> dict[str, str]:
        return {f: t(key, lang, **params) for f, (key, params) in self.errors.items()}


# ----------------------------------------------------------------------------- codes
def new_nonce() -> str:
    """A fresh nonce for one report form."""
    return secrets.token_urlsafe(18)


def tracking_code(nonce: str) -> str:
    """The tracking code of the report filed with ``nonce`` (same nonce, same code)."""
    key = secret_key(get_settings()).encode()
    n = int.from_bytes(hmac.new(key, b"public-report:" + nonce.encode(), hashlib.sha256).digest())
    out = []
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, len(ALPHABET))
        out.append(ALPHABET[r])
    return "".join(out)


def normalize_code(raw: str) -> str | None:
    """A code as typed (any case, spaces, dashes) in canonical form, or None."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    if len(code) != CODE_LENGTH or set(code) - set(ALPHABET):
        return None
    return code


# ----------------------------------------------------------------------------- the form
@dataclass(frozen=True)
class ReportForm:
    """What the report page posts (text as typed; ``photo`` None when no file)."""

    nonce: str = ""
    category: str = ""
    description: str = ""
    community: str = ""
    lon: str = ""
    lat: str = ""
    address: str = ""
    name: str = ""
    phone: str = ""
    photo: bytes | None = None


def form_options(s: Session, lang: str) -> dict[str, Any]:
    """Leaf categories grouped under their parents, and the county > street > community
    choices of the location picker, read in the caller's unit of work ``s``."""
    cats = list_categories(s)
    name = "name_en" if lang == "en" else "name_zh"
    groups = {c["code"]: {"name": c[name], "items": []} for c in cats if not c["leaf"]}
    loose: list[dict[str, str]] = []
    for c in cats:
        if c["leaf"]:
            entry = {"code": c["code"], "name": c[name]}
            parent = groups.get(c["parent"] or "")
            (parent["items"] if parent else loose).append(entry)
    grouped = [g for g in groups.values() if g["items"]]
    if loose:
        grouped.append({"name": t("public.category_other", lang), "items": loose})
    areas = q.area_choices(s)
    by_level: dict[str, list[dict[str, Any]]] = {"county": [], "street": [], "community": []}
    for a in areas:
        by_level[a["level"]].append(a)
    return {"categories": grouped, **by_level}


def _photo_ext(photo: bytes | None, errors: dict[str, tuple[str, Mapping[str, object]]]) -> str:
    if not photo:
        return ""
    if len(photo) > PHOTO_MAX_BYTES:
        errors["photo"] = ("public.error.photo_size", {"mb": PHOTO_MAX_BYTES // 2**20})
        return ""
    ext = next((e for magic, e in PHOTO_TYPES.items() if photo.startswith(magic)), "")
    if not ext:
        errors["photo"] = ("public.error.photo_type", {})
    return ext


def submit_report(s: Session, form: ReportForm, client_addr: str | None = None) -> tuple[str, bool]:
    """File a public report in the caller's unit of work ``s`` (a resident: no principal;
    the report is read and written in every area, the grid is found from the point);
    returns (tracking code, created?). A replay of the same form (same nonce) returns the
    same code and creates nothing.

    Raises
    ------
    ReportInvalid
        Every problem of the form (translated per field); nothing is written (the caller's
        unit rolls back, also a report outside every grid that was already inserted).
    """
    errors: dict[str, tuple[str, Mapping[str, object]]] = {}
    if not NONCE.match(form.nonce):
        errors["form"] = ("public.error.form_expired", {})
    if not form.category.strip():
        errors["category"] = ("public.error.category_required", {})
    if not form.description.strip():
        errors["description"] = ("public.error.description_required", {})
    ext = _photo_ext(form.photo, errors)
    with scope_within(s, ALL_AREAS):
        lon: object = form.lon.strip()
        lat: object = form.lat.strip()
        if not lon and not lat:
            point = q.community_point(s, form.community.strip()) if form.community else None
            if point is None:
                key = "public.error.community" if form.community else "public.error.location"
                errors["location"] = (key, {})
            else:
                lon, lat = point
        elif not lon or not lat:
            errors["location"] = ("public.error.location", {})
        code = tracking_code(form.nonce) if "form" not in errors else "-"
        reporter = {k: v.strip() for k, v in (("name", form.name), ("phone", form.phone))}
        body: dict[str, object] = {
            "external_id": code,
            "category": form.category.strip() or None,
            "occurred_at": datetime.now(LOCAL_TZ).isoformat(),
            "lon": lon if "location" not in errors else 0,
            "lat": lat if "location" not in errors else 0,
            "crs": "wgs84",
            "description": form.description,
            "address": form.address.strip() or None,
            "reporter": {k: v for k, v in reporter.items() if v} or None,
        }
        try:
            items = validate_items([body], leaf_categories(s), SOURCE, bulk=False)
        except IntakeInvalid as err:
            for e in err.errors:
                field = _FORM_FIELD.get(e.field, "location")
                if field in _OWN_MESSAGE:  # worded for residents, not API clients
                    errors.setdefault(field, (_OWN_MESSAGE[field], {}))
                else:
                    errors.setdefault(field, (e.key, dict(e.params)))
        if errors:
            raise ReportInvalid(errors)
        try:
            written = write_items(s, PUBLIC_ACTOR, items, via="public", client_addr=client_addr)
        except IntakeInvalid as err:
            raise ReportInvalid({"location": ("public.error.outside", {})}) from err
        incident_id = written.ids[0]
        if 0 not in written.created:
            return code, False
        if q.grid_of(s, incident_id) is None:  # not ours: roll back, say where we serve
            raise ReportInvalid({"location": ("public.error.outside", {})})
        q.set_tracking_code(s, incident_id, code)
        if form.photo and ext:  # shown to staff in the incident panel's timeline
            photo = attachments.check(f"{t('public.photo_name', 'zh-CN')}{ext}", form.photo)
            attachments.store_on_register(s, incident_id, photo)
    log.info("public report filed: incident %s", incident_id)
    return code, True


# ----------------------------------------------------------------------------- tracking
def _rated_this_round(events: list[dict[str, Any]]) -> bool:
    """Whether a resident has rated since the last resolution."""
    last_resolve = max((e["id"] for e in events if e["action"] == "resolve"), default=0)
    return any(e["action"] == "feedback" and e["id"] > last_resolve for e in events)


def _local(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def tracking_view(s: Session, raw_code: str, lang: str) -> dict[str, Any]:
    """The public view of a case by its tracking code, read in the caller's unit of work
    ``s`` (in every area: the code is the right to see it).

    Raises
    ------
    NotFound
        No case has that code.
    """
    code = normalize_code(raw_code)
    row = None
    with scope_within(s, ALL_AREAS):
        if code:
            row = q.tracked_incident(s, code)
        if row is None:
            raise NotFound("public.error.unknown_code")
        events = timeline.events(s, row["id"])
        names = known_names.load(s, [row["id"]])
    steps = []
    for e in events:
        if e["action"] not in PUBLIC_ACTIONS:
            continue
        note = names.redact(row["id"], e["note"]) if e["action"] == "resolve" else None
        rating = (e["detail"] or {}).get("rating") if e["action"] == "feedback" else None
        steps.append(
            {
                "at": _local(e["at"]),
                "action": e["action"],
                "label": t(f"action.{e['action']}", lang),
                "note": note,
                "rating": t(f"public.rating.{rating}", lang) if rating in RATINGS else None,
            }
        )
    status = row["status"]
    return {
        "code": code,
        "status": status,
        "status_label": t(f"status.{status}", lang),
        "category": row["category_en" if lang == "en" else "category_zh"],
        "reported_at": _local(row["reported_at"]),
        "grid": row["grid_name"],
        "community": row["community_name"],
        "steps": steps,
        "can_rate": status in RATEABLE and not _rated_this_round(events),
    }


def give_feedback(s: Session, raw_code: str, rating: str, comment: str | None) -> dict[str, Any]:
    """A resident's rating of a resolved case (once per resolution round), in the caller's
    unit of work ``s``: satisfied or basically satisfied closes it, dissatisfied reopens
    it. Ratings of one case are serialised across processes by a transaction-level
    advisory lock, held until the caller's unit ends (so a second rating reads the first
    one's event once it is committed).

    Raises
    ------
    NotFound
        Unknown code. :class:`InvalidInput` for an unknown rating, a case that is not
        open for rating, or one already rated since its resolution.
    """
    if rating not in RATINGS:
        raise InvalidInput("error.unknown_rating")
    code = normalize_code(raw_code)
    with scope_within(s, ALL_AREAS):  # the resident has no area scope; the code is the right
        row = q.tracked_incident(s, code) if code else None
        if row is None:
            raise NotFound("public.error.unknown_code")
        q.advisory_xact_lock(s, _LOCK_CLASS, int(row["id"]) % 2**31)
        status = q.tracked_incident(s, code or "")["status"]  # type: ignore[index]
        events = timeline.events(s, row["id"])
    if status not in RATEABLE or _rated_this_round(events):
        raise InvalidInput("public.error.not_rateable")
    return resident_feedback(s, row["id"], rating, comment or None, channel="link")
