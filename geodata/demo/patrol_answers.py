"""What a grid worker writes on a demo checklist: answers to every item of its version,
a failed item now and then, and the words of the case a failed item becomes.

Answers are what ``governance/patrol_templates.judge`` accepts and would have stored
(``{"values": ..., "notes": ...}``): ``pass`` (rarely ``na``) for pass/fail items, a number
inside the item's range, a choice that does not fail, optional remarks mostly left empty
(``None``). A failed item gets ``fail``, a number past the range or a failing choice, and
often a note. Photo items are left unanswered: the history is written without photos (it
keeps the database small), so a checklist whose version asks for photos has none; the
submissions never went through the API, which would have refused them.

The data layer may not import the domain, so these rules are written out here; the test
``tests/integration/test_patrol_demo.py`` judges every stored submission with the domain's
own ``judge`` and checks that exactly the items with a finding fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

FAILABLE: Final = frozenset({"pass_fail", "number", "choice"})
NA_SHARE: Final = 0.015  # a pass/fail item not applicable this time
REMARK_SHARE: Final = 0.04  # optional remarks written
OTHER_CHOICE_SHARE: Final = 0.15  # a non-failing choice other than the first
NOTE_SHARE: Final = 0.6  # a failed item with a note
REMARKS: Final = (
    "一切正常",
    "已提醒负责人注意日常检查",
    "现场秩序良好",
    "已宣传安全常识",
    "负责人不在，已电话沟通",
    "已发放宣传资料",
)
FAIL_NOTES: Final = {
    "site": (
        "已要求现场整改",
        "已拍照留存，告知负责人限期整改",
        "负责人称近日整改，需复查",
        "已向场所负责人指出问题",
    ),
    "person": (
        "已告知家属，需相关部门跟进",
        "已向社区报告，建议上门帮扶",
        "本人情绪尚稳定，需持续关注",
        "已电话联系监护人",
    ),
}


@dataclass(frozen=True)
class Filled:
    """One filled checklist: the stored answers and the keys of the failed items."""

    answers: dict[str, Any]  # {"values": {...}, "notes": {...}}
    failed: list[str]


def _number(item: Mapping[str, Any], u: float, fail: bool) -> float:
    lo, hi = item.get("min"), item.get("max")
    whole = all(v is None or float(v).is_integer() for v in (lo, hi))
    a = float(lo) if lo is not None else (float(hi) - 10.0 if hi is not None else 0.0)
    b = float(hi) if hi is not None else a + 10.0
    if fail and (lo is not None or hi is not None):
        step = max(1.0, 0.25 * (b - a) * (0.2 + u))
        value = b + step if hi is not None else a - step
    else:
        value = a + (b - a) * (0.1 + 0.6 * u)
    return float(round(value)) if whole else round(value, 1)


def fill(
    items: Sequence[Mapping[str, Any]],
    subject: str,
    fail: Sequence[str],
    u: np.ndarray,
    rng: np.random.Generator,
) -> Filled:
    """The answers to ``items`` with the items ``fail`` (keys) failed; ``u``: uniform
    draws, one per item (their order)."""
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for k, item in enumerate(items):
        key, kind = item["key"], item["kind"]
        bad = key in fail
        x = float(u[k])
        if kind == "pass_fail":
            values[key] = "fail" if bad else ("na" if x < NA_SHARE else "pass")
        elif kind == "number":
            values[key] = _number(item, x, bad)
        elif kind == "choice":
            pool = [c["value"] for c in item["choices"] if bool(c["fail"]) == bad]
            if bad:
                pick = int(x * len(pool))
            else:  # mostly the first (best) answer
                pick = 0 if x >= OTHER_CHOICE_SHARE else int(x / OTHER_CHOICE_SHARE * len(pool))
            values[key] = pool[min(pick, len(pool) - 1)]
        elif kind == "text":
            values[key] = REMARKS[int(x * 1e6) % len(REMARKS)] if x < REMARK_SHARE else None
        if bad and rng.random() < NOTE_SHARE:
            options = FAIL_NOTES[subject]
            notes[key] = options[int(rng.integers(len(options)))]
    return Filled({"values": values, "notes": notes}, [i["key"] for i in items if i["key"] in fail])


def failable(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Keys of the items that can fail, in order."""
    return [i["key"] for i in items if i["kind"] in FAILABLE]


def description(name_zh: str, item: Mapping[str, Any], filled: Filled) -> str:
    """A finding's case description, as ``governance/patrol_submit._raise_case`` writes it."""
    key = item["key"]
    value = filled.answers["values"].get(key)
    shown = ""
    if item["kind"] == "number" and value is not None:
        shown = f"（{value:g}{item.get('unit') or ''}）"
    elif item["kind"] == "choice":
        shown = "（" + next(c["label_zh"] for c in item["choices"] if c["value"] == value) + "）"
    text = f"【巡查发现】{name_zh}：{item['label_zh']}不合格{shown}"
    note = filled.answers["notes"].get(key)
    if note:
        text += f"。{note}"
    return text[:2000]
