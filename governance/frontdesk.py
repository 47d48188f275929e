"""The front-desk form (来电来访登记): reports taken by phone or in person, registered by
grid workers, supervisors and the command centre through the one intake writer.

Each open form carries its own external id (``desk-<uuid>``, made when the form is drawn
and renewed after each registration), so a double click or a resubmit is a replay of the
same ``(grid, external_id)``, never a second incident. The user's area confinement is
intake's (:meth:`governance.intake_write.Actor.from_user`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata.models import IncidentSource
from governance import duplicates, intake
from governance.access import INCIDENT_REGISTER, Principal, require
from governance.filters import LOCAL_TZ
from governance.intake_checks import FieldError, IntakeInvalid
from governance.intake_write import Actor
from i18n import t

FORM_ID = re.compile(r"^desk-[0-9a-f]{32}$")
TIME_FORMAT = "%Y-%m-%d %H:%M"  # the form's text field (intake parses ISO 8601)


def new_form_id() -> str:
    return f"desk-{uuid.uuid4().hex}"


def now_local() -> str:
    return datetime.now(LOCAL_TZ).strftime(TIME_FORMAT)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _point(location: Any) -> tuple[float, float] | None:
    """``{"lon": .., "lat": ..}`` from the form's store, or None."""
    if not isinstance(location, Mapping):
        return None
    lon, lat = location.get("lon"), location.get("lat")
    if isinstance(lon, bool) or isinstance(lat, bool):
        return None
    if not isinstance(lon, int | float) or not isinstance(lat, int | float):
        return None
    return float(lon), float(lat)


def _require_fields(form: Mapping[str, Any], *, description: bool) -> tuple[float, float]:
    """Raise :class:`IntakeInvalid` for each missing required field; the point."""
    errors = []
    if not _text(form.get("category")):
        errors.append(FieldError(0, "category", "desk.error.required", {}))
    if description and not _text(form.get("description")):
        errors.append(FieldError(0, "description", "desk.error.required", {}))
    point = _point(form.get("location"))
    if point is None:
        errors.append(FieldError(0, "location", "desk.error.required", {}))
    if errors:
        raise IntakeInvalid(errors, 1, False)
    assert point is not None
    return point


def _occurred(value: Any) -> datetime:
    try:
        at = datetime.fromisoformat(_text(value))
    except ValueError:
        return datetime.now(LOCAL_TZ)
    return at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ)


def check(s: Session, form: Mapping[str, Any], *, principal: Principal | None) -> dict[str, Any]:
    """Possible duplicates of the report being typed (before it is registered), read in
    the caller's unit of work ``s``."""
    require(principal, INCIDENT_REGISTER)
    lon, lat = _require_fields(form, description=False)
    return duplicates.for_report(
        s,
        _text(form.get("category")),
        lon,
        lat,
        _occurred(form.get("occurred_at")),
        _text(form.get("address")) or None,
        principal=principal,
    )


def register(
    s: Session,
    form: Mapping[str, Any],
    *,
    principal: Principal | None,
    client_addr: str | None = None,
) -> dict[str, Any]:
    """Register the form as one incident of source ``grid`` in the caller's unit of work
    ``s`` (opened with ``principal``); returns the intake view (``id``, ``created``,
    ``replayed``, ``grid`` ...).

    Raises
    ------
    IntakeInvalid
        A required field missing, an invalid field, or a point outside the user's area:
        nothing written. :class:`InvalidInput` for a form without a valid form id.
    """
    user = require(principal, INCIDENT_REGISTER)
    lon, lat = _require_fields(form, description=True)
    form_id = form.get("form_id")
    if not isinstance(form_id, str) or not FORM_ID.match(form_id):
        raise IntakeInvalid([FieldError(0, "external_id", "desk.error.form", {})], 1, False)
    name, phone = _text(form.get("reporter_name")), _text(form.get("reporter_phone"))
    priority = form.get("priority")
    body: dict[str, Any] = {
        "external_id": form_id,
        "category": _text(form.get("category")),
        "occurred_at": _text(form.get("occurred_at")) or now_local(),
        "lon": lon,
        "lat": lat,
        "crs": "wgs84",
        "priority": priority if priority not in ("", None) else None,
        "description": _text(form.get("description")),
        "address": _text(form.get("address")) or None,
        "reporter": ({"name": name or None, "phone": phone or None} if name or phone else None),
    }
    actor = Actor.from_user(user, source=IncidentSource.GRID.value)
    view, _created = intake.create_one(s, body, actor, via="frontdesk", client_addr=client_addr)
    return view


def location_text(point: Mapping[str, float] | None, lang: str) -> str:
    """The chosen point as the form shows it (WGS84, 6 decimals), or "none yet"."""
    if not point:
        return t("desk.location.none", lang)
    return t("desk.location.value", lang, lon=f"{point['lon']:.6f}", lat=f"{point['lat']:.6f}")
