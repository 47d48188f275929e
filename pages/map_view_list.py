"""The list of what is in the map's view (governance/view_list.py): a button per case
(the most urgent first, its urgency in words as well as colour), per key site and per
area. A button selects its object as a click on the map would, and the map flies to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from governance.view_list import ViewList
from i18n import t
from layers.incidents import URGENCY_COLORS
from pages.map_ids import MapIds
from pages.map_sla import local


def _group(title: str, items: list[Any], total: int, lang: str) -> html.Section:
    more = total - len(items)
    body: list[Any] = [html.H4(f"{title} ({total})", className="mq-view-group-title")]
    if items:
        body.append(html.Ul([html.Li(i) for i in items], className="mq-view-items"))
    else:
        body.append(html.P(t("viewlist.empty", lang), className="mq-legend-note"))
    if more > 0:
        body.append(html.P(t("viewlist.more", lang, n=more), className="mq-legend-note"))
    return html.Section(body, className="mq-view-group")


def _item(kind: str, row: Mapping[str, Any], lead: list[Any], sub: list[str]) -> html.Button:
    """One entry: what it is (``lead``), then a line of details (empty ones left out);
    a click selects it as a click on the map would."""
    return html.Button(
        [*lead, html.Span(" · ".join(x for x in sub if x), className="mq-view-sub")],
        id=MapIds.view_item(kind, int(row["id"])),
        n_clicks=0,
        className="mq-view-item",
    )


def _incident(row: Mapping[str, Any], names: Mapping[str, str], lang: str) -> html.Button:
    urgency = str(row["urgency"])
    due = (
        t("viewlist.due", lang, at=local(row["due_at"]))
        if row.get("due_at") and urgency != "closed"
        else local(row["occurred_at"])
    )
    state = t(
        "urgency.filter.due_soon" if urgency == "due_soon" else f"legend.urgency.{urgency}", lang
    )
    lead = [
        html.Span(
            state,
            className=f"mq-view-state mq-view-state-{urgency}",
            style={"borderColor": URGENCY_COLORS.get(urgency, "#5c6670")},
        ),
        html.Span(names.get(str(row["category_code"]), str(row["category_code"]))),
    ]
    return _item("incident", row, lead, [row.get("grid") or "", due])


def _site(row: Mapping[str, Any], lang: str) -> html.Button:
    sub = [t(f"site.{row['site_type']}", lang), t(f"risk.{row['risk_grade']}", lang)]
    return _item("site", row, [html.Span(str(row["name"]))], sub)


def _area(row: Mapping[str, Any], lang: str) -> html.Button:
    return _item("area", row, [html.Span(str(row["name"]))], [t(f"level.{row['level']}", lang)])


def _person(row: Mapping[str, Any], lang: str) -> html.Button:
    """No identity: the category, the care level and the grid (the panel masks the rest)."""
    sub = [t("viewlist.care", lang, n=row["care_level"]), row.get("grid") or ""]
    return _item("person", row, [html.Span(t(f"person.{row['category']}", lang))], sub)


def view_list(found: ViewList, category_names: Mapping[str, str], lang: str) -> list[Any]:
    """The lists: cases, key sites, key persons, areas (a list the user may not see, or
    whose layer is off, is left out)."""
    out: list[Any] = [html.P(t("viewlist.hint", lang), className="mq-legend-note")]
    out.append(
        _group(
            t("viewlist.incidents", lang),
            [_incident(r, category_names, lang) for r in found.incidents],
            found.incidents_total,
            lang,
        )
    )
    if found.sites or found.sites_total:
        out.append(
            _group(
                t("viewlist.sites", lang),
                [_site(r, lang) for r in found.sites],
                found.sites_total,
                lang,
            )
        )
    if found.persons or found.persons_total:
        out.append(
            _group(
                t("viewlist.persons", lang),
                [_person(r, lang) for r in found.persons],
                found.persons_total,
                lang,
            )
        )
    out.append(
        _group(
            t("viewlist.areas", lang),
            [_area(r, lang) for r in found.areas],
            found.areas_total,
            lang,
        )
    )
    return out
