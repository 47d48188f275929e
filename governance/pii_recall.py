"""How well the free-text detector (:mod:`governance.pii`) does on the annotated corpus of
``tests/fixtures/pii_corpus.jsonl``: recall per kind and precision.

Used by the unit test that holds the targets (numbers >= 98 %, known names >= 90 %) and by
``python app.py data pii-recall``, which prints the figures the README cites.

When a gold span counts as found:

* a number (mobile, landline, ID number, bank card): a detected number of the same kind
  covers all its digits (for the line "all numbers", a detected number of any kind);
* an address: every house-number character of it (digits, Chinese numerals, letters such
  as the B of B座) is starred;
* a name: a detected name covers it. Known names (the system passed them) and names
  found by cues alone are counted apart.

A detected span is correct when it overlaps a gold span of its kind (for "all numbers",
of any number kind); every detected span in a negative sentence is a false positive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from governance import pii
from governance.pii_numbers import normalise

CORPUS: Final = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pii_corpus.jsonl"
NUMBERS: Final = "numbers"  # the four number kinds together
KNOWN_NAMES: Final = "name_known"
CUED_NAMES: Final = "name_cued"
ROWS: Final = (
    "mobile",
    "landline",
    "id_number",
    "bank_card",
    NUMBERS,
    "address",
    KNOWN_NAMES,
    CUED_NAMES,
)
_HOUSE_CHARS: Final = frozenset("0123456789零〇一二三四五六七八九十百两") | frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


@dataclass
class Score:
    """Counts of one row of the report."""

    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None


@dataclass
class Report:
    """Scores by row (:data:`ROWS`), the corpus size, and what was missed or wrongly
    masked: ``(sentence id, kind, text)``."""

    sentences: int = 0
    negatives: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {r: Score() for r in ROWS})
    misses: list[tuple[int, str, str]] = field(default_factory=list)
    false_positives: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        """Precision over every detected span."""
        rows = [self.scores[r] for r in ROWS if r not in (NUMBERS, CUED_NAMES)]
        predicted = sum(s.predicted for s in rows)
        return sum(s.correct for s in rows) / predicted if predicted else None


def load(path: Path = CORPUS) -> list[dict[str, Any]]:
    """The corpus lines."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _covers(span: pii.Span, start: int, end: int) -> bool:
    return span.start <= start and span.end >= end


def _digit_range(norm: str, start: int, end: int) -> tuple[int, int]:
    pos = [i for i in range(start, end) if norm[i].isdigit() or norm[i] in "Xx"]
    return (pos[0], pos[-1] + 1) if pos else (start, end)


def _overlaps(a: pii.Span, start: int, end: int) -> bool:
    return a.start < end and start < a.end


def _score_line(line: dict[str, Any], report: Report) -> None:
    text: str = line["text"]
    norm = normalise(text)
    found = pii.find(text, pii.KnownNames(line["names"]))
    hidden = {
        i for s in found if s.kind is pii.Kind.ADDRESS for a, b in s.hidden for i in range(a, b)
    }
    gold: list[dict[str, Any]] = line["spans"]
    for g in gold:
        kind, start, end = g["kind"], g["start"], g["end"]
        if kind in pii.NUMBER_KINDS:
            lo, hi = _digit_range(norm, start, end)
            rows = [
                (kind, any(s.kind == kind and _covers(s, lo, hi) for s in found)),
                (NUMBERS, any(s.kind in pii.NUMBER_KINDS and _covers(s, lo, hi) for s in found)),
            ]
        elif kind == "address":
            need = [
                i for i in range(start, end) if text[i] in _HOUSE_CHARS or norm[i] in _HOUSE_CHARS
            ]
            rows = [(kind, all(i in hidden for i in need))]
        else:
            ok = any(s.kind is pii.Kind.NAME and _covers(s, start, end) for s in found)
            rows = [(KNOWN_NAMES if g.get("known") else CUED_NAMES, ok)]
        for row, ok in rows:
            report.scores[row].gold += 1
            report.scores[row].found += ok
            if not ok and row != NUMBERS:
                report.misses.append((line["id"], row, g["text"]))
    for s in found:
        same = [g for g in gold if _overlaps(s, g["start"], g["end"])]
        if s.kind in pii.NUMBER_KINDS:
            agg = report.scores[NUMBERS]
            agg.predicted += 1
            agg.correct += any(g["kind"] in pii.NUMBER_KINDS for g in same)
        row = str(s.kind)
        if s.kind is pii.Kind.NAME:
            row = KNOWN_NAMES if any(g.get("known") for g in same) or not same else CUED_NAMES
        ok = any(g["kind"] == s.kind for g in same)
        report.scores[row].predicted += 1
        report.scores[row].correct += ok
        if not ok:
            report.false_positives.append((line["id"], str(s.kind), s.text))


def evaluate(lines: Iterable[dict[str, Any]]) -> Report:
    """The detector's scores on corpus ``lines`` (see :func:`load`)."""
    report = Report()
    for line in lines:
        report.sentences += 1
        report.negatives += not line["spans"]
        _score_line(line, report)
    return report


NUMBER_TARGET: Final = 0.98  # recall of all numbers together
KNOWN_NAME_TARGET: Final = 0.90  # recall of the names the system knows


def meets_targets(report: Report) -> bool:
    """Whether the published targets hold (numbers >= 98 %, known names >= 90 %)."""
    numbers, names = report.scores[NUMBERS].recall, report.scores[KNOWN_NAMES].recall
    return (numbers or 0) >= NUMBER_TARGET and (names or 0) >= KNOWN_NAME_TARGET
