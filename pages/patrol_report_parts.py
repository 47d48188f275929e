"""What the patrol report draws: the rates table (worst first, a totals row), the missed
high-risk visits with a "reassign" button each, the off-site check-ins, export links.

Rows carry ``data-key`` (area code, worker id, task or submission id) and cells a
``mq-preport-col-<field>`` class, so a test can find one unit's figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlencode

from dash import html

from governance.filters import LOCAL_TZ
from governance.patrol_report import Rates, Report
from governance.patrol_report_export import EXPORT_FORMATS, EXPORTS
from i18n import t
from pages.evaluation_parts import pct
from pages.patrol_report_ids import ReportIds as Ids
from web.exports import export_url

PATH: Final = "/patrol-report"
RATE_COLUMNS: Final = ("name", "due", "done", "on_time", "late", "missed") + (
    "completion",
    "on_time_rate",
    "off_site",
    "failed",
)


def _table(head: list[str], rows: list[html.Tr], lang: str, kind: str) -> html.Div:
    header = html.Thead(
        html.Tr(
            [html.Th(t(f"preport.col.{c}", lang), className=f"mq-preport-col-{c}") for c in head]
        )
    )
    return html.Div(
        html.Table([header, html.Tbody(rows)], className=f"mq-eval-table mq-preport-{kind}"),
        className="mq-eval-table-wrap",
    )


def _cells(r: Rates, name: str, lang: str) -> dict[str, str]:
    return {
        "name": name,
        **{c: str(getattr(r, c)) for c in ("due", "done", "on_time", "late", "missed")},
        "completion": pct(r.completion, lang),
        "on_time_rate": pct(r.on_time_rate, lang),
        "off_site": pct(r.off_site_share, lang),
        "failed": pct(r.failed_share, lang),
    }


DRILL: Final = {"county": "street", "street": "community", "community": "grid"}


def drill_url(params: Mapping[str, str], group: str, key: str) -> str:
    """The report one level down: the area of ``key`` (a code prefix), its children."""
    query = {**params, "area": key.ljust(12, "0"), "group": DRILL[group]}
    return PATH + "?" + urlencode({k: v for k, v in query.items() if v})


def _rate_row(r: Rates, name: Any, lang: str, cls: str) -> html.Tr:
    cells: dict[str, Any] = {**_cells(r, "", lang), "name": name}
    return html.Tr(
        [html.Td(cells[c], className=f"mq-preport-col-{c}") for c in RATE_COLUMNS],
        className=cls,
        **{"data-key": r.key or "total"},  # type: ignore[arg-type]
    )


def _name(r: Rates, report: Report, params: Mapping[str, str], lang: str) -> Any:
    """An area's name links one level down (a plain link: the page opens again)."""
    name = r.name or t("preport.unassigned", lang)
    if report.group not in DRILL or not r.key:
        return name
    return html.A(name, href=drill_url(params, report.group, r.key), className="mq-preport-drill")


def rates_table(report: Report, lang: str, params: Mapping[str, str]) -> list[Any]:
    """The summary line, the rates table with its totals row, the rules in words;
    ``params``: the screen's filters, which the drill-down links keep."""
    p, total = report.period, report.total
    summary = html.P(
        t(
            "preport.summary",
            lang,
            start=p.start.isoformat(),
            end=p.end.isoformat(),
            due=total.due,
            done=total.done,
            missed=total.missed,
        ),
        className="mq-eval-summary",
    )
    if not report.rows:
        return [summary, html.P(t("preport.empty", lang), className="mq-eval-empty")]
    rows = [
        _rate_row(r, _name(r, report, params, lang), lang, "mq-preport-row mq-eval-row")
        for r in report.rows
    ]
    total_cls = "mq-preport-row mq-preport-total mq-eval-row"
    rows.append(_rate_row(total, t("preport.total", lang), lang, total_cls))
    rules = html.P(t("preport.rules", lang), className="mq-eval-note mq-eval-rules")
    return [summary, _table(list(RATE_COLUMNS), rows, lang, "rates"), rules]


def target(r: Mapping[str, Any], lang: str) -> str:
    """A site by its name; a person by category and id, or only the id (no identity)."""
    if r["subject"] == "site":
        return str(r.get("site_name") or f"#{r.get('site_id')}")
    if r.get("person_category"):
        category = t(f"person.{r['person_category']}", lang)
        return t("patrol.person_title", lang, category=category, id=r["person_id"])
    return t("preport.person_plain", lang, id=r["person_id"])


