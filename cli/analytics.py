"""``python app.py analytics crosscheck``: the reverse cross-check (逆向倒查) of an area and
period, as a commander or supervisor reads it: the method, then the blind spots by grid and
by H3 cell, each with its counts, p and q values and the words that explain them."""

from __future__ import annotations

import json

import click

from cli.areas import AREA_HELP
from governance.errors import MinqingError


@click.group()
def analytics() -> None:
    """Analyses of the grid's work (逆向倒查 ...)."""


@analytics.command()
@click.option(
    "--as", "as_", required=True, help="A commander or supervisor (asks for the password)."
)
@click.option("--area", default=None, help=AREA_HELP + " Default: the user's own scope.")
@click.option("--window", default="90d", show_default=True, help="7d, 30d, 90d, 365d ...")
@click.option("--start", default=None, help="First day (YYYY-MM-DD), instead of --window.")
@click.option("--end", default=None, help="Last day (YYYY-MM-DD), inclusive.")
@click.option(
    "--channels",
    default="residents",
    show_default=True,
    help="The external side: residents (12345, 110, public), sensors, or all.",
)
@click.option("--category", default=None, help="List only this category (a code).")
@click.option("--json", "as_json", is_flag=True, help="The whole answer as one JSON object.")
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
def crosscheck(
    as_: str,
    area: str | None,
    window: str,
    start: str | None,
    end: str | None,
    channels: str,
    category: str | None,
    as_json: bool,
    lang: str | None,
) -> None:
    """Where 12345/110/public reports report a kind of problem that the grid's own reports
    of that place rarely do, and where the grid's own reports are mostly rejected
    (one-sided binomial tests, Benjamini-Hochberg)."""
    from cli.users import _actor
    from governance import crosscheck as service
    from governance.uow import unit_of_work
    from settings import get_settings

    lang = lang or get_settings().locale
    who = _actor(as_)
    try:
        with unit_of_work(who) as s:
            out = service.crosscheck(
                s,
                who,
                area=area,
                window=window,
                start=start,
                end=end,
                channels=channels,
                category=category,
                lang=lang,
            )
    except MinqingError as err:
        raise click.ClickException(err.user_message(lang)) from None
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    p = out["period"]
    click.echo(f"{p['start']} .. {p['end']}  area {out['area'] or 'city'}")
    click.echo(out["method"])
    click.echo(
        f"tested: {out['tested']['grids']} grid x category, {out['tested']['cells']} cell x category"
    )
    for kind in ("grids", "cells", "padding"):
        label = "possible padding by grid" if kind == "padding" else f"blind spots by {kind[:-1]}"
        click.echo(f"{label}: {len(out[kind])}")
        for f in out[kind]:
            where = f"{f['place']} {f['name'] or ''}".strip()
            click.echo(f"  {where}\t{f['category_name']}\t{f['before']}\t{f['words']}")


@analytics.command()
@click.option("--weeks", default=52, show_default=True, help="Weekly bins (10 to 104).")
@click.option(
    "--permutations",
    default=99,
    show_default=True,
    help="Conditional permutations per Gi* (0: the analytical z; at most 999).",
)
@click.option("--area", default=None, help=AREA_HELP + " Default: the whole city.")
@click.option(
    "--as", "as_", default=None, help="Run as this user (area scope applies); default: operator."
)
@click.option("--json", "as_json", is_flag=True, help="The whole answer as one JSON object.")
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
def emerging(
    weeks: int,
    permutations: int,
    area: str | None,
    as_: str | None,
    as_json: bool,
    lang: str | None,
) -> None:
    """Emerging hot spots (新兴热点): Gi* per H3 cell and week, Mann-Kendall trend, ESRI's
    categories; stores the result of the area (one transaction) for the map and the
    briefings, replacing the previous one."""
    from governance import emerging as service
    from governance.uow import unit_of_work
    from settings import get_settings

    lang = lang or get_settings().locale
    try:
        if as_:
            from cli.users import _actor

            who = _actor(as_)
            with unit_of_work(who) as s:
                out = service.run(
                    s, who, weeks=weeks, permutations=permutations, area=area, lang=lang
                )
        else:
            with unit_of_work() as s:
                out = service.run_system(
                    s, weeks=weeks, permutations=permutations, area=area, lang=lang
                )
    except MinqingError as err:
        raise click.ClickException(err.user_message(lang)) from None
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"area {out['scope'] or 'city'}: {out['cells']} cells, {out['incidents']} incidents")
    click.echo(out["period"])
    click.echo(out["method_words"])
    for key, n in out["found"].items():
        if n:
            click.echo(f"  {out['found_words'].get(key, key)}\t{n}")


@analytics.command()
@click.option(
    "--at",
    default=None,
    help="Evaluate the 24 hours ending at this time (ISO, local if no offset). Default: now.",
)
@click.option("--json", "as_json", is_flag=True, help="The stored warnings as one JSON list.")
@click.option("--lang", default=None, help="zh-CN or en (default: MINQING_LOCALE).")
def spikes(at: str | None, as_json: bool, lang: str | None) -> None:
    """Spike warnings (突增预警): every street x category whose count in the last 24 hours is
    significantly above what its place, weekday and hour lead us to expect; stores the new
    ones and announces them to open walls and dispatch boards (what the server does every
    MINQING_SPIKE_SECONDS)."""
    from governance import spikes as service
    from governance.uow import unit_of_work
    from i18n import t
    from settings import get_settings

    lang = lang or get_settings().locale
    try:
        when = service.parse_at(at)
        with unit_of_work() as s:
            stored = service.evaluate(s, when)
    except MinqingError as err:
        raise click.ClickException(err.user_message(lang)) from None
    if as_json:
        rows = [
            {**w.__dict__, "window_start": w.window_start.isoformat(),
             "window_end": w.window_end.isoformat()}
            for w in stored
        ]  # fmt: skip
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    click.echo(t("spikes.cli.stored", lang, at=(when or "now"), n=len(stored)))
    click.echo(service.method(lang))
    for w in stored:
        click.echo(
            f"  {w.area_code} {w.area_name}\t{w.category}\t{w.observed} / {w.expected:.2f}"
            f"\tp={w.p:.2g} q={w.q:.2g}"
        )


@analytics.command("crosscheck-alerts")
def crosscheck_alerts() -> None:
    """Publish this week's blind spots of the whole city (90 days) to their subscribers, as
    the server does once a day; a second run in the same week publishes nothing."""
    from governance import crosscheck_alerts as service
    from governance.uow import unit_of_work

    with unit_of_work() as s:
        created = service.publish_blind_spots(s)
    click.echo(f"inbox rows created: {created}")
