"""What the monthly evaluation draws: a scorecard table per kind, figures formatted.

Each row carries ``data-key`` (the department id or area code) and each figure cell a
``mq-eval-col-<measure>`` class, so a test can find one unit's figures.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import html

from governance.evaluation import Evaluation
from governance.filters import LOCAL_TZ
from governance.scores import MIN_BASE, SCORE_WEIGHTS, Kind, Score, weights
from i18n import t
from settings import get_settings

MAX_ROWS = 200  # grids of a whole city: the best first, then a note
COLUMNS = (
    "rank",
    "name",
    "received",
    "accepted",
    "resolved",
    "reopen",
    "satisfaction",
    "score",
    "change",
    "rank_change",
)
PATROL_COLUMNS = ("patrol_done", "patrol_on_time", "patrol_off_site")  # streets and grids
# data quality (数据质量, governance/data_quality.py): streets and grids
QUALITY_COLUMNS = ("dq_blind", "dq_padding", "dq_timely", "dq_score")


def period_controls(label: str, picker: Any, message_id: str) -> html.Section:
    """The card above an analytics screen (evaluation, consultation): the period's picker
    under its label, and the line where the callback says why there is nothing."""
    return html.Section(
        [
            html.Label(
                [html.Span(label, className="mq-eval-label"), picker],
                className="mq-eval-field",
            ),
            html.Div(id=message_id, className="mq-eval-message"),
        ],
        className="mq-eval-card mq-eval-controls",
    )


def pct(share: float | None, lang: str) -> str:
    """A 0..1 share as "93.4%" (or a dash)."""
    return t("analytics.none", lang) if share is None else f"{100 * share:.1f}%"


def num(value: float | None, lang: str) -> str:
    """A 0..100 figure with one decimal (or a dash)."""
    return t("analytics.none", lang) if value is None else f"{value:.1f}"


def change(s: Score, lang: str) -> html.Span:
    """Score delta vs the previous month: arrow, sign and colour class."""
    if s.score is None or s.previous_score is None:
        return html.Span(t("analytics.none", lang), className="mq-eval-delta mq-eval-flat")
    delta = round(s.score - s.previous_score, 1)
    if delta > 0:
        return html.Span(f"▲ +{delta:.1f}", className="mq-eval-delta mq-eval-up")
    if delta < 0:
        return html.Span(f"▼ {delta:.1f}", className="mq-eval-delta mq-eval-down")
    return html.Span("＝ 0.0", className="mq-eval-delta mq-eval-flat")


def rank_change(s: Score, lang: str) -> html.Span:
    """How many places the unit moved since the previous month."""
    if s.rank is None:
        return html.Span(t("analytics.none", lang), className="mq-eval-flat")
    if s.previous_rank is None:
        return html.Span(t("eval.rank_new", lang), className="mq-eval-flat")
    moved = s.previous_rank - s.rank
    if moved > 0:
        return html.Span("↑ " + t("eval.rank_up", lang, n=moved), className="mq-eval-up")
    if moved < 0:
        return html.Span("↓ " + t("eval.rank_down", lang, n=-moved), className="mq-eval-down")
    return html.Span(t("eval.rank_same", lang), className="mq-eval-flat")


def display_name(s: Score, kind: Kind, ev: Evaluation, lang: str) -> str:
    """Department names in the screen's language; area names as they are (Chinese)."""
    if kind == "department" and lang == "en":
        return ev.department_names_en.get(s.key, s.name)
    return s.name


def _rested(shown: str, base: int, lang: str) -> html.Span:
    """A share with the number of cases it rests on (a dash under the minimum)."""
    return html.Span(
        [shown, html.Span(t("eval.base", lang, n=base), className="mq-eval-base")],
        title=t("eval.base_hint", lang, n=base, min=MIN_BASE),
    )


def _columns(kind: Kind) -> tuple[str, ...]:
    if kind == "department":
        return COLUMNS
    return COLUMNS[:-3] + PATROL_COLUMNS + QUALITY_COLUMNS + COLUMNS[-3:]


