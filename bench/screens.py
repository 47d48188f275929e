"""Heavy screens benchmark: the weekly packet (/consult, 周会商), the monthly evaluation
(/evaluation, 月评估) and the briefing (/briefings, 领导简报), each as the user's browser
asks for it (the Dash callback that builds the screen's content, POSTed to the full Flask
app in-process, signed in through the sign-in form) as the commander (the whole city) and
as the supervisor (one street). Target: the first request <= 2 s on the demo city.

    python bench/screens.py [--incidents 200000] [--runs 3] [--think 3] [--format pdf]
    python bench/screens.py --smoke     # one small run on the configured database

Uses (or seeds once, as ``make run`` seeds it: 200,000 incidents, the demo accounts and
patrol) the database ``<name>_bench_screens`` so the development data is untouched.

Per screen and user it prints the page's own request (its layout, Dash's pages router),
then the *first* request of the screen's content in the process (the packet and the
evaluation at once, as their pages ask; the briefing ``--think`` seconds later, when the
user has chosen and pressed the button; the screens keep no cache: nothing computed
before is reused, but this one also pays for what Python and PostgreSQL load on first
use), the median of ``--runs`` *repeated* requests, and, in
the same process, the median of ``--runs`` requests as they were before issue 14
(:func:`before`: the packet's former SQL, PostgreSQL's JIT compiler left on for the
heavy statements, a Chromium started for every briefing file), with the ratio before /
repeated. ``--smoke`` (run by the test suite,
``tests/integration/test_bench_screens.py``) measures each request once, the briefing as
HTML (no Chromium).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import get_settings  # noqa: E402

USERS = ("commander", "supervisor")


@dataclass(frozen=True)
class Row:
    """One screen as one user asks for it (seconds)."""

    screen: str
    user: str
    page_s: float
    first_s: float
    repeat_s: float
    before_s: float


def signed_in(username: str) -> Any:
    """A Flask test client of the full app, signed in through the sign-in form."""
    from app import server
    from governance.demo_accounts import DEMO_ACCOUNTS

    password = next(a.password for a in DEMO_ACCOUNTS if a.username == username)
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        raise RuntimeError("no sign-in form at /login")
    resp = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": found.group(1)},
    )
    if resp.status_code != 302:
        raise RuntimeError(f"{username} could not sign in ({resp.status_code})")
    return client


def _callback(
    client: Any,
    outputs: list[tuple[str, str]],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]] | None = None,
) -> dict[str, Any]:
    """POST one callback as Dash's renderer does; its response (must be a 200)."""
    cookie = client.get_cookie("_csrf_token")
    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state or []],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    resp = client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )
    if resp.status_code != 200:
        raise RuntimeError(f"callback answered {resp.status_code}: {resp.data[:200]!r}")
    return dict(resp.get_json()["response"])


def open_page(client: Any, path: str) -> None:
    """What the browser asks for first: the page's layout (Dash's pages router)."""
    out = _callback(
        client,
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", "")],
    )
    if not out.get("_pages_content"):
        raise RuntimeError(f"{path}: no layout")


PATHS = {"consult": "/consult", "evaluation": "/evaluation", "briefings": "/briefings"}


def requests_of(client: Any, username: str, fmt: str) -> dict[str, Callable[[], None]]:
    """screen -> the request its page makes first, with the page's default values (the
    last full week, the last full month and its first tab, today's daily briefing of the
    user's first area in ``fmt``); each checks that it got the screen, not a message."""
    from governance import consult, evaluation
    from governance.filters import LOCAL_TZ
    from pages.briefings_ids import BriefIds
    from pages.consult_ids import ConsultIds
    from pages.evaluation_ids import EvalIds

    week = consult.default_week().isoformat()
    month = evaluation.default_month()
    area = "" if username == "commander" else _own_area(username)
    today = datetime.now(LOCAL_TZ).date().isoformat()

    def packet() -> None:
        out = _callback(
            client,
            [(ConsultIds.SUMMARY, "children"), (ConsultIds.STUCK, "children")]
            + [(ConsultIds.HOTSPOTS, "children"), (ConsultIds.REPEATS, "children")]
            + [(ConsultIds.BLIND, "children"), (ConsultIds.MESSAGE, "children")],
            [(ConsultIds.WEEK, "value", week)],
        )
        if out[ConsultIds.MESSAGE]["children"]:
            raise RuntimeError(f"/consult: {out[ConsultIds.MESSAGE]['children']}")

    def scorecard() -> None:
        out = _callback(
            client,
            [(EvalIds.BODY, "children"), (EvalIds.MESSAGE, "children")],
            [(EvalIds.MONTH, "value", month), (EvalIds.TABS, "value", "department")],
        )
        if out[EvalIds.MESSAGE]["children"]:
            raise RuntimeError(f"/evaluation: {out[EvalIds.MESSAGE]['children']}")

    def briefing() -> None:
        out = _callback(
            client,
            [(BriefIds.DOWNLOAD, "data"), (BriefIds.STATUS, "children")],
            [(BriefIds.SUBMIT, "n_clicks", 1)],
            [
                (BriefIds.PERIOD, "value", "daily"),
                (BriefIds.DATE, "date", today),
                (BriefIds.AREA, "value", area),
                (BriefIds.FORMAT, "value", fmt),
            ],
        )
        if not (out.get(BriefIds.DOWNLOAD) or {}).get("data"):
            raise RuntimeError(f"/briefings: {out.get(BriefIds.STATUS)}")

    return {"consult": packet, "evaluation": scorecard, "briefings": briefing}


