"""The reporter block of an incident panel (反映人): masked, or in clear for one view.

Pure functions from ``governance.incidents`` views (``incident_detail`` masked,
``reveal_reporter`` in clear) to Dash components. Like a key person's clear view, the
clear reporter lives in this block only (the reveal dialog, pages/reveal_dialog.py): no
store, no URL; a fresh click masks again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from i18n import t
from pages.reveal_dialog import RevealDialog, identity_field, revealed_note, state_chip

KIND = "reporter"  # the reveal dialog's kind (callbacks/reveal_dialog.py)


def reporter_view(detail: Mapping[str, Any], lang: str) -> list[Any]:
    """The block's contents: name and phone (masked or clear) and, for a masked view of a
    user who may call back, the reveal form."""
    who = detail.get("reporter") or {}
    masked = bool(who.get("masked", True))
    out: list[Any] = [
        html.H3(
            [
                t("panel.reporter.title", lang),
                state_chip(masked, lang),
            ],
            className="mq-block-title",
        ),
        html.Div(
            [
                identity_field(t("panel.reporter.name", lang), who.get("name"), "mq-reporter-name"),
                identity_field(
                    t("panel.reporter.phone", lang), who.get("phone"), "mq-reporter-phone"
                ),
            ],
            className="mq-fields",
        ),
    ]
    if masked and detail.get("can_reveal_reporter"):
        out.append(
            RevealDialog(
                KIND,
                int(detail["id"]),
                lang,
                note_key="panel.reporter.reveal_note",
                placeholder_key="panel.reporter.reason_placeholder",
            )
        )
    elif not masked:
        out.append(revealed_note(lang))
    return out


def reporter_panel(detail: Mapping[str, Any], lang: str) -> list[Any]:
    """The block appended to an incident panel; nothing for incidents with no reporter
    (grid reports, police alerts, sensors)."""
    if not detail.get("reporter"):
        return []
    return [
        html.Section(
            reporter_view(detail, lang),
            id=RevealDialog.ids.view(KIND, int(detail["id"])),
            className="mq-block mq-block-reporter",
        )
    ]
