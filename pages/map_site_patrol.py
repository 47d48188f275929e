"""The site panel's patrol part: the latest visits and the open cases they raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from i18n import t


def site_patrol(site: Mapping[str, Any], lang: str) -> list[Any]:
    """The site's latest visits and the open cases they raised."""
    visits = site.get("visits") or []
    rows = []
    for v in visits:
        notes = []
        if v.get("failed_items"):
            notes.append(t("panel.site.visit_problems", lang, n=v["failed_items"]))
        if v.get("on_site") is False:
            notes.append(t("panel.site.visit_off_site", lang))
        if v.get("late"):
            notes.append(t("panel.site.visit_late", lang))
        rows.append(
            html.Li(
                [
                    html.Span(v["period"], className="mq-visit-period"),
                    html.Span(
                        v["status_label"], className=f"mq-visit-status mq-visit-{v['status']}"
                    ),
                    html.Span(
                        " · ".join(x for x in (v.get("filled_at"), v.get("worker"), *notes) if x),
                        className="mq-visit-meta",
                    ),
                ],
                className="mq-visit",
                **{"data-task": str(v["task_id"])},  # type: ignore[arg-type]
            )
        )
    findings = [
        html.Li(
            f"#{f['incident_id']} {f['category']} · {f['status_label']} · {f['reported']}",
            className="mq-finding",
            **{"data-incident": str(f["incident_id"])},  # type: ignore[arg-type]
        )
        for f in site.get("open_findings") or []
    ]
    return [
        html.H3(t("panel.site.patrol", lang), className="mq-panel-subtitle"),
        html.Ul(rows, className="mq-visits")
        if rows
        else html.Div(t("panel.site.patrol_none", lang), className="mq-empty"),
        html.H3(t("panel.site.findings", lang), className="mq-panel-subtitle"),
        html.Ul(findings, className="mq-findings")
        if findings
        else html.Div(t("panel.site.findings_none", lang), className="mq-empty"),
    ]