def _row(s: Score, kind: Kind, ev: Evaluation, lang: str) -> html.Tr:
    sat = num(s.satisfaction, lang)
    patrol = ev.patrol_of(kind, s.key)
    dq = s.quality
    cells: dict[str, Any] = {
        "rank": t("analytics.none", lang) if s.rank is None else str(s.rank),
        "name": display_name(s, kind, ev, lang),
        "received": str(s.received),
        "accepted": _rested(pct(s.accepted_on_time, lang), s.accept_due, lang),
        "resolved": _rested(pct(s.resolved_on_time, lang), s.resolve_due, lang),
        "reopen": pct(s.reopen_rate, lang),
        "satisfaction": f"{sat} ({s.ratings})",
        "score": num(s.score, lang),
        "change": change(s, lang),
        "rank_change": rank_change(s, lang),
        "patrol_done": _rested(pct(patrol.done, lang), patrol.due, lang) if patrol else "—",
        "patrol_on_time": pct(patrol.on_time, lang) if patrol else "—",
        "patrol_off_site": pct(patrol.off_site, lang) if patrol else "—",
        "dq_blind": _rested(pct(dq.blind_rate, lang), dq.blind_tested, lang) if dq else "—",
        "dq_padding": _rested(pct(dq.padding_rate, lang), dq.padding_tested, lang) if dq else "—",
        "dq_timely": _rested(pct(dq.timely_share, lang), dq.own, lang) if dq else "—",
        "dq_score": num(dq.score, lang) if dq else "—",
    }
    return html.Tr(
        [html.Td(cells[c], className=f"mq-eval-col-{c}") for c in _columns(kind)],
        className="mq-eval-row",
        **{"data-key": s.key},  # type: ignore[arg-type]
    )


def _minute(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def scorecard_table(ev: Evaluation, kind: Kind, lang: str) -> list[Any]:
    """The summary line, the table of ``kind`` and the scoring rules (or "no data")."""
    cards = ev.cards[kind]
    summary = html.P(
        t("eval.summary", lang, month=ev.month, previous=ev.previous_month, n=len(cards))
        + (t("eval.as_of", lang, at=_minute(ev.as_of)) if ev.as_of else ""),
        className="mq-eval-summary",
    )
    if not cards:
        return [summary, html.P(t("analytics.empty", lang), className="mq-eval-empty")]
    head = html.Thead(
        html.Tr(
            [
                html.Th(t(f"eval.col.{c}", lang), className=f"mq-eval-col-{c}")
                for c in _columns(kind)
            ]
        )
    )
    body = html.Tbody([_row(s, kind, ev, lang) for s in cards[:MAX_ROWS]])
    out: list[Any] = [
        summary,
        html.Div(
            html.Table([head, body], className=f"mq-eval-table mq-eval-table-{kind}"),
            className="mq-eval-table-wrap",
        ),
    ]
    if len(cards) > MAX_ROWS:
        out.append(
            html.P(
                t("eval.shown_first", lang, shown=MAX_ROWS, total=len(cards)),
                className="mq-eval-note",
            )
        )
    out.append(html.P(rules(lang, kind), className="mq-eval-note mq-eval-rules"))
    return out


def rules(lang: str, kind: Kind = "department") -> str:
    """The scoring rule in words, from :func:`governance.scores.weights` (departments:
    without data quality, so the four measures' own weights)."""
    if kind == "department":
        w = {k: round(100 * v) for k, v in SCORE_WEIGHTS.items()}
    else:
        w = {k: round(100 * v) for k, v in weights().items()}
    text = t(
        "eval.rules",
        lang,
        accept=w["accepted_on_time"],
        resolve=w["resolved_on_time"],
        reopen=w["no_reopen"],
        satisfaction=w["satisfaction"],
        min=MIN_BASE,
    )
    if kind == "department":
        return text
    minutes = get_settings().timely_minutes
    return text + t("eval.rules.quality", lang, weight=w["data_quality"], minutes=minutes)