def _own_area(username: str) -> str:
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        return str(
            s.execute(
                text("""SELECT a.code FROM app_user u JOIN area a ON a.id = u.area_id
                        WHERE u.username = :u"""),
                {"u": username},
            ).scalar_one()
        )


@contextmanager
def before() -> Iterator[None]:
    """The screens as they were before issue 14 (for the baseline in the same process)."""
    from bench import screens_before

    with screens_before.patched():
        yield


def _timed(fn: Callable[[], None]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(fmt: str, runs: int, think: float = 0.0) -> list[Row]:
    """Every screen as each user asks for it: the page opened, then its first request,
    ``runs`` repeated ones, and ``runs`` as before issue 14 (:func:`before`, each after
    the page opened again). The weekly packet and the evaluation ask for their content
    as soon as the page is there; the briefing when the user presses the button, here
    ``think`` seconds after the page opened (choosing a period, a date and an area)."""
    out = []
    for username in USERS:
        client = signed_in(username)
        for screen, request in requests_of(client, username, fmt).items():
            page = _timed(lambda c=client, p=PATHS[screen]: open_page(c, p))
            pause = think if screen == "briefings" else 0.0
            time.sleep(pause)
            first = _timed(request)
            repeats = [_timed(request) for _ in range(runs)]
            befores = []
            with before():
                for _ in range(runs):
                    open_page(client, PATHS[screen])
                    time.sleep(pause)
                    befores.append(_timed(request))
            label = f"{screen} ({fmt})" if screen == "briefings" else screen
            out.append(
                Row(
                    label,
                    username,
                    page,
                    first,
                    statistics.median(repeats),
                    statistics.median(befores),
                )
            )
            report_row(out[-1])
    return out


def report_head(total: int, runs: int, think: float) -> None:
    print(
        f"incidents in database: {total:,}; runs: {runs} (median); the briefing's button "
        f"pressed {think:g} s after its page opened; times in s"
    )
    print(
        f"{'screen':20} {'user':11} {'page':>6} {'first':>7} {'repeat':>7} {'before':>7} "
        f"{'before/repeat':>13}  target: first <= 2 s"
    )


def report_row(r: Row) -> None:
    ok = "ok" if r.first_s <= 2.0 else "OVER"
    print(
        f"{r.screen:20} {r.user:11} {r.page_s:6.2f} {r.first_s:7.2f} {r.repeat_s:7.2f} "
        f"{r.before_s:7.2f} "
        f"{r.before_s / r.repeat_s:12.1f}x  {ok}",
        flush=True,
    )


def _total() -> int:
    from sqlalchemy import text

    from geodata.db import session_scope

    with session_scope(admin=True) as s:
        return int(s.execute(text("SELECT count(*) FROM incident")).scalar_one())


def main(argv: list[str] | None = None) -> list[Row]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=200_000, help="seed if the db is empty")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--format", default="pdf", choices=("pdf", "html"), help="the briefing's")
    ap.add_argument(
        "--think", type=float, default=3.0, help="seconds from the briefings page to its button"
    )
    ap.add_argument("--smoke", action="store_true", help="the configured database, once")
    args = ap.parse_args(argv)
    if args.smoke:
        report_head(_total(), 1, 0.0)
        return measure("html", 1)

    from bench.seed import bench_database

    url, owner = bench_database("_bench_screens")
    os.environ["MINQING_DATABASE_URL"] = url
    os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
    get_settings.cache_clear()

    from geodata import demo, migrate
    from geodata.db import session_scope
    from governance.demo_accounts import seed_accounts
    from governance.demo_patrol import seed_patrol

    migrate.upgrade(owner)
    with session_scope(admin=True) as s:
        if demo.is_empty(s):  # the city `make run` seeds
            t0 = time.perf_counter()
            demo.seed(s, incidents=args.incidents, seed=42)
            seed_accounts(s)
            seed_patrol(s, seed=42)
            print(f"seeded {args.incidents:,} incidents in {time.perf_counter() - t0:.1f}s")
    report_head(_total(), args.runs, args.think)
    return measure(args.format, args.runs, args.think)


if __name__ == "__main__":
    main()
