"""A warm Chromium that prints the briefings screen's PDF and PNG files.

``briefings.render.render`` starts Playwright's driver and a Chromium for every file and
closes them after it: right for the command line and the scheduler, which print now and
then, but ~1.5-2.5 s of each download on the briefings screen (bench/screens.py). Here
one thread per process owns one Chromium and prints every file of the process with it,
one at a time (Playwright's sync objects belong to the thread that made them): a warm
print is a new page, the document and the print (~0.5-1 s on this 2-core machine).

- :func:`warm` starts the browser (and loads matplotlib and the CJK font for the map) in
  the background without waiting: the briefings page calls it when it is opened, so it
  is ready by the time the user has chosen a period, a date and an area;
- the browser closes after :data:`IDLE_SECONDS` without a print (no Chromium held by a
  process nobody prints from), and is started again by the next print or page view;
- a browser that crashed or lost its connection is started again once; if that fails the
  print fails as ``render`` fails (:class:`governance.errors.Unavailable`, translated);
- a forked process (a gunicorn worker) starts a thread and a browser of its own.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from concurrent.futures import Future
from typing import Any, Final

from briefings.fonts import cjk_font
from briefings.render import CHROMIUM_ARGS, html, playwright_api, print_in
from governance.briefing_model import Briefing
from governance.errors import Unavailable
from settings import get_settings

log = logging.getLogger(__name__)

IDLE_SECONDS: Final = 300.0
# Printed once when the browser starts: Chromium loads the briefing's CJK font faces
# (regular and bold) and its PDF code on the first print (~0.5-1 s), not on the user's.
WARM_DOCUMENT: Final = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<style>@page { size: A4 portrait; margin: 0; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
"Microsoft YaHei", sans-serif; }</style></head>
<body><p>民情地图 日调度简报 2026年 新增 派遣 办结 超期 0123456789 %</p>
<p><b>汕尾市 城区 海丰县 陆丰市 陆河县 ABC abc</b></p></body></html>"""
PRINT_TIMEOUT_SECONDS: Final = 120.0  # a print waits in the queue and prints within this


class _Printer:
    """The process's print thread and its job queue (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.Queue[tuple[str | None, str, Future[bytes]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.launches = 0  # browsers this process started, and closed when idle (tests)
        self.idle_closes = 0
        self._loaded = False  # matplotlib, fonts and the template loaded ahead

    def submit(self, document: str | None, fmt: str) -> Future[bytes]:
        """Queue a print (``document`` None: only start the browser)."""
        with self._lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._jobs = queue.Queue()
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, args=(self._jobs,), name="briefing-printer", daemon=True
                )
                self._thread.start()
            done: Future[bytes] = Future()
            self._jobs.put((document, fmt, done))
            return done

    def _run(self, jobs: queue.Queue[tuple[str | None, str, Future[bytes]]]) -> None:
        browser: _Browser | None = None
        while True:
            try:
                document, fmt, done = jobs.get(timeout=IDLE_SECONDS if browser else None)
            except queue.Empty:  # idle: give the memory back
                assert browser is not None
                browser.close()
                browser = None
                self.idle_closes += 1
                continue
            if not done.set_running_or_notify_cancel():
                continue
            if document is None and not self._loaded:
                _load_map_drawing()
                self._loaded = True
            try:
                try:
                    browser = self._ready(browser)
                    data = b"" if document is None else browser.print(document, fmt)
                except _Crashed:  # once more with a new browser
                    browser = self._ready(browser, crashed=True)
                    data = b"" if document is None else browser.print(document, fmt)
            except _Crashed as err:
                done.set_exception(_unavailable(err))
            except BaseException as err:  # noqa: BLE001  (handed to the waiting caller)
                done.set_exception(err)
            else:
                done.set_result(data)
            if browser is not None and not browser.alive():
                browser.close()
                browser = None

    def _ready(self, browser: _Browser | None, *, crashed: bool = False) -> _Browser:
        """``browser`` if it is alive, else a new one that has printed the warm-up page."""
        if browser is not None and browser.alive() and not crashed:
            return browser
        fresh = self._launch(browser)
        try:
            fresh.print(WARM_DOCUMENT, "pdf")
        except BaseException:
            fresh.close()
            raise
        return fresh

    def _launch(self, old: _Browser | None) -> _Browser:
        if old is not None:
            old.close()
        self.launches += 1
        return _Browser()


def _load_map_drawing() -> None:
    """Load what the first briefing of the process needs besides the browser (matplotlib
    and its font list, the CJK font's file, the compiled page template), so that the
    first briefing does not wait for it (~1 s)."""
    try:
        from briefings.render import TEMPLATES, _env

        _env.get_template("briefing.html")  # compiled once, cached by the environment
        assert TEMPLATES.is_dir()

        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib import collections, colors, figure  # noqa: F401  (loaded, not used)

        cjk_font()
    except Exception:  # the print itself reports what is missing
        log.debug("loading the map drawing ahead failed", exc_info=True)


class _Crashed(Exception):
    """Chromium or Playwright failed (the browser is started again once)."""


def _unavailable(err: BaseException) -> Unavailable:
    chromium = get_settings().briefing_chromium
    log.error("Chromium failed to print the briefing: %s", err, exc_info=err)
    return Unavailable("brief.error.renderer", path=str(chromium))


class _Browser:
    """Playwright's driver and one Chromium, used from the print thread only."""

    def __init__(self) -> None:
        chromium, sync_playwright, playwright_error = playwright_api()
        self._error = playwright_error
        self._driver: Any = None
        self._browser: Any = None
        try:
            self._driver = sync_playwright().start()
            self._browser = self._driver.chromium.launch(
                executable_path=str(chromium), args=CHROMIUM_ARGS
            )
        except playwright_error as err:
            self.close()
            raise _Crashed(str(err)) from err

    def alive(self) -> bool:
        return self._browser is not None and bool(self._browser.is_connected())

    def print(self, document: str, fmt: str) -> bytes:
        """``document`` as an A4 PDF, or its first page as PNG (as ``render`` prints)."""
        try:
            return print_in(self._browser, document, fmt)
        except self._error as err:
            raise _Crashed(str(err)) from err

    def close(self) -> None:
        for step in (
            lambda: self._browser and self._browser.close(),
            lambda: self._driver and self._driver.stop(),
        ):
            try:
                step()
            except Exception:  # already gone: nothing to give back
                log.debug("closing the briefing printer", exc_info=True)
        self._browser = self._driver = None


_printer = _Printer()


def warm() -> None:
    """Start the process's browser in the background (returns at once)."""
    _printer.submit(None, "pdf")


def render(b: Briefing, fmt: str) -> bytes:
    """The briefing in ``fmt`` ("html", "pdf" or "png"), like ``briefings.render.render``
    but printed by the process's warm Chromium."""
    document = html(b)
    if fmt == "html":
        return document.encode("utf-8")
    try:
        return _printer.submit(document, fmt).result(timeout=PRINT_TIMEOUT_SECONDS)
    except TimeoutError:  # the queue or Chromium is stuck: the caller's translated 503
        raise _unavailable(TimeoutError(f"no print within {PRINT_TIMEOUT_SECONDS} s")) from None


def launches() -> int:
    """How many browsers this process has started (a warm print starts none)."""
    return _printer.launches


def idle_closes() -> int:
    """How many times this process's browser was closed for want of prints."""
    return _printer.idle_closes
