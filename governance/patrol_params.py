"""The body of ``POST /api/v1/patrol/tasks/{id}/submission``, declared once.

:class:`SubmissionIn` validates the request through :mod:`governance.shapes` and is what
the OpenAPI document shows. What the answers must be (their items, kinds, required
ones, photos) depends on the checklist version named, and is checked against it by
:func:`governance.patrol_templates.judge`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from dataclasses import dataclass
from typing import Annotated, Any, Final

from governance.attachments import sniff
from governance.errors import InvalidInput
from governance.request_model import Body, Query
from governance.shapes import Custom, Instant, Integer, Number, Pattern, Text

MAX_PHOTOS: Final = 8
MAX_PHOTO_BYTES: Final = 3 * 1024 * 1024  # after the phone has shrunk it (~300 KB usually)
MAX_PHOTO_BASE64: Final = (MAX_PHOTO_BYTES * 4) // 3 + 8
MAX_ANSWERS: Final = 60
MAX_NOTE: Final = 500
REASON_MAX: Final = 500
PHOTO_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/webp"})
CLIENT_ID: Final = r"[A-Za-z0-9][A-Za-z0-9_-]{7,63}"
ITEM_KEY: Final = r"[a-z0-9_]{1,40}"


@dataclass(frozen=True)
class Position:
    """What the browser said: WGS84 degrees and the accuracy radius in metres."""

    lon: float
    lat: float
    accuracy_m: float


@dataclass(frozen=True)
class Photo:
    item: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _finite(value: object, lo: float, hi: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and lo <= number <= hi else None


def _position(value: object, _name: str) -> Position | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"lon", "lat", "accuracy_m"}:
        raise InvalidInput("patrol.error.position")
    lon = _finite(value.get("lon"), -180, 180)
    lat = _finite(value.get("lat"), -90, 90)
    accuracy = _finite(value.get("accuracy_m"), 0, 1e7)
    if lon is None or lat is None or accuracy is None:
        raise InvalidInput("patrol.error.position")
    return Position(lon, lat, accuracy)


def _answers(value: object, _name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_ANSWERS:
        raise InvalidInput("patrol.error.answers")
    for key, answer in value.items():
        if not isinstance(answer, str | int | float | type(None)) or (
            isinstance(answer, str) and len(answer) > 1000
        ):
            raise InvalidInput("patrol.error.answer", item=str(key)[:40])
        if isinstance(answer, float) and not math.isfinite(answer):
            raise InvalidInput("patrol.error.answer", item=str(key)[:40])
    return dict(value)


def _notes(value: object, _name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_ANSWERS:
        raise InvalidInput("patrol.error.answers")
    out = {}
    for key, note in value.items():
        if note is None:
            continue
        clean = _NOTE.check(note, "note")
        if clean:
            out[str(key)] = clean
    return out


def _photos(value: object, _name: str) -> list[Photo]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_PHOTOS:
        raise InvalidInput("patrol.error.photos", n=MAX_PHOTOS)
    out = []
    for raw in value:
        if not isinstance(raw, dict) or set(raw) != {"item", "data_base64"}:
            raise InvalidInput("patrol.error.photo")
        item = _ITEM.check(raw["item"], "item")
        data64 = raw["data_base64"]
        if not isinstance(data64, str) or len(data64) > MAX_PHOTO_BASE64:
            raise InvalidInput("patrol.error.photo_size", mb=MAX_PHOTO_BYTES // (1024 * 1024))
        if data64.startswith("data:"):
            data64 = data64.partition(",")[2]
        try:
            data = base64.b64decode(data64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("patrol.error.photo") from None
        kind = sniff(data)
        if not data or kind is None or kind[0] not in PHOTO_TYPES:
            raise InvalidInput("patrol.error.photo")
        out.append(Photo(str(item), kind[0], data))
    return out


_NOTE: Final = Text(max_len=MAX_NOTE, multiline=True, description="A remark on one item.")
_ITEM: Final = Pattern(regex=ITEM_KEY, max_len=40, key="patrol.error.photo_item", required=True)

_POSITION_DOC: Final = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "required": ["lon", "lat", "accuracy_m"],
    "properties": {
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "accuracy_m": {"type": "number", "minimum": 0, "maximum": 1e7},
    },
    "description": "Where the phone was, as its browser gave it (WGS84, never shifted to "
    "GCJ-02), with the accuracy radius in metres; null when the position was denied or "
    "unavailable (then a reason is needed).",
}
_ANSWER_DOC: Final = {
    "anyOf": [
        {"type": "string", "maxLength": 1000},
        {"type": "number"},
        {"type": "null"},
    ]
}


class SubmissionIn(Body):
    """A filled checklist. A retry with the same `client_id` returns the stored
    submission and writes nothing; answers are checked against `template_version_id`."""

    client_id: Annotated[
        str,
        Pattern(
            regex=CLIENT_ID,
            max_len=64,
            key="patrol.error.client_id",
            required=True,
            description="Made by the phone once per filled checklist (a UUID): a resend "
            "of the same checklist carries the same id and is stored once.",
        ),
    ] = None  # type: ignore[assignment]
    template_version_id: Annotated[
        int,
        Integer(
            required=True,
            lo=1,
            hi=2**31 - 1,
            description="The checklist version the form was filled against.",
        ),
    ] = None  # type: ignore[assignment]
    filled_at: Annotated[
        str | None,
        Instant(
            key="patrol.error.filled_at",
            century=True,
            description="When the checklist was completed on the phone (ISO 8601; no zone: "
            "Beijing time); default: now. At most 7 days ago.",
        ),
    ] = None
    answers: Annotated[
        dict[str, Any] | None,
        Custom(
            parse=_answers,
            doc={
                "type": ["object", "null"],
                "maxProperties": MAX_ANSWERS,
                "propertyNames": {"pattern": f"^{ITEM_KEY}$"},
                "additionalProperties": _ANSWER_DOC,
                "description": "Item key -> answer: `pass`/`fail`/`na`, a number, a choice's "
                "value, text; null or absent for an optional item not answered.",
            },
        ),
    ] = None
    notes: Annotated[
        dict[str, str] | None,
        Custom(
            parse=_notes,
            doc={
                "type": ["object", "null"],
                "maxProperties": MAX_ANSWERS,
                "additionalProperties": {"type": ["string", "null"], "maxLength": MAX_NOTE},
                "description": "Item key -> a remark (what is wrong, for a failed item).",
            },
        ),
    ] = None
    position: Annotated[Position | None, Custom(parse=_position, doc=_POSITION_DOC)] = None
    off_site_reason: Annotated[
        str | None,
        Text(
            max_len=REASON_MAX,
            multiline=True,
            description="Needed when the check-in is not on site (no position, too far, too "
            "inaccurate): why.",
        ),
    ] = None
    photos: Annotated[
        list[Photo] | None,
        Custom(
            parse=_photos,
            doc={
                "type": ["array", "null"],
                "maxItems": MAX_PHOTOS,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["item", "data_base64"],
                    "properties": {
                        "item": {"type": "string", "pattern": f"^{ITEM_KEY}$"},
                        "data_base64": {"type": "string", "maxLength": MAX_PHOTO_BASE64},
                    },
                },
                "description": "JPEG, PNG or WebP (by content), at most "
                f"{MAX_PHOTO_BYTES // (1024 * 1024)} MB each, for the checklist's photo items.",
            },
        ),
    ] = None


class ReassignIn(Body):
    """Give a task to another grid worker of the supervisor's area."""

    user_id: Annotated[
        int,
        Integer(required=True, lo=1, hi=2**31 - 1, description="The grid worker's account id."),
    ] = None  # type: ignore[assignment]


class DayQuery(Query):
    """Where the worker is (optional): the visits are ordered as a walk from there."""

    lon: Annotated[
        float | None,
        Number(lo=-180, hi=180, strings=True, keys={"error.input.range": "patrol.error.position"},
               description="The phone's longitude (WGS84)."),
    ] = None  # fmt: skip
    lat: Annotated[
        float | None,
        Number(lo=-90, hi=90, strings=True, keys={"error.input.range": "patrol.error.position"},
               description="The phone's latitude (WGS84)."),
    ] = None  # fmt: skip

    def position(self) -> Position | None:
        """The start of the walk: both coordinates, or none."""
        if self.lon is None or self.lat is None:
            return None
        return Position(self.lon, self.lat, 0.0)
