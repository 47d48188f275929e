"""``python app.py export briefing ...``: leaders' briefings as PDF, PNG or HTML.

One briefing::

    python app.py export briefing --period daily --area 441521 --date 2026-11-28 \\
        --format pdf [--out PATH] [--lang zh-CN|en]

Every morning (the scheduler is cron: one line, nothing else to run)::

    # /etc/cron.d/minqing-briefings — 06:30 every day, as the app's user
    30 6 * * * minqing cd /opt/minqing && .venv/bin/python app.py export briefing --schedule

``--schedule`` writes yesterday's daily briefing, on Mondays also last week's weekly
one and on the 1st last month's monthly one, for each area of
``MINQING_BRIEFING_AREAS`` (empty: the whole city and each county), in each format of
``MINQING_BRIEFING_FORMATS``, into ``MINQING_BRIEFING_DIR/<date>/``; on Mondays it also
computes and keeps last week's consultation packet (周会商) for each area, on the 1st
last month's scorecards (月评估), so that their first reader does not wait for them.
Exit status 0 when all were written, 1 otherwise (cron mails the output).
"""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from cli.areas import AREA_HELP
from governance.errors import MinqingError
from i18n import t

log = logging.getLogger(__name__)


@click.group()
def export() -> None:
    """Produce documents from the database (briefings)."""


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a reader (a mail job, a share) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def due_today(today: date) -> list[tuple[str, date]]:
    """The (period, date) pairs the morning run produces on ``today``: yesterday's daily,
    on Mondays last week's weekly, on the 1st last month's monthly."""
    yesterday = today - timedelta(days=1)
    out = [("daily", yesterday)]
    if today.weekday() == 0:
        out.append(("weekly", yesterday))
    if today.day == 1:
        out.append(("monthly", yesterday))
    return out


def scheduled_areas() -> list[str | None]:
    """The areas of the morning run: MINQING_BRIEFING_AREAS, else the city and each county."""
    from geodata.db import session_scope
    from geodata.queries.areas import counties
    from settings import get_settings

    configured = [c.strip() for c in get_settings().briefing_areas.split(",") if c.strip()]
    if configured:
        return list(configured)
    with session_scope() as s:
        return [None, *(str(c["code"]) for c in counties(s))]


def _run_schedule(today: date | None, lang: str) -> None:
    from briefings.render import render
    from governance import briefings
    from governance.briefing_period import parse_request
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work
    from settings import get_settings

    cfg = get_settings()
    today = today or datetime.now(LOCAL_TZ).date()
    folder = (cfg.briefing_dir or Path(cfg.data_dir) / "briefings") / today.isoformat()
    formats = [f.strip() for f in cfg.briefing_formats.split(",") if f.strip()]
    failed = 0
    for kind, day in due_today(today):
        for area in scheduled_areas():
            for fmt in formats:
                try:
                    req = parse_request(period=kind, day=day, area=area, fmt=fmt, lang=lang)
                    with unit_of_work() as s:
                        out = briefings.export(s, None, req, render, username="scheduler")
                except MinqingError as err:
                    failed += 1
                    log.error("briefing %s %s %s failed: %s", kind, area, fmt, err)
                    click.echo(err.user_message(lang), err=True)
                    continue
                path = folder / out.filename
                _write(path, out.data)
                click.echo(t("brief.cli.written", lang, path=path, size=len(out.data)))
            if not _keep_ahead(kind, day, area, lang):
                failed += 1
    sys.exit(1 if failed else 0)


def _keep_ahead(kind: str, day: date, area: str | None, lang: str) -> bool:
    """After a closed week's or month's briefings, its weekly packet (周会商) or its
    monthly scorecards (月评估) too, computed and kept for their first reader."""
    from governance import consult, evaluation
    from governance.uow import unit_of_work

    if kind not in ("weekly", "monthly"):
        return True
    try:
        with unit_of_work() as s:
            if kind == "weekly":
                consult.keep_ahead(s, area, day - timedelta(days=day.weekday()))
            else:
                evaluation.keep_ahead(s, area, day.strftime("%Y-%m"))
    except MinqingError as err:
        log.error("keeping the %s figures of %s ahead failed: %s", kind, area, err)
        click.echo(err.user_message(lang), err=True)
        return False
    return True


@export.command()
@click.option("--period", type=str, default=None, help="daily (日调度), weekly or monthly.")
@click.option(
    "--area", type=str, default=None, help=f"The area (default: the whole city). {AREA_HELP}"
)
@click.option("--date", "day", type=str, default=None, help="YYYY-MM-DD (local); default today.")
@click.option(
    "--format", "fmt", type=str, default="pdf", show_default=True, help="pdf, png or html."
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="File or folder.")
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
@click.option(
    "--schedule",
    is_flag=True,
    help="The morning run: yesterday's daily (Mondays also the weekly, the 1st the "
    "monthly) for MINQING_BRIEFING_AREAS into MINQING_BRIEFING_DIR/<today>/. Cron: "
    "30 6 * * * cd /opt/minqing && .venv/bin/python app.py export briefing --schedule",
)
def briefing(
    period: str | None,
    area: str | None,
    day: str | None,
    fmt: str,
    out: Path | None,
    lang: str | None,
    schedule: bool,
) -> None:
    """Write a briefing of one area and period (KPIs, heatmap, hotspots, scorecard)."""
    from briefings.render import render
    from governance import briefings
    from governance.briefing_period import parse_request
    from governance.filters import LOCAL_TZ
    from governance.uow import unit_of_work
    from settings import get_settings

    lang = lang or get_settings().locale
    if schedule:
        _run_schedule(date.fromisoformat(day) if day else None, lang)
        return
    try:
        req = parse_request(
            period=period,
            day=day or datetime.now(LOCAL_TZ).date().isoformat(),
            area=area,
            fmt=fmt,
            lang=lang,
        )
        with unit_of_work() as s:
            result = briefings.export(s, None, req, render, username="cli")
    except MinqingError as err:
        raise click.ClickException(err.user_message(lang)) from None
    if out is not None and out.is_dir():
        path = out / result.filename
    else:
        path = out or Path(result.filename)
    _write(path, result.data)
    click.echo(t("brief.cli.written", lang, path=path, size=len(result.data)))
