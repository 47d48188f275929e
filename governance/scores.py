"""Performance scorecards (绩效评估) of departments, streets and grids over a period.

Shared contract (used by the wall, the briefings, dispatch and the monthly evaluation):
:func:`scorecard` takes the caller's session (the caller owns the transaction and has
already checked access) and an area-code prefix (None: the whole city).

Rules, all computed in SQL (``geodata/queries/scores.py``) for the half-open period
``[start, end)``:

* **Who.** A *department* is the incident's lead department (``lead_department_id``; a
  transfer moves the case, with its clock, to the new lead; a returned case has no lead
  and counts for nobody). A *grid* is the incident's grid; a *street* groups grids by the
  first 9 digits of their code and is named after the street area with that prefix.
  Within a scope only incidents in grids under the scope count (an incident outside every
  grid counts only for departments, and only city-wide).
* **Received.** Department: incidents (last) dispatched to it in the period
  (``dispatched_at``). Area: cases received in it in the period (``reported_at``),
  merged duplicates and rejected reports excluded (``case_state.counted``).
* **On-time acceptance.** Among the received incidents accepted by ``as_of`` or overdue
  to accept then (``case_state.accept_due_by``): the share accepted at or before
  ``accept_due_at``. A case waiting past its deadline is late; one whose deadline lies
  ahead is not counted yet, nor one suspended (its clock stands still: the deadline moves
  when it resumes) or returned (no clock runs).
* **On-time resolution.** The same with ``resolved_at`` / ``resolve_due_at``
  (``case_state.resolve_due_by``).
* **Enough cases.** A share or a mean over fewer than :data:`MIN_BASE` cases (or
  ratings) is not shown (None): one case on time is not "100 %". Each line says how many
  cases its on-time shares rest on (``accept_due``, ``resolve_due``).
* **Reopen rate.** The share of the received incidents reopened at least once
  (``reopen_count > 0``: failed verification, reopened, or a dissatisfied resident).
* **Satisfaction.** Residents' ratings (``incident_feedback``) *given* in the period on the
  group's incidents: satisfied = 100, basic = 60, dissatisfied = 0, averaged.
* **Data quality** (streets and grids only; :mod:`governance.data_quality`): the
  blind-spot rate, the padding rate and the share of timely own reports, and their
  data-quality score 0..100.
* **Score.** :data:`SCORE_WEIGHTS` over the four measures on a 0..100 scale (reopen as
  ``100 * (1 - rate)``), and for streets and grids the data-quality score with the weight
  ``MINQING_DATA_QUALITY_WEIGHT`` (default 0.2: the four share the other 0.8 in their
  proportions); a measure that is None drops out and the others' weights are rescaled;
  None when all are None.
* **Rank.** 1 = best score; equal scores share a rank (1, 2, 2, 4). Groups without a
  score have no rank and are listed after the ranked ones, by volume.
* **Previous.** The same score and rank over the previous period of equal length
  (``[start - (end - start), start)``), or the ``previous`` period given (the monthly
  evaluation passes the previous calendar month).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from geodata.queries import kept
from geodata.queries import scores as q
from governance import data_quality
from governance.filters import LOCAL_TZ
from settings import get_settings

Kind = Literal["department", "street", "grid"]
KINDS: tuple[Kind, ...] = ("department", "street", "grid")

MIN_BASE = 5  # a rate over fewer cases (or ratings) than this is not shown

# Weights of the composite score (they sum to 1).
SCORE_WEIGHTS: dict[str, float] = {
    "accepted_on_time": 0.25,
    "resolved_on_time": 0.35,
    "no_reopen": 0.15,
    "satisfaction": 0.25,
}


@dataclass(frozen=True)
class Score:
    """One line of a scorecard (shares are 0..1, satisfaction and score 0..100)."""

    key: str
    name: str
    received: int
    accept_due: int  # how many cases the on-time acceptance share rests on
    resolve_due: int  # ... and the on-time resolution share
    accepted_on_time: float | None
    resolved_on_time: float | None
    reopen_rate: float | None
    satisfaction: float | None
    ratings: int
    score: float | None
    quality: data_quality.Quality | None  # streets and grids (None: departments)
    rank: int | None
    previous_score: float | None
    previous_rank: int | None


def _share(part: int, whole: int) -> float | None:
    return None if whole < MIN_BASE else part / whole


def weights() -> dict[str, float]:
    """The composite's weights: :data:`SCORE_WEIGHTS` scaled to ``1 - w`` and data quality
    ``w`` (``MINQING_DATA_QUALITY_WEIGHT``)."""
    w = get_settings().data_quality_weight
    return {**{k: v * (1.0 - w) for k, v in SCORE_WEIGHTS.items()}, "data_quality": w}


def composite(
    accepted_on_time: float | None,
    resolved_on_time: float | None,
    reopen_rate: float | None,
    satisfaction: float | None,
    data_quality: float | None = None,
) -> float | None:
    """The composite score 0..100 of the measures (see :func:`weights`)."""
    parts = {
        "accepted_on_time": None if accepted_on_time is None else 100.0 * accepted_on_time,
        "resolved_on_time": None if resolved_on_time is None else 100.0 * resolved_on_time,
        "no_reopen": None if reopen_rate is None else 100.0 * (1.0 - reopen_rate),
        "satisfaction": satisfaction,
        "data_quality": data_quality,
    }
    w = weights()
    weight = sum(w[k] for k, v in parts.items() if v is not None)
    if weight == 0:
        return None
    return sum(w[k] * v for k, v in parts.items() if v is not None) / weight


def _measures(row: dict[str, Any], quality: data_quality.Quality | None) -> dict[str, Any]:
    out = {
        "accepted_on_time": _share(row["accept_ok"], row["accept_due"]),
        "resolved_on_time": _share(row["resolve_ok"], row["resolve_due"]),
        "reopen_rate": _share(row["reopened"], row["received"]),
        "satisfaction": row["satisfaction"] if row["ratings"] >= MIN_BASE else None,
    }
    out["score"] = composite(**out, data_quality=quality.score if quality else None)
    out["quality"] = quality
    return out


def _ranks(scores: dict[str, float | None]) -> dict[str, int]:
    """Competition ranks (1 = best; ties share) of the keys that have a score."""
    values = sorted((round(v, 9) for v in scores.values() if v is not None), reverse=True)
    first: dict[float, int] = {}
    for i, v in enumerate(values, start=1):
        first.setdefault(v, i)
    return {k: first[round(v, 9)] for k, v in scores.items() if v is not None}


def _period_scores(
    session: Session, kind: Kind, scope: str | None, start: datetime, end: datetime, as_of: datetime
) -> tuple[list[dict[str, Any]], dict[str, float | None], dict[str, int]]:
    rows = q.period_figures(session, kind, scope, start, end, as_of)
    quality = (
        {}
        if kind == "department"
        else data_quality.by_unit(session, kind, scope, start, end, MIN_BASE)
    )
    for row in rows:
        row.update(_measures(row, quality.get(row["key"][:9] if kind == "street" else row["key"])))
    scores = {r["key"]: r["score"] for r in rows}
    return rows, scores, _ranks(scores)


def scorecard(
    session: Session,
    *,
    kind: Kind,
    scope: str | None,
    start: datetime,
    end: datetime,
    previous: tuple[datetime, datetime] | None = None,
    as_of: datetime | None = None,
    keep: bool = False,
) -> list[Score]:
    """The scorecard of every ``kind`` group with incidents or ratings in ``[start, end)``
    inside ``scope``, ranked best first (rules in the module docstring). ``as_of``
    (default: now) decides which deadlines have passed. Empty when nothing happened.

    ``keep``: the caller asks as of now, so a period that has ended is read from its kept
    scorecard if there is one, else computed and kept (``geodata/queries/kept.py``): a
    closed month's scorecards stand as of when they were first computed (the 数据截至
    the screen states, :func:`kept_at`), as a month's assessment is closed on a date."""
    if kind not in KINDS:
        raise ValueError(f"unknown scorecard kind {kind!r}")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("scorecard periods must be timezone-aware")
    as_of = as_of or datetime.now(LOCAL_TZ)
    prev_start, prev_end = previous or (start - (end - start), start)

    def compute() -> list[Score]:
        return _scorecard(session, kind, scope, start, end, (prev_start, prev_end), as_of)

    if not keep or end > as_of:
        return compute()
    params = _params(kind, prev_start, prev_end)
    return kept.through(
        session, KEPT_KIND, scope or "", (start, end), params, compute, _dump, _scores
    )


