"""The daily dispatch board (日调度): today's intake, the undispatched queue, overdue and
escalated cases of the viewer's area, each with SLA lights, and one-click dispatch.

For the commander and supervisors (``INCIDENT_DISPATCH``). The layout carries no data:
the first refresh fills it in (callbacks/dispatch.py), then every REFRESH_MS, at once when
a change is pushed (the live indicator bumps the refresh tick, assets/js/minqing-live.js),
and after each dispatch. Reporters never appear; descriptions have contacts redacted.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from governance.access import Principal
from i18n import current_lang, t
from pages import dispatch_parts as parts
from pages.dispatch_ids import DispatchIds
from pages.header import HeaderIds, page_header, tab_title
from pages.live_indicator import live_indicator
from web.security import current_principal

dash.register_page(__name__, path="/dispatch", title=tab_title("nav.dispatch"), name="dispatch")

REFRESH_MS = 60_000  # the fallback tick; pushed changes refresh at once


def header(lang: str, principal: Principal | None) -> html.Header:
    """Top bar: product name, screen name, live indicator, user, language switch."""
    ids = HeaderIds(
        DispatchIds.ACCOUNT, DispatchIds.LOGOUT, DispatchIds.LANG_BUTTON, DispatchIds.LANG_SINK
    )
    live = live_indicator(
        DispatchIds.LIVE, lang, kind="wall", map_id=DispatchIds.ROOT, target=DispatchIds.INTERVAL
    )
    return page_header(
        lang,
        principal,
        ids,
        screen=t("dispatch.page.title", lang),
        subtitle=t("dispatch.page.subtitle", lang),
        before_account=[live],
    )


def layout(**_query: str) -> html.Div:
    """The board in the request's language (filled in by the first refresh)."""
    lang = current_lang()
    principal = current_principal()
    return html.Div(
        [
            header(lang, principal),
            html.Main(
                [
                    html.Div(
                        [
                            html.Span("", id=DispatchIds.AS_OF, className="mq-dispatch-muted"),
                            html.Button(
                                t("dispatch.refresh", lang),
                                id=DispatchIds.REFRESH,
                                n_clicks=0,
                                className="mq-dispatch-button",
                            ),
                            html.Div(
                                id=DispatchIds.MESSAGE,
                                className="mq-dispatch-message",
                                role="status",
                                **{"aria-live": "polite"},  # type: ignore[arg-type]
                            ),
                        ],
                        className="mq-dispatch-toolbar",
                    ),
                    html.Section(
                        parts.intake_summary(None, lang),
                        id=DispatchIds.INTAKE,
                        className="mq-card mq-dispatch-intake",
                    ),
                    html.Section(
                        [
                            html.H2(t("spikes.title", lang), className="mq-dispatch-spikes-title"),
                            html.Div(id=DispatchIds.SPIKES, className="mq-dispatch-spikes"),
                        ],
                        id=DispatchIds.SPIKES_CARD,
                        className="mq-card mq-dispatch-spikes-card",
                        **{"aria-live": "polite"},  # type: ignore[arg-type]
                    ),
                    html.Div(
                        parts.list_slots(lang),
                        id=DispatchIds.LISTS,
                        className="mq-dispatch-lists",
                    ),
                ],
                className="mq-dispatch-main",
            ),
            dcc.Interval(id=DispatchIds.INTERVAL, interval=REFRESH_MS, n_intervals=0),
            dcc.Store(id=DispatchIds.DONE),
            dcc.Store(id=DispatchIds.SHOWN),
        ],
        id=DispatchIds.ROOT,
        className=f"mq-app mq-dispatch mq-lang-{lang}",
        lang=lang,
    )
