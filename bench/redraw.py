"""Browser benchmark: what one pushed change costs the dispatch board in Chromium.

    python bench/redraw.py                 # 5 runs against the app's database
    python bench/redraw.py --smoke         # one run (make test runs it, tests/e2e)
    python bench/redraw.py --base http://127.0.0.1:8050   # a server already running

Signs in as the demo commander in Debian's Chromium (Playwright, ``MINQING_CHROMIUM``),
opens /dispatch and bumps its refresh tick as the live client does for a pushed change,
in turn:

* **all drawn** (the baseline): the board's store of fingerprints is emptied first, so
  every list card is drawn again, as at a first draw;
* **changed only** (what a refresh does now, ``pages/redraw.py``): the store is left as
  the last refresh filled it, so only the cards whose contents changed are drawn again.

For each it prints the main thread's busy time (Chromium's ``TaskDuration``, from the
tick until the page has settled) and the ratio, and counts the cards a refresh kept
(drawn the same, same elements). Both are measured in this process, on the
same page, alternately; the figures are the medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import servers  # noqa: E402
from settings import get_settings  # noqa: E402

CHROMIUM = Path(os.environ.get("MINQING_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SETTLE_MS = 300  # after the answer is drawn: work it set off is counted too

SETTLED = """(ms) => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(
    () => setTimeout(r, ms))))"""
TICK = """(id) => window.dash_clientside.set_props(id,
    {n_intervals: new window.dash_clientside.Patch().add([], 1).build()})"""
FORGET = """(id) => { try { window.dash_clientside.set_props(id, {data: null}); }
    catch (e) { /* a board from before the store: it draws every card anyway */ } }"""
MARK = """(sel) => document.querySelectorAll(sel).forEach(el => {
    el.__mq = el.outerHTML; el.__mark = true; })"""
KEPT = """(sel) => Array.from(document.querySelectorAll(sel)).map(
    el => ({kept: el.__mark === true, same: el.__mq === el.outerHTML}))"""


def _busy(cdp: Any) -> float:
    """The main thread's work so far, in ms (Chromium's ``TaskDuration`` metric)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return 1000.0 * next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def _refresh(page: Any, cdp: Any, *, forget: bool) -> dict[str, Any]:
    """One tick of the board, all cards drawn (``forget``) or changed ones only."""
    from pages.dispatch_ids import DispatchIds

    cards = "section.mq-dispatch-card"
    if forget:
        page.evaluate(FORGET, DispatchIds.SHOWN)
    page.evaluate(SETTLED, SETTLE_MS)
    page.evaluate(MARK, cards)
    busy = _busy(cdp)
    with page.expect_response(
        lambda r: (
            "_dash-update-component" in r.url and DispatchIds.AS_OF in (r.request.post_data or "")
        )
    ) as info:
        page.evaluate(TICK, DispatchIds.INTERVAL)
    as_of = info.value.json()["response"][DispatchIds.AS_OF]["children"]
    page.wait_for_function(
        "([id, text]) => document.getElementById(id).innerText === text",
        arg=[DispatchIds.AS_OF, as_of],
    )
    page.evaluate(SETTLED, SETTLE_MS)
    busy = _busy(cdp) - busy
    cards_now = page.evaluate(KEPT, cards)
    return {
        "busy_ms": busy,
        "cards": len(cards_now),
        "kept": sum(1 for c in cards_now if c["kept"]),  # the same elements as before
        "same": sum(1 for c in cards_now if c["same"]),  # drawn as before
        "kept_same": sum(1 for c in cards_now if c["kept"] and c["same"]),
    }


def measure(base: str, runs: int, username: str, password: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from pages.dispatch_ids import DispatchIds

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(base + "/login")
            page.fill("#login-username", username)
            page.fill("#login-password", password)
            page.click("#login-submit")
            page.wait_for_url(lambda url: "/login" not in url)
            page.goto(base + "/dispatch")
            page.wait_for_selector(f"#{DispatchIds.list_id('queue')}")
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            components = int(page.evaluate("() => document.querySelectorAll('*').length"))
            rows = int(
                page.evaluate("() => document.querySelectorAll('tr.mq-dispatch-row').length")
            )
            full, partial = [], []
            for _ in range(runs):
                full.append(_refresh(page, cdp, forget=True))
                partial.append(_refresh(page, cdp, forget=False))
        finally:
            browser.close()
    return {"components": components, "rows": rows, "full": full, "partial": partial}


def report(found: dict[str, Any]) -> dict[str, Any]:
    full = statistics.median(r["busy_ms"] for r in found["full"])
    partial = statistics.median(r["busy_ms"] for r in found["partial"])
    kept = sum(r["kept_same"] for r in found["partial"])
    same = sum(r["same"] for r in found["partial"])
    cards = found["partial"][0]["cards"]
    print(f"dispatch board: {found['rows']} rows in {cards} list cards, "
          f"{found['components']} elements on the page")  # fmt: skip
    print(
        f"  all drawn (baseline)   main thread busy {full:6.0f} ms (median of {len(found['full'])})"
    )
    print(f"  changed only (now)     main thread busy {partial:6.0f} ms")
    ratio = partial / full if full else float("nan")
    print(f"  changed only / all drawn  {ratio:.2f}x")
    print(f"  cards that looked the same after a refresh: {same} (over all runs), of them kept "
          f"(not drawn again): {kept}; after an all-drawn refresh kept: "
          f"{sum(r['kept'] for r in found['full'])}")  # fmt: skip
    return {**found, "full_ms": full, "partial_ms": partial, "ratio": ratio, "cards": cards,
            "same": same, "kept_same": kept}  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from governance.demo_accounts import DEMO_ACCOUNTS

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true", help="one run")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--base", help="a server already serving the app (else one is started)")
    ap.add_argument("--user", default="commander")
    args = ap.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    password = next(a.password for a in DEMO_ACCOUNTS if a.username == args.user)
    runs = 1 if args.smoke else max(1, args.runs)
    if args.base:
        return report(measure(args.base.rstrip("/"), runs, args.user, password))
    port = servers.free_port()
    log = open(ROOT / ".data" / f"bench_redraw_{port}.log", "w")
    proc = servers.spawn(port, get_settings().database_url, log)
    try:
        base = f"http://127.0.0.1:{port}"
        servers.wait_healthy(base, proc, log.name)
        started = time.perf_counter()
        found = report(measure(base, runs, args.user, password))
        print(f"  ({time.perf_counter() - started:.0f} s)")
        return found
    finally:
        servers.stop(proc)
        log.close()


if __name__ == "__main__":
    main()
