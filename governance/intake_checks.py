"""Validation of incident intake items: field by field, every problem listed.

Used by :mod:`governance.intake`; kept apart so that every channel (API, file import,
front-desk form, public page) checks items the same way before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from geodata import crs
from governance import inputs
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.intake_model import (
    FIELDS,
    LIMITS,
    MAX_BODY_BYTES,
    MAX_ITEMS,
    REPORTER_FIELDS,
    REQUIRED,
    ReporterIn,
    shape,
)
from i18n import t

__all__ = ["FIELDS", "LIMITS", "MAX_BODY_BYTES", "MAX_ITEMS", "REQUIRED"]

MAX_REPORTED_ERRORS = 200  # the response lists at most this many item errors
FUTURE_SLACK = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1, tzinfo=LOCAL_TZ)
# The box geodata/crs.py treats as China (where GCJ-02 / BD-09 offsets apply).
CHINA_LON, CHINA_LAT = (72.004, 137.8347), (0.8293, 55.8271)
SWAPPED = "swapped_lat_lon"
BULK_KEYS = frozenset({"items"})  # a bulk body object holds nothing else


# ----------------------------------------------------------------------------- errors
class PayloadTooLarge(InvalidInput):
    """The body, or its number of items, is over the limit (HTTP 413)."""

    status = 413
    code = "payload_too_large"


@dataclass(frozen=True)
class FieldError:
    """One problem of one item: ``field`` is a body field (``reporter.phone``) or
    ``location`` for checks on the point as a whole."""

    index: int
    field: str
    key: str
    params: Mapping[str, object]

    def message(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)


class IntakeInvalid(InvalidInput):
    """Some items are invalid: nothing was written. ``errors`` lists every problem."""

    def __init__(self, errors: list[FieldError], total: int, bulk: bool) -> None:
        key = "intake.error.invalid_items" if bulk else "intake.error.invalid_item"
        super().__init__(key, n=len({e.index for e in errors}), total=total)
        self.errors = errors

    def user_message(self, lang: str | None = None) -> str:
        first = self.errors[0]
        return t(
            self.key,
            lang,
            **self.params,
            index=first.index,
            field=first.field,
            detail=first.message(lang),
        )

    def to_dict(self, lang: str | None = None) -> dict[str, object]:
        out = super().to_dict(lang)
        out["error_count"] = len(self.errors)
        out["errors"] = [
            {"index": e.index, "field": e.field, "key": e.key, "message": e.message(lang)}
            for e in self.errors[:MAX_REPORTED_ERRORS]
        ]
        return out


# ----------------------------------------------------------------------------- validation
@dataclass(slots=True)
class Item:
    """One valid item, located in WGS84."""

    index: int
    external_id: str
    category: str
    occurred_at: datetime
    lon: float
    lat: float
    priority: int
    description: str
    address: str | None
    reporter_name: str | None
    reporter_phone: str | None
    location_flag: str | None


# The normaliser's JSON errors, under intake's keys (the messages API clients know).
_JSON_KEYS = {
    "error.input.json": "intake.error.json",
    "error.input.json_empty": "intake.error.empty_body",
    "error.input.json_encoding": "intake.error.encoding",
}


# Each field's shape, looked up once (checked for every item of a batch).
_SHAPES = {
    **{n: shape(n) for n in FIELDS if n != "reporter"},
    **{f"reporter.{n}": shape(n, ReporterIn) for n in REPORTER_FIELDS},
}


def decode_json(raw: bytes) -> object:
    """The JSON document of a request body (:func:`inputs.read_json`: strict UTF-8, no
    lone surrogate, bounded depth and digits), or :class:`InvalidInput` saying where it
    breaks. ``NaN`` / ``Infinity`` literals parse, so that the coordinate checks can name
    the field they are in."""
    try:
        return inputs.read_json(raw, max_bytes=MAX_BODY_BYTES)
    except inputs.JSONRefused as refused:
        err = refused.error
        raise InvalidInput(_JSON_KEYS.get(err.key, err.key), **err.params) from None


def _in_china(lon: float, lat: float) -> bool:
    return CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


class Checker:
    """Validates the items of one request against the category list and the clock: each
    field through its shape (:mod:`governance.intake_model`), every problem recorded,
    then the checks that need the request's context."""

    def __init__(self, categories: Mapping[str, int], source: str, now: datetime) -> None:
        self.categories = categories  # leaf code -> default priority
        self.source = source
        self.now = now
        self.errors: list[FieldError] = []

    def _err(self, index: int, field: str, key: str, **params: object) -> None:
        self.errors.append(FieldError(index, field, key, params))

    def _field(self, i: int, name: str, value: object, label: str | None = None) -> Any:
        """The field's clean value (None when absent or refused; refusals recorded)."""
        try:
            return _SHAPES[label or name].check(value, name)
        except InvalidInput as err:
            params = {k: v for k, v in err.params.items() if k != "field"}
            self._err(i, label or name, err.key, **params)
            return None

    def _time(self, i: int, value: object) -> datetime | None:
        text_value = self._field(i, "occurred_at", value)
        if text_value is None:
            return None
        try:
            at = datetime.fromisoformat(text_value)
        except ValueError:
            self._err(i, "occurred_at", "intake.field.time_format")
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=LOCAL_TZ)
        if at > self.now + FUTURE_SLACK:
            self._err(i, "occurred_at", "intake.field.time_future")
            return None
        if at < EARLIEST:
            self._err(i, "occurred_at", "intake.field.time_past")
            return None
        return at

    def _location(self, i: int, raw: Mapping[str, Any]) -> tuple[float, float, str | None] | None:
        lon, lat = self._field(i, "lon", raw["lon"]), self._field(i, "lat", raw["lat"])
        before = len(self.errors)
        system = self._field(i, "crs", raw.get("crs")) or "wgs84"
        if lon is None or lat is None or len(self.errors) > before:
            return None
        flag = None
        if not _in_china(lon, lat) and _in_china(lat, lon):
            lon, lat, flag = lat, lon, SWAPPED
        if not -180 <= lon <= 180:
            self._err(i, "lon", "intake.field.lon_range", value=lon)
            return None
        if not -90 <= lat <= 90:
            self._err(i, "lat", "intake.field.lat_range", value=lat)
            return None
        lon, lat = crs.to_wgs84(lon, lat, system)
        return lon, lat, flag

    def _priority(self, i: int, value: object, category: str | None) -> int | None:
        if value is None:
            return self.categories.get(category or "", 3)
        result: int | None = self._field(i, "priority", value)
        return result

    def _reporter(self, i: int, value: object) -> tuple[str | None, str | None]:
        if value is None:
            return None, None
        if not isinstance(value, dict):
            self._err(i, "reporter", "intake.field.reporter")
            return None, None
        extra = sorted(set(value) - set(REPORTER_FIELDS))
        if extra:
            self._err(
                i,
                "reporter",
                "intake.field.unknown",
                value=", ".join(extra)[:80],
                choices=", ".join(REPORTER_FIELDS),
            )
        name = self._field(i, "name", value.get("name"), "reporter.name")
        phone = self._field(i, "phone", value.get("phone"), "reporter.phone")
        return name or None, phone or None

    def item(self, i: int, raw: object) -> Item | None:
        """The valid item, or None after recording its errors."""
        before = len(self.errors)
        if not isinstance(raw, dict):
            self._err(i, "", "intake.field.not_object")
            return None
        if "source" in raw and raw["source"] != self.source:
            self._err(i, "source", "intake.field.source", source=self.source)
        extra = sorted(raw.keys() - set(FIELDS))
        if extra:
            self._err(
                i,
                ", ".join(extra)[:80],
                "intake.field.unknown",
                value=", ".join(extra)[:80],
                choices=", ".join(FIELDS),
            )
        missing = [f for f in REQUIRED if raw.get(f) is None]
        for f in missing:
            self._err(i, f, "intake.field.missing")
        external_id = (
            None if "external_id" in missing else self._field(i, "external_id", raw["external_id"])
        )
        category = None
        if "category" not in missing:
            category = self._field(i, "category", raw["category"])
            if category is not None and category not in self.categories:
                self._err(i, "category", "intake.field.category", value=category[:40])
                category = None
        occurred = None if "occurred_at" in missing else self._time(i, raw["occurred_at"])
        where = None if "lon" in missing or "lat" in missing else self._location(i, raw)
        priority = self._priority(i, raw.get("priority"), category)
        description = self._field(i, "description", raw.get("description"))
        address = self._field(i, "address", raw.get("address"))
        name, phone = self._reporter(i, raw.get("reporter"))
        if len(self.errors) > before:
            return None
        assert external_id and isinstance(category, str) and occurred and where and priority
        return Item(
            index=i,
            external_id=external_id,
            category=category,
            occurred_at=occurred,
            lon=where[0],
            lat=where[1],
            priority=priority,
            description=description or "",
            address=address or None,
            reporter_name=name,
            reporter_phone=phone,
            location_flag=where[2],
        )


def validate_items(
    raws: list[object], categories: Mapping[str, int], source: str, *, bulk: bool
) -> list[Item]:
    """Every item checked; :class:`IntakeInvalid` listing every problem if any."""
    checker = Checker(categories, source, datetime.now(UTC))
    items = [checker.item(i, raw) for i, raw in enumerate(raws)]
    if checker.errors:
        raise IntakeInvalid(checker.errors, len(raws), bulk)
    return [it for it in items if it is not None]


def bulk_items(body: object) -> list[object]:
    """The item list of a bulk body: ``{"items": [...]}`` (nothing else) or a bare JSON
    array."""
    if isinstance(body, dict) and set(body) - BULK_KEYS:
        raise InvalidInput("intake.error.bulk_shape")
    raws = body.get("items") if isinstance(body, dict) else body
    if not isinstance(raws, list):
        raise InvalidInput("intake.error.bulk_shape")
    if not raws:
        raise InvalidInput("intake.error.no_items")
    if len(raws) > MAX_ITEMS:
        raise PayloadTooLarge("intake.error.too_many", n=len(raws), max=MAX_ITEMS)
    return raws
