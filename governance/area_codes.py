"""Area codes as people type them: one resolver for every command and page taking an area.

Codes nest by prefix length (county 6 digits, street/town 9, community 12, grid 15:
:data:`governance.access.LEVEL_DIGITS`), but the ``area`` table stores them in the
12-digit form of 统计用区划代码 (county 441502 as 441502000000, street 441502001 as
441502001000) and grids in 15 digits. People copy codes off maps and official lists in
either form, and also the city's own code (441500, or 441500000000), although the city
is not a row: "the whole city" is expressed as no area. So one function decides what a
typed code names, and every command, page and export calls it instead of comparing
strings with ``area.code``, which made ``--area 441500`` "no such area" in one place and
a county's 6-digit code valid in another.

Accepted, after surrounding spaces are stripped and full-width digits folded to ASCII
(what a Chinese input method types):

* a code in its own length (6, 9, 12 or 15 digits), or padded with zeros to a longer
  standard length (441502 = 441502000 = 441502000000; 441502001 = 441502001000; a
  community padded to 15 digits names the community, since no grid has serial 000);
* the city's code in any such form: :func:`city_code` (``MINQING_CITY_CODE``, else the
  counties' shared first four digits followed by 00, the GB/T 2260 rule).

Anything else is :class:`~governance.errors.InvalidInput` with a translated message that
says which codes exist. The value echoed in it is cut and stripped of unprintable
characters, so a hostile string never reaches a page or a log whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from geodata.models import Area, Role
from geodata.queries import areas as q
from geodata.queries import briefing as briefing_q
from geodata.queries import users
from governance import inputs
from governance.access import LEVEL_DIGITS
from governance.errors import InvalidInput
from i18n import t

CITY: Final = "city"  # the level of the city, which is not a row of ``area``
LENGTHS: Final = (6, 9, 12, 15)  # the standard code lengths (county .. grid)
MAX_TYPED: Final = 40  # more than any code with spaces around it; longer is refused
MAX_SHOWN: Final = 20  # characters of a bad value repeated in the message
_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGITS: Final = re.compile(r"[0-9]+")
# Roles whose scope must be an area, and the message when the city's code is given.
_CITY_REFUSED: Final = {
    Role.SUPERVISOR.value: "areas.error.city_for_supervisor",
    Role.GRID_WORKER.value: "areas.error.city_for_grid_worker",
}


@dataclass(frozen=True)
class AreaRef:
    """What a typed code names: an area of the hierarchy, or the whole city."""

    code: str  # as stored (12 digits, grids 15); the city: its 6-digit code
    name: str
    level: str  # county, street, community, grid; CITY for the city
    id: int | None = None  # None: the whole city (not a row)
    parent_code: str | None = None  # as stored; None for counties and the city

    @property
    def is_city(self) -> bool:
        """Does it name the whole city (no area)?"""
        return self.id is None

    @property
    def short(self) -> str:
        """The code in its own length: 441502 (county), 441502001 (street), ..."""
        return self.code if self.is_city else self.code[: LEVEL_DIGITS[self.level]]

    @property
    def prefix(self) -> str | None:
        """The code prefix of its subtree, as scopes and filters use it; None: the city."""
        return None if self.is_city else self.short


# ----------------------------------------------------------------------------- the city
def city_code(session: Session) -> str | None:
    """The city's 6-digit code: ``MINQING_CITY_CODE``, else the first four digits the
    counties share followed by 00 (None: no county, or counties of several cities)."""
    from settings import get_settings

    configured = get_settings().city_code
    if configured:
        return configured
    prefixes = q.county_prefixes(session)
    return f"{prefixes[0]}00" if len(prefixes) == 1 else None


def city_name(lang: str | None = None) -> str:
    """The city's name: ``MINQING_CITY_NAME``, else "全市" / "Whole city"."""
    from settings import get_settings

    return get_settings().city_name or t("areas.city", lang)


