"""Checklist templates: their items, versions, and how a filled checklist is judged.

A template belongs to a site type or a person category (one each). Its items are a list
of dicts, checked by :func:`check_items` whenever a version is written:

* ``key`` (``[a-z0-9_]{1,40}``, unique in the template), ``kind``, ``label_zh``,
  ``label_en``, ``required`` (default true, never for ``photo``: a phone may have no
  camera; a required photo is ``min_photos``);
* ``pass_fail``: the answer is ``pass``, ``fail`` or ``na``;
* ``number``: a number, ``min`` and/or ``max`` (out of them = fail), ``unit``;
* ``choice``: one of ``choices`` (``value``, ``label_zh``, ``label_en``, ``fail``);
* ``text``: free text (never fails; masked where personal data may hide);
* ``photo``: photos sent with the submission for this item (``min_photos``, default 0);
* items that can fail name the case they raise: ``fail_category`` (a leaf category) and
  ``fail_priority`` (1-4, default the category's).

A version is never changed: :func:`publish` writes the next one and makes it current.
A submission is judged and rendered against the version it was filled with
(:func:`judge`, :func:`render`), whatever changed later.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from geodata.queries import patrol_templates as q
from governance import audit
from governance.access import PATROL_PLAN, Principal, require
from governance.errors import InvalidInput, NotFound

KINDS: Final = ("pass_fail", "number", "choice", "text", "photo")
FAILABLE: Final = frozenset({"pass_fail", "number", "choice"})
PASS_FAIL: Final = ("pass", "fail", "na")
MAX_ITEMS: Final = 60
MAX_CHOICES: Final = 20
MAX_LABEL: Final = 120
MAX_TEXT_ANSWER: Final = 1000
MAX_PHOTOS_PER_ITEM: Final = 4
_KEY = re.compile(r"[a-z0-9_]{1,40}")


def _bad(index: int, reason: str) -> InvalidInput:
    return InvalidInput("patrol.error.template_item", index=index + 1, reason=reason)


def _label(item: Mapping[str, Any], name: str, index: int) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_LABEL:
        raise _bad(index, name)
    return value.strip()


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def check_items(items: object, leaf_categories: Sequence[str]) -> list[dict[str, Any]]:
    """The items of a template version, normalised; :class:`InvalidInput` naming the
    first bad item (its number and the field) otherwise."""
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise InvalidInput("patrol.error.template_items", n=MAX_ITEMS)
    out, keys = [], set()
    for i, raw in enumerate(items):
        if not isinstance(raw, Mapping):
            raise _bad(i, "item")
        key, kind = raw.get("key"), raw.get("kind")
        if not isinstance(key, str) or not _KEY.fullmatch(key) or key in keys:
            raise _bad(i, "key")
        if kind not in KINDS:
            raise _bad(i, "kind")
        keys.add(key)
        item: dict[str, Any] = {
            "key": key,
            "kind": kind,
            "label_zh": _label(raw, "label_zh", i),
            "label_en": _label(raw, "label_en", i),
            "required": kind != "photo" and raw.get("required", True) is not False,
        }
        if kind == "number":
            lo, hi = _number(raw.get("min")), _number(raw.get("max"))
            if (raw.get("min") is not None and lo is None) or (
                raw.get("max") is not None and hi is None
            ):
                raise _bad(i, "min/max")
            if lo is not None and hi is not None and lo > hi:
                raise _bad(i, "min/max")
            item |= {"min": lo, "max": hi, "unit": str(raw.get("unit") or "")[:12]}
        elif kind == "choice":
            choices = raw.get("choices")
            if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
                raise _bad(i, "choices")
            seen, normal = set(), []
            for c in choices:
                value = c.get("value") if isinstance(c, Mapping) else None
                if not isinstance(value, str) or not _KEY.fullmatch(value) or value in seen:
                    raise _bad(i, "choices")
                seen.add(value)
                normal.append(
                    {
                        "value": value,
                        "label_zh": _label(c, "label_zh", i),
                        "label_en": _label(c, "label_en", i),
                        "fail": c.get("fail") is True,
                    }
                )
            item["choices"] = normal
        elif kind == "photo":
            n = raw.get("min_photos", 0)
            if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PHOTOS_PER_ITEM:
                raise _bad(i, "min_photos")
            item["min_photos"] = n
        if kind in FAILABLE:
            category = raw.get("fail_category")
            if category not in leaf_categories:
                raise _bad(i, "fail_category")
            priority = raw.get("fail_priority")
            if priority is not None and (
                isinstance(priority, bool) or priority not in (1, 2, 3, 4)
            ):
                raise _bad(i, "fail_priority")
            item |= {"fail_category": category, "fail_priority": priority}
        out.append(item)
    return out


# ----------------------------------------------------------------------------- versions
def create(
    s: Session,
    *,
    code: str,
    subject: str,
    applies_to: str,
    name_zh: str,
    name_en: str,
    items: object,
) -> int:
    """A new template with its first version (the installer's and the demo's path);
    returns its id."""
    normal = check_items(items, q.leaf_categories(s))
    template_id = q.add_template(
        s, code=code, subject=subject, applies_to=applies_to, name_zh=name_zh, name_en=name_en
    )
    q.add_version(s, template_id, 1, normal, None)
    return template_id


def publish(
    s: Session, code: str, items: object, *, principal: Principal, client_addr: str | None = None
) -> dict[str, Any]:
    """Write the next version of template ``code`` and make it current; earlier versions
    stay as they were (submissions name them).

    Raises
    ------
    Forbidden
        Without PATROL_PLAN.
    NotFound
        No such template.
    InvalidInput
        A bad item (:func:`check_items`).
    """
    user = require(principal, PATROL_PLAN)
    tpl = q.template_for_update(s, code)
    if tpl is None:
        raise NotFound("error.not_found", what=f"template {code}")
    normal = check_items(items, q.leaf_categories(s))
    version = tpl["current_version"] + 1
    version_id = q.add_version(s, tpl["id"], version, normal, user.user_id or None)
    q.set_current(s, tpl["id"], version)
    audit.record(
        s,
        action="data_change",
        user_id=user.user_id,
        username=user.username,
        role=user.role,
        client_addr=client_addr,
        object_type="checklist_template",
        object_id=tpl["id"],
        detail={"change": "publish", "code": code, "version": version},
    )
    return {"code": code, "version": version, "version_id": version_id}


def version(s: Session, version_id: int) -> dict[str, Any]:
    """One version: ``id``, ``template_id``, ``code``, ``version``, ``current`` (its
    template's current version number), names and ``items``."""
    row = q.version(s, version_id)
    if row is None:
        raise NotFound("error.not_found", what=f"checklist version {version_id}")
    return row


# ----------------------------------------------------------------------------- judging
@dataclass(frozen=True)
class Judged:
    """A filled checklist, checked against its version."""

    answers: dict[str, Any]  # key -> normalised value (None: not answered / not applicable)
    notes: dict[str, str]
    failed: list[dict[str, Any]]  # the failed items (their template dicts)


def _answer(item: Mapping[str, Any], value: object) -> tuple[Any, bool]:
    """(normalised value, failed?) of one answer; :class:`InvalidInput` if it is not one
    the item accepts."""
    kind, key = item["kind"], item["key"]
    if kind == "pass_fail":
        if value not in PASS_FAIL:
            raise InvalidInput("patrol.error.answer", item=key)
        return value, value == "fail"
    if kind == "number":
        if value is None or value == "na":
            return None, False
        number = _number(value)
        if number is None or abs(number) > 1e12:
            raise InvalidInput("patrol.error.answer", item=key)
        lo, hi = item.get("min"), item.get("max")
        return number, (lo is not None and number < lo) or (hi is not None and number > hi)
    if kind == "choice":
        choice = next((c for c in item["choices"] if c["value"] == value), None)
        if choice is None:
            raise InvalidInput("patrol.error.answer", item=key)
        return value, bool(choice["fail"])
    if kind == "text":
        if value is None:
            return None, False
        if not isinstance(value, str) or len(value) > MAX_TEXT_ANSWER:
            raise InvalidInput("patrol.error.answer", item=key)
        return value.strip() or None, False
    return None, False  # photo: judged by the photos sent for it


def judge(
    items: Sequence[Mapping[str, Any]],
    answers: Mapping[str, Any],
    notes: Mapping[str, str],
    photo_counts: Mapping[str, int],
) -> Judged:
    """Check every answer against its item: unknown keys, a missing required answer, a
    value of the wrong kind and too few photos are refused (:class:`InvalidInput`,
    naming the item); returns the normalised answers and the failed items."""
    by_key = {i["key"]: i for i in items}
    unknown = sorted(set(answers) - set(by_key)) + sorted(set(notes) - set(by_key))
    unknown += sorted(k for k in photo_counts if by_key.get(k, {}).get("kind") != "photo")
    if unknown:
        raise InvalidInput("patrol.error.unknown_item", item=str(unknown[0])[:40])
    out: dict[str, Any] = {}
    failed = []
    for item in items:
        key = item["key"]
        if item["kind"] == "photo":
            if photo_counts.get(key, 0) < item.get("min_photos", 0):
                raise InvalidInput("patrol.error.photo_missing", item=key, n=item["min_photos"])
            continue
        if key not in answers or answers[key] is None:
            if item["required"]:
                raise InvalidInput("patrol.error.required", item=key)
            out[key] = None
            continue
        value, bad = _answer(item, answers[key])
        out[key] = value
        if bad:
            failed.append(dict(item))
    return Judged(out, {k: v for k, v in notes.items() if v}, failed)


def render(
    items: Sequence[Mapping[str, Any]],
    answers: Mapping[str, Any],
    notes: Mapping[str, str],
    lang: str,
) -> list[dict[str, Any]]:
    """The checklist as filled, item by item, in the words of its own version."""
    en = lang == "en"
    rows = []
    for item in items:
        key = item["key"]
        value = answers.get(key)
        shown: Any = value
        failed = False
        if item["kind"] in FAILABLE and value is not None:
            _v, failed = _answer(item, value)
        if item["kind"] == "choice" and value is not None:
            choice = next(c for c in item["choices"] if c["value"] == value)
            shown = choice["label_en" if en else "label_zh"]
        rows.append(
            {
                "key": key,
                "kind": item["kind"],
                "label": item["label_en" if en else "label_zh"],
                "value": shown,
                "unit": item.get("unit") or None,
                "failed": failed,
                "note": notes.get(key),
            }
        )
    return rows
