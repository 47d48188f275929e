"""The side panel of a key person (重点人员): masked identity, and "show in clear".

Pure functions from the views of ``governance.persons`` (``person_detail`` masked,
``reveal`` in clear) to Dash components. A clear view is drawn into the panel of that one
person only (the reveal dialog, pages/reveal_dialog.py); it is kept in no store and no
URL, so a fresh click on the map, or closing the panel, shows the masked view again. Dash
renders every string as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from i18n import t
from layers.persons import CATEGORY_COLORS
from pages.map_panel import breadcrumb
from pages.reveal_dialog import RevealDialog, identity_field, revealed_note, state_chip

KIND = "person"  # the reveal dialog's kind (callbacks/reveal_dialog.py)
IDENTITY = (
    ("id_number", "panel.person.id_number"),
    ("phone", "panel.person.phone"),
    ("address", "panel.person.address"),
)


def person_view(view: Mapping[str, Any], lang: str) -> list[Any]:
    """A person: name, category, care level, place, identity fields; masked views of a
    user who may reveal carry the reveal form, clear views say they are audited."""
    masked = bool(view.get("masked", True))
    category = str(view.get("category") or "")
    care = view.get("care_level")
    state = state_chip(masked, lang)
    body: list[Any] = [
        html.Div(t("panel.person.title", lang), className="mq-kicker"),
        html.H2(
            [
                html.Span(
                    className="mq-title-dot mq-person-dot",
                    style={"borderColor": CATEGORY_COLORS.get(category, "#6b7785")},
                ),
                html.Span(view.get("full_name") or "—", className="mq-person-name"),
            ],
            className="mq-panel-title",
        ),
        html.Div(
            [
                html.Span(
                    view.get("category_label") or category,
                    className=f"mq-chip mq-person-category mq-person-cat-{category}",
                ),
                html.Span(
                    t(f"layer.persons.care.{care}", lang) if care in (1, 2, 3) else "—",
                    className=f"mq-chip mq-care-chip mq-care-{care}",
                    title=t("panel.person.care", lang),
                ),
                state,
            ],
            className="mq-chips",
        ),
        breadcrumb(view.get("breadcrumb", []), current_last=False),
        html.Div(
            [
                identity_field(t(label, lang), view.get(key), f"mq-person-field mq-person-{key}")
                for key, label in IDENTITY
            ],
            className="mq-fields mq-person-identity",
        ),
    ]
    if masked and view.get("can_reveal"):
        body.append(
            RevealDialog(
                KIND,
                int(view["id"]),
                lang,
                title_key="panel.person.reveal_title",
                note_key="panel.person.reveal_note",
                placeholder_key="panel.person.reason_placeholder",
                className="mq-block mq-reveal",
            )
        )
    elif not masked:
        body.append(revealed_note(lang))
    return body


def person_panel(view: Mapping[str, Any], lang: str) -> list[Any]:
    """The panel body: the person's view in a container a clear view can replace."""
    return [
        html.Div(
            person_view(view, lang),
            id=RevealDialog.ids.view(KIND, int(view["id"])),
            className="mq-person-panel",
        )
    ]
