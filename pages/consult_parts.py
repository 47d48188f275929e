"""What the weekly consultation packet draws: three sections of masked rows.

The map has no query parameter that selects an incident, so a case is shown by its
number (``#id``) rather than as a link.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dash import html

from governance import catalog, emerging
from governance.consult import (
    CROSSCHECK_DAYS,
    MAX_ROWS,
    REPEAT_DAYS,
    REPEAT_MIN,
    Packet,
    RepeatedAddress,
    StuckCase,
)
from governance.hotspots import MIN_COUNT, Hotspot
from i18n import t
from pages.map_ids import incident_link


def week_label(monday: date, lang: str, current: bool = False) -> str:
    """ "2026-11-16 至 2026-11-22（第 47 周）"."""
    label = t(
        "consult.week_label",
        lang,
        start=monday.isoformat(),
        end=(monday + timedelta(days=6)).isoformat(),
        n=monday.isocalendar().week,
    )
    return t("consult.week_current", lang, label=label) if current else label


def _category(code: str | None, lang: str) -> str:
    if code is None:
        return t("analytics.none", lang)
    cat = catalog.category(code)
    return cat.name(lang) if cat else code


def _table(kind: str, columns: list[str], rows: list[html.Tr], lang: str) -> html.Div:
    head = html.Thead(
        html.Tr(
            [html.Th(t(f"consult.col.{c}", lang), className=f"mq-consult-col-{c}") for c in columns]
        )
    )
    return html.Div(
        html.Table([head, html.Tbody(rows)], className=f"mq-consult-table mq-consult-{kind}"),
        className="mq-consult-table-wrap",
    )


def _cells(values: dict[str, Any], key: str, css: str = "") -> html.Tr:
    return html.Tr(
        [html.Td(v, className=f"mq-consult-col-{c}") for c, v in values.items()],
        className=f"mq-consult-row {css}".strip(),
        **{"data-key": key},  # type: ignore[arg-type]
    )


def _case_ref(incident_id: int) -> html.A:
    """The case number, opening the case on the map (panel, timeline, actions)."""
    return html.A(f"#{incident_id}", href=incident_link(incident_id), className="mq-consult-case")


def _stuck_row(c: StuckCase, lang: str) -> html.Tr:
    department = c.department_en if lang == "en" else c.department_zh
    overdue = (
        t("analytics.none", lang)
        if c.overdue_days is None
        else t("consult.overdue_days", lang, n=f"{c.overdue_days:.1f}")
    )
    return _cells(
        {
            "id": _case_ref(c.id),
            "category": _category(c.category_code, lang),
            "grid": c.grid_name or t("analytics.none", lang),
            "department": department or t("consult.no_department", lang),
            "status": t(f"status.{c.status}", lang),
            "moves": str(c.moves),
            "overdue": overdue,
            "description": c.description,
        },
        str(c.id),
        "mq-consult-overdue" if c.overdue_days is not None else "",
    )


def _hot_row(h: Hotspot, lang: str) -> html.Tr:
    return _cells(
        {
            "label": html.Span(
                t(f"consult.label.{h.label}", lang), className=f"mq-consult-label-{h.label}"
            ),
            "grid": h.grid_name or f"H3 {h.cell:x}",
            "category": _category(h.top_category, lang),
            "count": str(h.count),
            "previous": str(h.previous),
        },
        str(h.cell),
    )


def _repeat_row(r: RepeatedAddress, lang: str) -> html.Tr:
    return _cells(
        {
            "grid": r.grid_name,
            "address": r.address,
            "category": _category(r.top_category, lang),
            "reports": f"{r.count} ({r.week_count})",
            "cases": html.Span([_case_ref(i) for i in r.incident_ids[:8]]),
        },
        f"{r.grid_name}|{r.address}",
    )


def _section(
    kind: str, title: str, note: str, table: Any, total: int, shown: int, lang: str
) -> html.Section:
    parts: list[Any] = [
        html.H2(title, className="mq-consult-title"),
        html.P(note, className="mq-consult-note"),
    ]
    if shown == 0:
        parts.append(html.P(t("analytics.empty", lang), className="mq-consult-empty"))
    else:
        parts.append(table)
        if total > shown:
            parts.append(
                html.P(
                    t("consult.more", lang, total=total, shown=shown), className="mq-consult-note"
                )
            )
    return html.Section(parts, className=f"mq-consult-section mq-consult-section-{kind}")


def _blind_row(g: dict[str, Any], lang: str) -> html.Tr:
    return _cells(
        {
            "grid": g["name"],
            "blind": str(g["blind"]),
            "categories": "、".join(_category(c, lang) for c in g["categories"][:4])
            if lang == "zh-CN"
            else ", ".join(_category(c, lang) for c in g["categories"][:4]),
            "sides": f"{g['external']} / {g['own']}",
            "blind_trend": t("crosscheck.trend." + g["trend"], lang, before=g["before"]),
        },
        g["grid"],
        f"mq-consult-trend-{g['trend']}",
    )


def blind_section(p: Packet, lang: str) -> html.Section:
    """The grids with blind spots over the 90 days up to the week's end, and the way to
    the cross-check screen for the rest."""
    cols = ["grid", "blind", "categories", "sides", "blind_trend"]
    table = _table("blind", cols, [_blind_row(g, lang) for g in p.blind], lang)
    section = _section(
        "blind",
        t("consult.blind.title", lang),
        t("consult.blind.note", lang, days=CROSSCHECK_DAYS)
        + (t("consult.blind.as_of", lang, at=p.blind_as_of) if p.blind_as_of else ""),
        table,
        p.blind_total,
        len(p.blind),
        lang,
    )
    section.children.append(  # type: ignore[union-attr]
        html.A(t("consult.blind.more", lang), href="/crosscheck", className="mq-consult-more")
    )
    return section


def summary(p: Packet, lang: str) -> str:
    """One line: the week and how much each section holds."""
    return t(
        "consult.summary",
        lang,
        start=p.start.date().isoformat(),
        end=(p.end.date() - timedelta(days=1)).isoformat(),
        stuck=p.stuck_total,
        hot=len(p.hotspots),
        repeats=p.repeats_total,
        blind=p.blind_total,
    )


def stuck_section(p: Packet, lang: str) -> html.Section:
    cols = ["id", "category", "grid", "department", "status", "moves", "overdue", "description"]
    table = _table("stuck", cols, [_stuck_row(c, lang) for c in p.stuck], lang)
    return _section(
        "stuck",
        t("consult.stuck.title", lang),
        t("consult.stuck.note", lang),
        table,
        p.stuck_total,
        len(p.stuck),
        lang,
    )


def hotspot_section(p: Packet, lang: str) -> html.Section:
    """The week's hotspots, then the emerging hot spots of the stored analysis."""
    cols = ["label", "grid", "category", "count", "previous"]
    table = _table("hotspots", cols, [_hot_row(h, lang) for h in p.hotspots], lang)
    section = _section(
        "hotspots",
        t("consult.hot.title", lang),
        t("consult.hot.note", lang, min=MIN_COUNT),
        table,
        len(p.hotspots),
        len(p.hotspots),
        lang,
    )
    return html.Section([section, emerging_block(p, lang)], className="mq-consult-hot-all")


