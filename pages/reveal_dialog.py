"""Show personal data in clear for one view, with a typed reason: an All-in-One component.

A key person's panel and an incident's reporter block each hold a masked view and, for a
user who may reveal, this dialog: a typed reason, a confirm button and a line for
refusals. :class:`RevealDialog` builds it with pattern-matching ids that name the kind of
object (``"person"``, ``"reporter"``) and its id; :meth:`RevealDialog.ids.view` names
the container whose contents a clear view replaces. One callback
(``callbacks/reveal_dialog.py``, registered once at start-up like every callback) serves
every dialog on the page, whatever its kind. It lives in callbacks/ rather than here, as
Dash's AIO examples do, because pages/ builds layouts and never calls a service.

The masked and clear views around it share :func:`state_chip`, :func:`identity_field`
and :func:`revealed_note`.

Every id's ``type`` keeps the map's prefix: the guard lets a callback through by the
prefix of its outputs (``web/security.py`` ``CALLBACK_PERMISSIONS``), so the reveal
callback is open to whoever may use the map and no one else, as before; the service
then checks the role, the area scope and the reason.
"""

from __future__ import annotations

from typing import Any, Final

from dash import dcc, html

from governance.reveal_reason import MIN_REASON, REASON_MAX
from i18n import t


class RevealDialog(html.Section):
    """The reason, the confirm button and the message line of one object's dialog."""

    class ids:
        """Pattern-matching ids of a dialog's parts, for ``kind`` and ``object`` (an id,
        or a wildcard in the callback's declaration)."""

        VIEW: Final = "map-reveal-view"  # the container a clear view replaces
        REASON: Final = "map-reveal-reason"  # the typed reason
        BUTTON: Final = "map-reveal-button"  # the "show in clear" button
        MESSAGE: Final = "map-reveal-message"  # refusals and validation messages

        @staticmethod
        def part(part: str, kind: Any, object_id: Any) -> dict[str, Any]:
            return {"type": part, "kind": kind, "object": object_id}

        @classmethod
        def view(cls, kind: str, object_id: int) -> dict[str, Any]:
            return cls.part(cls.VIEW, kind, int(object_id))

        @classmethod
        def reason(cls, kind: str, object_id: int) -> dict[str, Any]:
            return cls.part(cls.REASON, kind, int(object_id))

        @classmethod
        def button(cls, kind: str, object_id: int) -> dict[str, Any]:
            return cls.part(cls.BUTTON, kind, int(object_id))

        @classmethod
        def message(cls, kind: str, object_id: int) -> dict[str, Any]:
            return cls.part(cls.MESSAGE, kind, int(object_id))

    def __init__(
        self,
        kind: str,
        object_id: int,
        lang: str,
        *,
        note_key: str,
        placeholder_key: str,
        title_key: str | None = None,
        className: str = "mq-reveal",
    ) -> None:
        """The dialog of object ``object_id`` of ``kind``; its texts are the catalog's
        ``title_key`` (a heading, optional), ``note_key`` (says the reason's minimum
        length) and ``placeholder_key``."""
        ids = self.ids
        title = [html.H3(t(title_key, lang), className="mq-block-title")] if title_key else []
        super().__init__(
            [
                *title,
                html.Div(t(note_key, lang, n=MIN_REASON), className="mq-note"),
                html.Div(
                    [
                        dcc.Input(
                            id=ids.reason(kind, object_id),
                            type="text",
                            value="",
                            required=True,
                            minLength=MIN_REASON,
                            maxLength=REASON_MAX,
                            autoComplete="off",
                            placeholder=t(placeholder_key, lang),
                            className="mq-reveal-reason",
                        ),
                        html.Button(
                            t("panel.person.reveal_button", lang),
                            id=ids.button(kind, object_id),
                            n_clicks=0,
                            className="mq-reveal-button",
                        ),
                    ],
                    className="mq-reveal-row",
                ),
                html.Div(
                    id=ids.message(kind, object_id),
                    className="mq-reveal-message",
                    role="alert",
                ),
            ],
            className=className,
        )

    @staticmethod
    def error(message: str) -> html.Div:
        """A refusal, shown on the dialog's message line."""
        return html.Div(message, className="mq-error")


def state_chip(masked: bool, lang: str) -> html.Span:
    """The chip that says whether a view is masked or in clear."""
    return html.Span(
        t("panel.person.masked" if masked else "panel.person.clear", lang),
        className="mq-chip mq-person-state "
        + ("mq-person-masked" if masked else "mq-person-clear"),
    )


def identity_field(label: str, value: Any, className: str) -> html.Div:
    """One identity field of a masked or clear view ("—" when empty)."""
    return html.Div(
        [
            html.Span(label, className="mq-field-label"),
            html.Span("—" if value in (None, "") else str(value), className="mq-field-value"),
        ],
        className=f"mq-field {className}",
    )


def revealed_note(lang: str) -> html.Div:
    """Under a clear view: it is shown for this view only, and audited."""
    return html.Div(t("panel.person.revealed_note", lang), className="mq-note mq-revealed")