def _worker(r: Mapping[str, Any], lang: str) -> str:
    if not r.get("worker_username"):
        return t("preport.unassigned", lang)
    return f"{r['worker_name']}（{r['worker_username']}）"


def _local(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _more(shown: int, total: int, lang: str) -> list[Any]:
    if total <= shown:
        return []
    return [
        html.P(t("preport.shown_first", lang, shown=shown, total=total), className="mq-eval-note")
    ]


def missed_list(report: Report, lang: str) -> html.Section:
    """The reminder list: each missed high-risk visit, with a reassign button."""
    head = ["target", "grid", "worker", "due_on", "status", "action"]
    rows = [
        html.Tr(
            [
                html.Td(target(r, lang), className="mq-preport-col-target"),
                html.Td(f"{r['grid_name']}（{r['grid_code']}）", className="mq-preport-col-grid"),
                html.Td(_worker(r, lang), className="mq-preport-col-worker"),
                html.Td(f"{r['due_on']} – {r['last_day']}", className="mq-preport-col-due_on"),
                html.Td(t("patrol.status.missed", lang), className="mq-preport-col-status"),
                html.Td(
                    html.Button(
                        t("preport.reassign", lang),
                        id={"type": Ids.REASSIGN_TYPE, "task": int(r["task_id"])},
                        className="mq-dispatch-button",
                    )
                ),
            ],
            className="mq-preport-missed-row",
            **{"data-key": str(r["task_id"])},  # type: ignore[arg-type]
        )
        for r in report.missed
    ]
    body: list[Any] = (
        [_table(head, rows, lang, "missed"), *_more(len(rows), report.missed_total, lang)]
        if rows
        else [html.P(t("preport.missed.none", lang), className="mq-eval-empty")]
    )
    return html.Section(
        [html.H3(f"{t('preport.missed.title', lang)}（{report.missed_total}）"), *body],
        className="mq-eval-card mq-preport-missed",
    )


def offsite_list(report: Report, lang: str) -> html.Section:
    """The off-site and flagged check-ins, newest first, the reasons masked."""
    head = ["target", "grid", "worker", "filled_at", "distance", "flags", "reason"]
    rows = []
    for r in report.off_site:
        distance = r.get("distance_m")
        cells = {
            "target": target(r, lang),
            "grid": f"{r['grid_name']}（{r['grid_code']}）",
            "worker": _worker(r, lang),
            "filled_at": _local(r["filled_at"]),
            "distance": "" if distance is None else t("preport.metres", lang, m=round(distance)),
            "flags": "、".join(t(f"patrol.flag.{f}", lang) for f in r["flags"]),
            "reason": r.get("off_site_reason") or "",
        }
        rows.append(
            html.Tr(
                [html.Td(cells[c], className=f"mq-preport-col-{c}") for c in head],
                className="mq-preport-offsite-row",
                **{"data-key": str(r["submission_id"])},  # type: ignore[arg-type]
            )
        )
    body: list[Any] = (
        [_table(head, rows, lang, "offsite"), *_more(len(rows), report.off_site_total, lang)]
        if rows
        else [html.P(t("preport.offsite.none", lang), className="mq-eval-empty")]
    )
    return html.Section(
        [html.H3(f"{t('preport.offsite.title', lang)}（{report.off_site_total}）"), *body],
        className="mq-eval-card mq-preport-offsite",
    )


def export_links(params: Mapping[str, str], lang: str) -> list[Any]:
    """A line per export of the report under the screen's filters."""
    return [
        html.Div(
            [
                html.Span(t(f"export.{dataset}", lang), className="mq-export-name"),
                *(
                    html.A(
                        t(f"export.format.{fmt}", lang),
                        href=export_url(dataset, fmt, params),
                        className="mq-export-link",
                        **{"data-dataset": dataset, "data-format": fmt},  # type: ignore[arg-type]
                    )
                    for fmt in EXPORT_FORMATS
                ),
            ],
            className="mq-export-line",
        )
        for dataset in EXPORTS
    ]


def worker_options(workers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reassign dialog's choices: name, account and grid."""
    return [
        {
            "label": f"{w['display_name']}（{w['username']}）· {w['grid_name']}",
            "value": int(w["id"]),
        }
        for w in workers
    ]
