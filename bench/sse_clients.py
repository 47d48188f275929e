"""Hundreds of SSE clients in one process (asyncio + aiohttp), for bench/live.py.

Each client is a real HTTP connection to the stream server, with a signed-in session's
cookie and the app's ``Origin`` (as a page's EventSource sends them), reading
``text/event-stream`` and noting when each ``change`` item arrives. They run in a process
of their own (``multiprocessing``, spawn) so that the benchmark's other threads (the
writer, the map clients) do not delay their clocks through the GIL; arrival times are
``time.monotonic()``, which on Linux is one clock for every process of the machine.

Protocol with the parent, over a pipe: the child sends ``("connected", n)`` as streams
open (and again when all are), the parent sends ``"stop"``, the child answers
``("arrivals", [[(id, version, t), ...] per stream], counters)`` and exits (counters:
streams ever connected, reconnections, refusals, most open at once).
"""

from __future__ import annotations

import asyncio
import json
import time
from multiprocessing.connection import Connection
from typing import Any

Arrival = tuple[int, int | None, float]


async def _one(
    http: Any,
    url: str,
    headers: dict[str, str],
    out: list[Arrival],
    state: dict[str, int],
    stop: asyncio.Event,
) -> None:
    """One client: connect, read, reconnect after an end (as EventSource does)."""
    first = True
    while not stop.is_set():
        is_open = False
        try:
            async with http.get(url, headers=headers) as resp:
                if resp.status != 200:
                    state["refused"] += 1
                else:
                    event = None
                    async for raw in resp.content:
                        line = raw.decode("utf-8").rstrip("\n")
                        if line == ": minqing live":  # a stream (``end: busy`` has none)
                            is_open = True
                            state["open"] += 1
                            state["most_open"] = max(state["most_open"], state["open"])
                            if first:
                                first = False
                                state["connected"] += 1
                        elif line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:") and event == "change":
                            now = time.monotonic()
                            for item in json.loads(line[5:])["items"]:
                                out.append((int(item["id"]), item.get("version"), now))
        except (OSError, TimeoutError, ValueError):
            pass
        finally:
            if is_open:
                state["open"] -= 1
        if not stop.is_set():
            state["reconnects"] += 1
            await asyncio.sleep(1.0)


async def _main(url: str, origin: str, cookies: list[str], conn: Connection) -> None:
    n = len(cookies)
    import aiohttp

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    state = {"connected": 0, "reconnects": 0, "refused": 0, "open": 0, "most_open": 0}
    arrivals: list[list[Arrival]] = [[] for _ in range(n)]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None, sock_connect=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        tasks = [
            asyncio.create_task(
                _one(
                    http,
                    url,
                    {"Cookie": cookies[i], "Origin": origin},
                    arrivals[i],
                    state,
                    stop,
                )
            )
            for i in range(n)
        ]
        waiting = loop.run_in_executor(None, conn.recv)
        reported = -1
        while not waiting.done():
            if state["connected"] != reported:
                reported = state["connected"]
                conn.send(("connected", reported))
            await asyncio.sleep(0.1)
        stop.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    conn.send(("arrivals", arrivals, state))


def run(url: str, origin: str, cookies: list[str], conn: Connection) -> None:
    """A child process: a stream of ``url`` per cookie of ``cookies``."""
    asyncio.run(_main(url, origin, cookies, conn))


def commit_clock(database_url: str, conn: Connection) -> None:
    """Another child: LISTEN on the incidents' channel and note when each notification
    arrives, i.e. when its change was committed (PostgreSQL sends notifications at commit),
    on the clock the SSE clients use. Sends ``("ready",)``, then on ``"stop"`` answers
    ``("commits", [(id, version, t), ...])``."""
    import select

    import psycopg2
    import psycopg2.extensions

    from geodata.listen import INCIDENT_CHANNEL, connect_params

    pg = psycopg2.connect(**connect_params(database_url, "bench-commit-clock"))
    pg.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
    with pg.cursor() as cur:
        cur.execute(f"LISTEN {INCIDENT_CHANNEL}")
    conn.send(("ready",))
    commits: list[Arrival] = []
    while True:
        ready, _, _ = select.select([pg, conn], [], [], 1.0)
        now = time.monotonic()
        if pg in ready:
            pg.poll()
            for n in pg.notifies:
                data = json.loads(n.payload)
                if isinstance(data, dict) and isinstance(data.get("id"), int):
                    commits.append((data["id"], data.get("version"), now))
            pg.notifies.clear()
        if conn in ready:
            conn.recv()
            break
    pg.close()
    conn.send(("commits", commits))