def city(session: Session, lang: str | None = None) -> AreaRef | None:
    """The whole city as an :class:`AreaRef` (None: its code is unknown)."""
    code = city_code(session)
    return AreaRef(code=code, name=city_name(lang), level=CITY) if code else None


# ----------------------------------------------------------------------------- resolving
def normalise(raw: object, session: Session | None = None, field: str = "area") -> str | None:
    """The ASCII digits of a typed code, of a standard length; None if nothing was typed.
    Needs no database but for the message of a bad code (which names the city's code:
    read with ``session``, or in a short transaction of its own).

    Raises
    ------
    InvalidInput
        Not text (or a non-negative integer), control characters, letters, a length
        other than 6, 9, 12 or 15 digits.
    """
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        raw = str(raw)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _error("malformed", raw, session)
    try:
        value = inputs.text(raw, field, max_len=MAX_TYPED)
    except InvalidInput:
        raise _error("malformed", raw, session) from None
    if value is None:
        return None
    digits = value.translate(_FULL_WIDTH)
    if not _DIGITS.fullmatch(digits) or len(digits) not in LENGTHS:
        raise _error("malformed", raw, session)
    return digits


def resolve(session: Session, raw: object, field: str = "area") -> AreaRef | None:
    """The area (or the whole city) a typed code names; None if nothing was typed.

    Raises
    ------
    InvalidInput
        A malformed code, or one that names no area (translated, listing the codes that
        exist).
    """
    digits = normalise(raw, session, field)
    if digits is None:
        return None
    city_ = city(session)
    if city_ is not None and _significant(digits) == city_.code:
        return city_
    candidates = _candidates(digits)
    found = q.areas_by_code(session, candidates)
    row = next((found[c] for c in candidates if c in found), None)
    if row is None:
        raise _error("unknown", raw, session, city_.code if city_ else None)
    return AreaRef(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        id=int(row["id"]),
        parent_code=row["parent_code"],
    )


def scope_prefix(session: Session, raw: object, field: str = "area") -> str | None:
    """The code prefix of the subtree of the area a typed code names, as scopes and
    filters use it; None for the whole city or nothing typed. :class:`InvalidInput` as
    :func:`resolve`."""
    ref = resolve(session, raw, field)
    return ref.prefix if ref else None


def area_row(session: Session, raw: object) -> dict | None:
    """``{id, code, name, level}`` of the area a typed code names; None for the whole
    city or nothing typed. :class:`InvalidInput` as :func:`resolve`."""
    ref = resolve(session, raw)
    if ref is None or ref.is_city:
        return None
    return {"id": ref.id, "code": ref.code, "name": ref.name, "level": ref.level}


def account_area(session: Session, raw: object, role: str | None) -> Area | None:
    """The area scope an account's typed code gives (None: none typed, or the whole city
    for a role that may be city-wide). A supervisor or grid worker given the city's code
    is refused with what that role needs."""
    ref = resolve(session, raw)
    if ref is None:
        return None
    if ref.is_city:
        if role in _CITY_REFUSED:
            raise InvalidInput(_CITY_REFUSED[role], code=ref.code)
        return None
    return users.area_by_id(session, ref.id)


def listing(
    session: Session, *, level: str | None = None, under: object = None, lang: str | None = None
) -> list[AreaRef]:
    """The areas (of ``level``; under the area a typed code ``under`` names, itself
    included), in tree order; the whole city first when neither narrows the list."""
    top = resolve(session, under, "under")
    if level is not None and level not in LEVEL_DIGITS:
        raise InvalidInput("error.unknown_value", name="level", value=str(level)[:MAX_SHOWN])
    prefix = top.prefix if top is not None else None
    rows = q.code_list(session, prefix=prefix, level=level)
    out = [AreaRef(r["code"], r["name"], r["level"], int(r["id"]), r["parent_code"]) for r in rows]
    whole = city(session, lang)
    if level is None and (top is None or top.is_city) and whole is not None:
        out.insert(0, whole)
    return out


