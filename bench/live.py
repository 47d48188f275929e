"""Live-updates benchmark: from a committed change to the event at subscribed SSE clients.

    python bench/live.py                  # 500 concurrent streams (bench/live_streams.py)
    python bench/live.py --smoke          # the same, ~20 streams on the configured database
    python bench/live.py latency --events 200 --subscribers 20

Mode ``latency``, below:

Serves the app with gunicorn (as ``python app.py serve`` does: 2 gthread workers) on a
separate, small database ``<name>_bench_live`` (seeded once), signs in SSE clients as the
commander (city-wide, so every change reaches every client) and then, one change at a
time, measures from sending the HTTP request that makes the change until the change
event has arrived at the client(s):

* a transition: ``POST /api/v1/incidents/{id}/transitions`` (suspend / resume in turn),
  signed in as the commander, with one client and with ``--subscribers`` clients (the
  time until the last of them has it);
* an intake: ``POST /api/v1/incidents`` with a source token (a new incident each time).

"POST to screen" is the time from sending the POST; "commit to screen" subtracts the
POST's own round trip (its response is sent after the commit, so this bounds the push
path from above). Clients run in this process on the same machine; the figures leave out
the browser's own refetch of the layer (one layer request, see bench/density.py).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import live_streams, servers  # noqa: E402
from bench.density import p95  # noqa: E402
from bench.seed import bench_database  # noqa: E402
from settings import get_settings  # noqa: E402


def serve(url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """``app.py serve`` on ``port`` over ``url``, once it answers (its log under .data/)."""
    log = open(ROOT / ".data" / f"bench_live_{port}.log", "w")
    env = {"MINQING_LOG_LEVEL": "WARNING"}
    proc = servers.spawn(port, url, log, workers=workers, threads=threads, env=env)
    try:
        servers.wait_healthy(f"http://127.0.0.1:{port}", proc, log.name)
    except RuntimeError as err:
        raise SystemExit(str(err)) from None
    return proc


def sign_in(base: str, username: str, password: str | None = None) -> Any:
    """A requests session signed in through the login form (default: a demo account's
    password)."""
    import requests

    from governance.demo_accounts import DEMO_ACCOUNTS

    if password is None:
        password = next(a.password for a in DEMO_ACCOUNTS if a.username == username)
    http = requests.Session()
    page = http.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no sign-in form"
    http.post(
        base + "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        timeout=10,
    ).raise_for_status()
    return http


class Subscriber:
    """One SSE client on a thread: (incident id, version) -> arrival time."""

    def __init__(self, base: str, http: Any) -> None:
        self.base, self.http = base, http
        self.arrivals: queue.Queue[tuple[int, int | None, float]] = queue.Queue()
        self.ready = threading.Event()
        self.stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        import json

        while not self.stop:
            resp = self.http.get(self.base + "/api/v1/stream", stream=True, timeout=30)
            event, busy = None, False
            for line in resp.iter_lines(decode_unicode=True):
                if line.startswith("retry:"):
                    self.ready.set()
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "change":
                    now = time.perf_counter()
                    for item in json.loads(line[5:])["items"]:
                        self.arrivals.put((item["id"], item.get("version"), now))
                elif line.startswith("data:") and event == "end":
                    busy = '"busy"' in line
                if self.stop:
                    break
            resp.close()
            if busy:  # this worker is full: come back (and land on the other one)
                self.ready.clear()
                time.sleep(0.2)

    def wait(self, incident_id: int, version: int | None, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        while True:
            iid, ver, at = self.arrivals.get(timeout=max(0.01, deadline - time.monotonic()))
            if iid == incident_id and (version is None or ver == version):
                return at


def measure(
    label: str,
    n: int,
    change: Callable[[int], tuple[int, int | None, float, float]],
    subs: list[Subscriber],
) -> tuple[str, list[float], list[float]]:
    """Run ``change`` n times (each: (id, version, t_sent, t_answered)), one at a time."""
    post_to_screen, commit_to_screen = [], []
    change(-1)  # warm-up
    for sub in subs:
        while not sub.arrivals.empty():
            sub.arrivals.get_nowait()
    for k in range(n):
        iid, version, sent, answered = change(k)
        last = max(sub.wait(iid, version) for sub in subs)
        post_to_screen.append(last - sent)
        commit_to_screen.append(max(0.0, last - answered))
    return label, post_to_screen, commit_to_screen


def bench_setup(incidents: int) -> str:
    """Point the settings at the benchmark database, migrated and seeded (once); its app
    URL."""
    url, owner = bench_database("_bench_live")
    os.environ["MINQING_DATABASE_URL"] = url
    os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
    get_settings.cache_clear()
    from cli.demo import seed_demo
    from geodata import migrate

    migrate.upgrade(owner)
    seed_demo(incidents, 42, if_empty=True, reset=False)
    return url


def intake_token() -> tuple[str, str]:
    """A new source token allowed to register incidents, and a category to register."""
    from sqlalchemy import text

    from geodata.db import session_scope
    from governance.tokens import create_source_token

    with session_scope(admin=True) as s:
        token = create_source_token(
            s, source="12345", scopes=["incidents:write"], name="bench live"
        ).token
        category = s.execute(
            text("SELECT code FROM incident_category WHERE parent_code IS NOT NULL LIMIT 1")
        ).scalar_one()
    return token, category


def post_intake(
    http: Any,
    base: str,
    token: str,
    category: str,
    k: int,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[int, float, float]:
    """Register a new incident in 城区 (the demo city's urban core) through the API with a
    source token: (its id, ``clock()`` when sent, ``clock()`` when answered)."""
    body = {
        "external_id": f"bench-live-{uuid4()}",
        "category": category,
        "occurred_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "lon": 115.36 + (k % 50) * 0.0004,
        "lat": 22.78 + (k % 40) * 0.0003,
    }
    sent = clock()
    r = http.post(
        f"{base}/api/v1/incidents",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answered = clock()
    r.raise_for_status()
    return int(r.json()["id"]), sent, answered


def latency(args: argparse.Namespace) -> None:
    """One change at a time, from the POST to the screen (1 and ``--subscribers`` clients)."""
    url = bench_setup(args.incidents)
    token, category = intake_token()
    port = servers.free_port()
    proc = serve(url, port, args.workers, args.threads)
    base = f"http://127.0.0.1:{port}"
    try:
        writer = sign_in(base, "commander")
        csrf = writer.cookies.get("_csrf_token")
        many = [Subscriber(base, sign_in(base, "commander")) for _ in range(args.subscribers)]
        for sub in many:
            assert sub.ready.wait(30), "a client could not subscribe"
        time.sleep(0.5)
        one = many[:1]
        state = {"id": live_streams.fresh_incident(""), "version": 1}

        def transition(_k: int) -> tuple[int, int | None, float, float]:
            action = "suspend" if state["version"] % 2 else "resume"
            sent = time.perf_counter()
            r = writer.post(
                f"{base}/api/v1/incidents/{state['id']}/transitions",
                json={"action": action, "expected_version": state["version"], "note": "基准测试"},
                headers={"X-CSRFToken": csrf},
                timeout=10,
            )
            answered = time.perf_counter()
            r.raise_for_status()
            state["version"] = r.json()["version"]
            return state["id"], state["version"], sent, answered

        import requests

        intake_http = requests.Session()

        def intake(k: int) -> tuple[int, int | None, float, float]:
            iid, sent, answered = post_intake(intake_http, base, token, category, k)
            return iid, None, sent, answered

        rows = [
            measure("transition, 1 client", args.events, transition, one),
            measure(f"transition, {len(many)} clients", args.events, transition, many),
            measure("intake (new incident), 1 client", args.events, intake, one),
        ]
        print(
            f"\n{args.events} changes each, one at a time; gunicorn {args.workers} workers x "
            f"{args.threads} threads; times in ms\n"
        )
        head = f"{'change':34} {'POST to screen p50/p95/max':>28} {'commit to screen p50/p95':>26}"
        print(head)
        print("-" * len(head))
        for label, post, commit in rows:
            print(
                f"{label:34} {statistics.median(post) * 1000:>10.1f} / {p95(post) * 1000:<6.1f}"
                f" / {max(post) * 1000:<7.1f} {statistics.median(commit) * 1000:>12.1f} / "
                f"{p95(commit) * 1000:<8.1f}"
            )
        for sub in many:
            sub.stop = True
    finally:
        servers.stop(proc, timeout=20)


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument(
        "mode",
        nargs="?",
        choices=("streams", "latency"),
        default="streams",
        help="streams: many concurrent streams (bench/live_streams.py); latency: one "
        "change at a time to --subscribers clients",
    )
    ap.add_argument("--smoke", action="store_true", help="streams mode, small, configured db")
    ap.add_argument("--events", type=int, default=200, help="latency: changes per row")
    ap.add_argument("--subscribers", type=int, default=20, help="latency: clients")
    ap.add_argument("--incidents", type=int, default=20_000, help="demo city size (seeded once)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=get_settings().threads)
    live_streams.add_arguments(ap)
    args = ap.parse_args(argv)
    if args.mode == "latency" and not args.smoke:
        latency(args)
        return None
    if not args.smoke:
        bench_setup(args.incidents)
    return live_streams.run(args)


if __name__ == "__main__":
    main()