def _dump(cards: list[Score]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(r) for r in cards]


KEPT_KIND = "scorecard"


def _params(kind: str, prev_start: datetime, prev_end: datetime) -> str:
    """What else a kept scorecard depends on: the kind, the period compared with, and
    the weights (configurable: new weights make new scorecards)."""
    w = ",".join(f"{k}={v:.6f}" for k, v in sorted(weights().items()))
    digest = hashlib.blake2b(w.encode(), digest_size=8).hexdigest()
    prev = f"{prev_start.timestamp():.0f}-{prev_end.timestamp():.0f}"
    return f"kind={kind};prev={prev};min={MIN_BASE};weights={digest}"


def _scores(raw: list[dict[str, Any]]) -> list[Score]:
    """Kept scorecard lines back as :class:`Score` (a shape that does not fit raises)."""
    return [
        Score(**{**r, "quality": data_quality.Quality(**r["quality"]) if r["quality"] else None})
        for r in raw
    ]


def kept_at(session: Session, scope: str | None, start: datetime, end: datetime) -> datetime | None:
    """When the kept scorecards of that period were computed (the earliest kind), or None."""
    return kept.computed_at(session, KEPT_KIND, scope or "", start, end)


def _scorecard(
    session: Session,
    kind: Kind,
    scope: str | None,
    start: datetime,
    end: datetime,
    previous: tuple[datetime, datetime],
    as_of: datetime,
) -> list[Score]:
    prev_start, prev_end = previous
    rows, _, ranks = _period_scores(session, kind, scope, start, end, as_of)
    _, prev_scores, prev_ranks = _period_scores(session, kind, scope, prev_start, prev_end, as_of)
    out = [
        Score(
            key=r["key"],
            name=r["name"],
            received=r["received"],
            accept_due=r["accept_due"],
            resolve_due=r["resolve_due"],
            accepted_on_time=r["accepted_on_time"],
            resolved_on_time=r["resolved_on_time"],
            reopen_rate=r["reopen_rate"],
            satisfaction=r["satisfaction"],
            ratings=r["ratings"],
            score=r["score"],
            quality=r["quality"],
            rank=ranks.get(r["key"]),
            previous_score=prev_scores.get(r["key"]),
            previous_rank=prev_ranks.get(r["key"]),
        )
        for r in rows
    ]
    out.sort(key=lambda s: (s.rank is None, s.rank or 0, -s.received, s.key))
    return out