def parent_short(ref: AreaRef, session: Session) -> str | None:
    """The code of ``ref``'s parent in its own length (a county's parent is the city)."""
    if ref.is_city:
        return None
    if ref.level == "county":
        return city_code(session)
    if ref.parent_code is None:
        return None
    up = list(LEVEL_DIGITS)[list(LEVEL_DIGITS).index(ref.level) - 1]
    return ref.parent_code[: LEVEL_DIGITS[up]]


def choices(s: Session, scope: str | None, lang: str | None) -> list[dict[str, str]]:
    """Picker options of the areas a user of ``scope`` may choose for an analysis (a
    briefing, a cross-check): the whole city (value "") first for city-wide users, then
    counties and streets; within a scope, its area and the two levels below it."""
    levels = ("county", "street") if scope is None else ("county", "street", "community")
    rows = briefing_q.areas_in(s, scope, levels)
    indent = {"county": "", "street": "· ", "community": "·· "}
    out = [{"label": t("brief.city", lang), "value": ""}] if scope is None else []
    out += [{"label": f"{indent[r['level']]}{r['name']}", "value": r["code"]} for r in rows]
    return searchable(out)


def searchable(
    options: list[dict[str, str]], session: Session | None = None
) -> list[dict[str, str]]:
    """Picker options (``{label, value}``, value a stored code or "" for the whole city)
    with a ``search`` text, which a Dash dropdown matches typed text against: the label
    and the code in its own length and as stored, so "441502", "441502000000" and "城区"
    all find 城区, and the city's code finds the whole city."""
    city_ = next((o for o in options if not o["value"]), None)
    code = _city_for_message(session) if city_ is not None else None
    out = []
    for o in options:
        short = _significant(o["value"]) if o["value"] else code
        forms = f" {short} {short.ljust(12, '0')}" if short else ""
        out.append({**o, "search": f"{o['label'].lstrip('· ')}{forms}"})
    return out


# ----------------------------------------------------------------------------- helpers
def _significant(digits: str) -> str:
    """``digits`` without trailing groups of "000", but at least 6 digits long."""
    while len(digits) > 6 and digits.endswith("000"):
        digits = digits[:-3]
    return digits


def _candidates(digits: str) -> list[str]:
    """The stored codes ``digits`` may stand for, the exact one first: 6 and 9 digits are
    padded to 12; 15 digits ending in 000 may be a padded 12-digit code."""
    if len(digits) < 12:
        return [digits.ljust(12, "0")]
    if len(digits) == 15 and digits.endswith("000"):
        return [digits, digits[:12]]
    return [digits]


def _shown(raw: object) -> str:
    """A bad value as the message repeats it: printable characters only, cut short."""
    text_ = raw if isinstance(raw, str) else ""
    text_ = "".join(c if c.isprintable() else "?" for c in text_.strip())
    return text_ if len(text_) <= MAX_SHOWN else text_[: MAX_SHOWN - 1] + "…"


def _error(
    kind: str, raw: object, session: Session | None, code: str | None = None
) -> InvalidInput:
    """The translated error for a ``malformed`` or ``unknown`` code, naming the city's
    code when it is known."""
    if code is None:
        code = _city_for_message(session)
    if code is None:
        return InvalidInput(f"areas.error.{kind}_no_city", value=_shown(raw))
    return InvalidInput(f"areas.error.{kind}", value=_shown(raw), city=code)


def _city_for_message(session: Session | None) -> str | None:
    """The city's code for a message or a picker, read with ``session`` or in a short
    transaction of its own; None if it cannot be read (the text then leaves it out
    rather than fail).

    The transaction of its own is kept on purpose, for callers that hold no session
    (the validation of a code before any unit is opened, such as a request parser): it
    only phrases an error message, reads reference data outside row-level security, and
    a failure there must not abort anyone's unit of work."""
    from sqlalchemy.exc import SQLAlchemyError

    from geodata.db import session_scope

    try:
        if session is not None:
            return city_code(session)
        with session_scope() as s:
            return city_code(s)
    except SQLAlchemyError:
        return None