def emerging_block(p: Packet, lang: str) -> html.Div:
    """Emerging hot spots: the count per category and the first cells with their grid,
    with the analysis' own period and method (nothing stored yet: says so)."""
    parts: list[Any] = [html.H3(t("emerging.briefing.title", lang), className="mq-consult-title")]
    if p.emerging is None:
        parts.append(html.P(t("emerging.legend.none", lang), className="mq-consult-empty"))
        return html.Div(parts, className="mq-consult-emerging")
    w = emerging.summary_words(p.emerging, lang)
    parts += [html.P(w["period"], className="mq-consult-note")]
    if not w["counts"]:
        parts.append(html.P(t("emerging.briefing.none", lang), className="mq-consult-empty"))
    else:
        parts.append(
            html.Ul(
                [
                    html.Li(
                        t("emerging.briefing.count", lang, name=c["name"], n=c["cells"]),
                        className=f"mq-consult-emerging-{c['category']}",
                    )
                    for c in w["counts"]
                ],
                className="mq-consult-emerging-counts",
            )
        )
        rows = [
            html.Tr([html.Td(c["name"]), html.Td(c["grid"]), html.Td(c["total"]),
                     html.Td(c["trend"])])
            for c in w["top"]
        ]  # fmt: skip
        parts.append(_table("emerging", ["pattern", "grid", "total", "trend"], rows, lang))
    parts.append(html.P(w["method"], className="mq-consult-note"))
    return html.Div(parts, className="mq-consult-emerging")


def repeat_section(p: Packet, lang: str) -> html.Section:
    cols = ["grid", "address", "category", "reports", "cases"]
    table = _table("repeats", cols, [_repeat_row(r, lang) for r in p.repeats], lang)
    return _section(
        "repeats",
        t("consult.repeat.title", lang),
        t("consult.repeat.note", lang, days=REPEAT_DAYS, min=REPEAT_MIN),
        table,
        p.repeats_total,
        min(len(p.repeats), MAX_ROWS),
        lang,
    )
