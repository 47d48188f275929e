"""What an alert may carry as evidence, and how it is said to a reader.

An alert is stored once and read by people in two languages and by other systems, so it
stores no words: only numbers, short codes and ISO times, each under a key that the
alert's kind allows (:data:`ALLOWED`). Anything else is refused before it is written: an
unknown key, a string where a number belongs, a number too large to be a count or a
rate (a phone or ID number is), a free-text code. The PII detector (``governance/pii.py``)
looks at every string as a second guard. The text is rendered per reader from the
catalog (``i18n/messages_alerts.py``) at read time.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from governance import pii
from governance.errors import InvalidInput
from i18n import t

KINDS: Final = ("spike", "blind_spot")
MAX_COUNT: Final = 10_000_000  # a count of incidents; an 11-digit phone number is not one
MAX_NUMBER: Final = 1e7
MAX_SERIES: Final = 400
_ISO: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?"
)
_H3: Final = re.compile(r"8[0-9a-f]{14}")
_AREA: Final = re.compile(r"\d{6}|\d{9}|\d{12}|\d{15}")


def _count(v: object) -> int:
    # numbers.Integral: the analyses' NumPy integers too (stored as plain ints)
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise ValueError
    if not 0 <= int(v) <= MAX_COUNT:
        raise ValueError
    return int(v)


def _number(v: object) -> float | int:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ValueError
    out = int(v) if isinstance(v, numbers.Integral) else float(v)
    if not math.isfinite(out) or abs(out) > MAX_NUMBER:
        raise ValueError
    return out


def _time(v: object) -> str:
    if isinstance(v, datetime):  # stored as its ISO form
        v = v.isoformat(timespec="seconds")
    if not isinstance(v, str) or not _ISO.fullmatch(v):
        raise ValueError
    datetime.fromisoformat(v.replace("Z", "+00:00"))  # a real date and time
    return v


def _pattern(rx: re.Pattern[str]) -> Callable[[object], str]:
    def check(v: object) -> str:
        if not isinstance(v, str) or not rx.fullmatch(v):
            raise ValueError
        return v

    return check


def _choice(*values: str) -> Callable[[object], str]:
    def check(v: object) -> str:
        if v not in values:
            raise ValueError
        return str(v)

    return check


def _series(v: object) -> list[float | int]:
    if not isinstance(v, list) or len(v) > MAX_SERIES:
        raise ValueError
    return [_number(x) for x in v]


# key -> check, per kind; the required keys of each kind are listed apart
ALLOWED: Final[dict[str, dict[str, Callable[[object], Any]]]] = {
    "spike": {
        "observed": _count,  # incidents in the window
        "expected": _number,  # the baseline's expectation for the window
        "window_hours": _count,
        "baseline_days": _count,
        "score": _number,  # e.g. a z-score or a Poisson tail's -log10 p
        "p": _number,
        "start": _time,
        "end": _time,
        "series": _series,  # counts per bucket, oldest first
    },
    "blind_spot": {
        "own": _count,  # the grid's own reports
        "external": _count,  # reports through 12345, 110, the public, sensors
        "expected": _number,  # own reports expected at the area's grid share
        "share": _number,
        "p": _number,
        "q": _number,
        "cell": _pattern(_H3),  # the H3 cell (hex) when the place is a cell
        "grid": _pattern(_AREA),
        "trend": _choice("new", "still"),
        "start": _time,
        "end": _time,
    },
}
AREA_KEYS: Final = frozenset({"grid"})  # must name an existing area under the alert's
REQUIRED: Final = {
    "spike": ("observed", "expected", "window_hours"),
    "blind_spot": ("own", "external", "expected"),
}


def check(kind: str, evidence: object) -> dict[str, Any]:
    """The evidence, checked against the allow-list of ``kind``; :class:`InvalidInput`
    naming the first key that is not allowed, missing or of the wrong form."""
    if kind not in ALLOWED:
        raise InvalidInput("alerts.error.kind", value=str(kind)[:20], choices=", ".join(KINDS))
    if not isinstance(evidence, Mapping):
        raise InvalidInput("alerts.error.evidence", field="-")
    allowed = ALLOWED[kind]
    out: dict[str, Any] = {}
    for key, value in evidence.items():
        if not isinstance(key, str) or key not in allowed:
            raise InvalidInput("alerts.error.evidence", field=str(key)[:40])
        try:
            out[key] = allowed[key](value)
        except (ValueError, TypeError, OverflowError):
            raise InvalidInput("alerts.error.evidence", field=key) from None
        # an area code is checked against the areas by the publisher (it is digits only,
        # as an old 15-digit ID number is); every other string goes past the PII detector
        if isinstance(out[key], str) and key not in AREA_KEYS and pii.find(out[key]):
            raise InvalidInput("alerts.error.evidence", field=key)
    missing = [k for k in REQUIRED[kind] if k not in out]
    if missing:
        raise InvalidInput("alerts.error.evidence", field=missing[0])
    return out


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 0.01 and v != 0 else f"{v:.1f}".rstrip("0").rstrip(".")
    return str(v)


def _day(v: object) -> str:
    return str(v)[:16].replace("T", " ")


def render(kind: str, evidence: Mapping[str, Any], lang: str | None) -> str:
    """The alert's evidence in words, in ``lang``."""
    e = {k: _fmt(v) for k, v in evidence.items() if not isinstance(v, list)}
    parts = [t(f"alerts.words.{kind}", lang, **{k: e.get(k, "?") for k in REQUIRED[kind]})]
    if "start" in evidence and "end" in evidence:
        parts.append(
            t("alerts.words.period", lang, start=_day(evidence["start"]), end=_day(evidence["end"]))
        )
    if kind == "blind_spot" and "q" in evidence:
        parts.append(t("alerts.words.q", lang, q=e["q"]))
    if kind == "blind_spot" and "cell" in evidence:
        parts.append(t("alerts.words.cell", lang, cell=evidence["cell"]))
    return ("" if lang == "zh-CN" else " ").join(parts)
