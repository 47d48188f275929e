"""The map's "回放 / Playback" control: period, step, slider, play/pause, speed and the
date of the frame shown (callbacks/map_playback.py wires it; assets/js/playback.js plays).

Laid out for touch: every button and the slider's handle are at least 44 px, and the
section fits a 360 px phone's control sheet.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from dash import dcc, html

from i18n import t
from layers.playback import DEFAULT_DAYS, DEFAULT_SPEED, SPEEDS, STEPS


class PlaybackIds:
    """Ids of the playback control (prefix ``map-playback-``: the map's guard)."""

    ON: Final = "map-playback-on"  # playback mode: live incidents and density paused
    DATES: Final = "map-playback-dates"
    STEP: Final = "map-playback-step"
    SLIDER: Final = "map-playback-slider"  # the frame index
    PLAY: Final = "map-playback-play"
    SPEED: Final = "map-playback-speed"
    DATE: Final = "map-playback-date"  # the frame's date, large; data-frame-start once drawn
    MESSAGE: Final = "map-playback-message"
    CONFIG: Final = "map-playback-config"  # {on, url, frames, step, texts} for playback.js
    TICK: Final = "map-playback-tick"
    LAYER: Final = "map-playback-layer"  # the frame's hexagons
    POINTS: Final = "map-playback-points"  # the frame's incidents (zoomed in)
    BADGE: Final = "map-playback-badge"  # the frame's date over the map (the card may be shut)


def playback_controls(lang: str, today: date | None = None) -> html.Div:
    """The section's body: off until the mode switch is ticked."""
    today = today or date.today()
    return html.Div(
        [
            dcc.Checklist(
                id=PlaybackIds.ON,
                options=[{"label": t("playback.mode", lang), "value": "on"}],
                value=[],
                className="mq-playback-on",
                labelClassName="mq-playback-switch",
            ),
            html.Div(
                [
                    html.Label(t("playback.period", lang), className="mq-playback-label"),
                    dcc.DatePickerRange(
                        id=PlaybackIds.DATES,
                        display_format="YYYY-MM-DD",
                        month_format="YYYY-MM",
                        start_date=(today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
                        end_date=today.isoformat(),
                        min_date_allowed=(today - timedelta(days=3 * 365)).isoformat(),
                        max_date_allowed=today.isoformat(),
                        first_day_of_week=1,
                        minimum_nights=0,
                        className="mq-dates mq-playback-dates",
                    ),
                    dcc.RadioItems(
                        id=PlaybackIds.STEP,
                        options=[
                            {"label": t(f"playback.step.{s}", lang), "value": s} for s in STEPS
                        ],
                        value="day",
                        inline=True,
                        className="mq-segmented mq-playback-step",
                        labelClassName="mq-segment",
                    ),
                ],
                className="mq-playback-row",
            ),
            html.Div(
                "",
                id=PlaybackIds.DATE,
                className="mq-playback-date",
                role="status",
                **{"aria-live": "polite"},  # type: ignore[arg-type]
            ),
            html.Div(  # playback.js names the slider's handle from data-slider-label
                dcc.Slider(
                    id=PlaybackIds.SLIDER,
                    min=0,
                    max=DEFAULT_DAYS - 1,
                    step=1,
                    value=0,
                    marks=None,
                    updatemode="drag",
                    allow_direct_input=False,
                    disabled=True,
                    className="mq-playback-slider",
                ),
                className="mq-playback-slider-box",
                **{"data-slider-label": t("playback.frame", lang)},  # type: ignore[arg-type]
            ),
            html.Div(
                [
                    html.Button(
                        "▶ " + t("playback.play", lang),
                        id=PlaybackIds.PLAY,
                        n_clicks=0,
                        disabled=True,
                        className="mq-playback-play",
                        **{"aria-pressed": "false"},  # type: ignore[arg-type]
                    ),
                    html.Span(t("playback.speed", lang), className="mq-playback-label"),
                    dcc.RadioItems(
                        id=PlaybackIds.SPEED,
                        options=[{"label": f"{s}×", "value": s} for s in SPEEDS],
                        value=DEFAULT_SPEED,
                        inline=True,
                        className="mq-segmented mq-playback-speed",
                        labelClassName="mq-segment",
                    ),
                ],
                className="mq-playback-buttons",
            ),
            html.Div(id=PlaybackIds.MESSAGE, className="mq-playback-message", role="alert"),
            html.Div(t("playback.off", lang), className="mq-legend-note"),
            dcc.Store(id=PlaybackIds.CONFIG),
            dcc.Interval(id=PlaybackIds.TICK, interval=1000 // DEFAULT_SPEED, disabled=True),
        ],
        className="mq-playback",
    )


def playback_badge() -> html.Div:
    """The frame's date over the map while playback is on, so that it stays in sight with
    the control card collapsed (a phone's sheet): written by assets/js/playback.js; the
    card's label is the one screen readers hear."""
    return html.Div(id=PlaybackIds.BADGE, className="mq-playback-badge", **{"aria-hidden": "true"})  # type: ignore[arg-type]
