"""A briefing as HTML (one Jinja2 template, two A4 pages), PDF or PNG.

Why HTML printed by Chromium rather than a matplotlib PDF: matplotlib embeds CJK text
either as Type 3 glyphs (``pdftotext`` then loses part of the text) or as a Type 42 font
that declares TrueType outlines around Noto CJK's CFF ones (poppler warns the font is
malformed; other viewers may refuse it). Chromium embeds the font subsets with a
ToUnicode map, so the PDF's text — the Chinese area name, period and every KPI value —
is searchable and extractable, tables lay out as tables, and the HTML, PDF and PNG
formats are one document. The map itself is a matplotlib PNG embedded in the page.

Chromium is Debian's ``/usr/bin/chromium`` (``MINQING_BRIEFING_CHROMIUM``), driven
through Playwright's Python API: no browser download, no tile server, no network.
"""

from __future__ import annotations

import base64
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from briefings.heatmap import heatmap_png
from governance.briefing_model import Briefing, KpiLine
from governance.errors import Unavailable
from i18n import t
from settings import get_settings

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
A4_CSS_PX = (794, 1123)  # 210 x 297 mm at 96 px per inch
PNG_SCALE = 2  # the PNG at 192 dpi: print quality for a slide or a chat message
GOOD_WHEN_UP = {"dispatched", "resolved", "on_time", "satisfaction"}
DEFINITIONS = (
    "new",
    "dispatched",
    "resolved",
    "overdue",
    "on_time",
    "satisfaction",
    "heat",
    "hot",
)

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _value(k: KpiLine, v: float | int | None, lang: str) -> str:
    if v is None:
        return t("brief.kpi.na", lang)
    if k.kind == "share":
        return f"{100 * v:.1f}%"
    if k.kind == "score":
        return f"{v:.1f}"
    return str(int(v))


def _delta(k: KpiLine, lang: str) -> str:
    if k.value is None or k.previous is None:
        return ""
    d = k.value - k.previous
    if abs(d) < 1e-9:
        return t("brief.kpi.flat", lang)
    if k.kind == "share":
        return f"{100 * d:+.1f} pp"
    if k.kind == "score":
        return f"{d:+.1f}"
    pct = f" ({100 * d / k.previous:+.0f}%)" if k.previous else ""
    return f"{int(d):+d}{pct}"


def _trend(k: KpiLine) -> str:
    if k.value is None or k.previous is None or abs(k.value - k.previous) < 1e-9:
        return "flat"
    up = "up" if k.value > k.previous else "down"
    return f"good {up}" if k.key in GOOD_WHEN_UP else up


def _rank_change(d: Any) -> str:
    if d.rank is None or d.previous_rank is None:
        return "-"
    change = d.previous_rank - d.rank
    return "=" if change == 0 else f"{change:+d}"


def title(b: Briefing) -> str:
    """ "海丰县日调度简报" / "Haifeng daily briefing"."""
    return t(f"brief.title.{b.period.kind}", b.lang, area=b.area_name)


def html(b: Briefing) -> str:
    """The briefing as one self-contained HTML document (the map inlined as a PNG)."""
    lang = b.lang
    total = b.new_total or 1  # a share of every new case, not of the top eight
    top = max((n for _, n, _ in b.categories), default=1) or 1
    return _env.get_template("briefing.html").render(
        b=b,
        title=title(b),
        map_png=base64.b64encode(heatmap_png(b)).decode("ascii"),
        definitions=[t(f"brief.def.{key}", lang) for key in DEFINITIONS],
        t=lambda key, **kw: t(key, lang, **kw),
        value=lambda k, v: _value(k, v, lang),
        delta=lambda k: _delta(k, lang),
        trend=_trend,
        pct=lambda v: "-" if v is None else f"{100 * v:.0f}%",
        num=lambda v: "-" if v is None else f"{v:.1f}",
        share=lambda n: f"{100 * n / total:.1f}%",
        bar=lambda n: f"{18 * n / top:.1f}",
        rank_change=_rank_change,
        min_base=b.min_base,
    )


def _print(document: str, fmt: str) -> bytes:
    """``document`` printed by headless Chromium: A4 PDF, or the first page as PNG.

    Playwright's sync API refuses to start in a thread that runs an asyncio event loop
    (a caller's own sync Playwright session, an async server), so the printing runs in
    a thread of its own, which has none."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-print") as pool:
        return pool.submit(_print_here, document, fmt).result()


def playwright_api() -> tuple[Path, Any, Any]:
    """Chromium's path, Playwright's ``sync_playwright`` and its ``Error`` class; a
    translated :class:`Unavailable` when either is missing (shared with
    ``briefings/printer.py``)."""
    chromium = get_settings().briefing_chromium
    if not chromium.exists():
        log.error("Chromium not found at %s (apt-get install chromium)", chromium)
        raise Unavailable("brief.error.renderer", path=str(chromium))
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        log.error("playwright is not installed (pip install -r requirements.txt)")
        raise Unavailable("brief.error.renderer", path=str(chromium)) from None
    return chromium, sync_playwright, PlaywrightError


def print_in(browser: Any, document: str, fmt: str) -> bytes:
    """``document`` printed by ``browser`` in a context of its own (closed after: nothing
    of one briefing stays for the next): an A4 PDF, or the first page as PNG."""
    context = browser.new_context(
        viewport={"width": A4_CSS_PX[0], "height": A4_CSS_PX[1]},
        device_scale_factor=PNG_SCALE if fmt == "png" else 1,
    )
    try:
        page = context.new_page()
        page.emulate_media(media="print")
        page.set_content(document, wait_until="load")
        if fmt == "pdf":
            return bytes(page.pdf(format="A4", print_background=True, prefer_css_page_size=True))
        return bytes(page.locator("#page-1").screenshot(type="png"))
    finally:
        context.close()


def _print_here(document: str, fmt: str) -> bytes:
    chromium, sync_playwright, playwright_error = playwright_api()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                return print_in(browser, document, fmt)
            finally:
                browser.close()
    except playwright_error as err:
        log.error("Chromium failed to print the briefing: %s", err, exc_info=True)
        raise Unavailable("brief.error.renderer", path=str(chromium)) from None


def render(b: Briefing, fmt: str) -> bytes:
    """The briefing in ``fmt`` ("html", "pdf" or "png")."""
    document = html(b)
    if fmt == "html":
        return document.encode("utf-8")
    return _print(document, fmt)
