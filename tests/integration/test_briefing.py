"""Leaders' briefings: figures equal direct SQL, the PDF's text is extractable (Chinese
included), the map's labels are real CJK glyphs, empty periods, errors, masking, access
and the audit trail. Real PostGIS, real Chromium (PDF / PNG)."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from briefings.render import render
from geodata.db import session_scope
from governance import briefings
from governance.briefing_period import parse_request, period_for
from governance.errors import InvalidInput
from governance.filters import LOCAL_TZ
from governance.uow import unit_of_work
from pages.briefings_ids import BriefIds
from tests.conftest import signed_in_client
from tests.integration.wall_helpers import open_at

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed")
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler missing")


# ----------------------------------------------------------------------------- expected
NA = "暂无"  # a KPI with nothing to measure (no ratings, nothing resolved with a deadline)


def expected_kpis(session: Any, prefix: str | None, start: datetime, end: datetime) -> dict:
    """The six KPIs by direct SQL, written independently of geodata/queries/briefing.py."""
    scope = "AND g.code LIKE :p" if prefix else ""
    p = {"s": start, "e": end, "p": (prefix or "") + "%"}

    def one(where: str) -> int:
        sql = (
            f"SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id WHERE {where} {scope}"
        )
        return int(session.execute(text(sql), p).scalar_one())

    # new: received in the period (a report counts when it reaches the centre); a merged
    # duplicate counts as its surviving case, a rejected report is no case
    new = one(
        "i.reported_at >= :s AND i.reported_at < :e AND i.status NOT IN ('merged', 'rejected')"
    )
    dispatched = one("i.dispatched_at >= :s AND i.dispatched_at < :e")
    resolved = one("i.resolved_at >= :s AND i.resolved_at < :e")
    # overdue: as the cases stood at the end of the period, replayed from the timeline
    overdue = open_at(session, prefix or "", end)["overdue"]
    due = one("i.resolved_at >= :s AND i.resolved_at < :e AND i.resolve_due_at IS NOT NULL")
    on_time = one(
        "i.resolved_at >= :s AND i.resolved_at < :e AND i.resolved_at <= i.resolve_due_at"
    )
    sat = session.execute(
        text(f"""SELECT avg(CASE f.rating WHEN 'satisfied' THEN 100 WHEN 'basic' THEN 60
                 ELSE 0 END) FROM incident_feedback f JOIN incident i ON i.id = f.incident_id
                 JOIN area g ON g.id = i.grid_id WHERE f.at >= :s AND f.at < :e {scope}"""),
        p,
    ).scalar_one()
    return {
        "new": str(new),
        "dispatched": str(dispatched),
        "resolved": str(resolved),
        "overdue": str(overdue),
        "on_time": f"{100 * on_time / due:.1f}%" if due else NA,
        "satisfaction": NA if sat is None else f"{float(sat):.1f}",
    }


LABELS_ZH = {
    "new": "新增事件",
    "dispatched": "派遣",
    "resolved": "办结",
    "overdue": "超期",
    "on_time": "按期办结率",
    "satisfaction": "满意度",
}


@pytest.fixture(scope="module")
def busy() -> tuple[str, str, date]:
    """(county code, county name, day): the county and recent day with most incidents."""
    today = datetime.now(LOCAL_TZ).date()
    with session_scope(admin=True) as s:
        row = s.execute(
            text("""SELECT c.code, c.name, (i.occurred_at AT TIME ZONE 'Asia/Shanghai')::date d
                    FROM incident i JOIN area g ON g.id = i.grid_id
                    JOIN area c ON c.level = 'county' AND left(c.code, 6) = left(g.code, 6)
                    WHERE i.occurred_at >= :since AND i.status <> 'merged'
                    GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 3 DESC LIMIT 1"""),
            {"since": datetime.combine(today - timedelta(days=30), datetime.min.time(), LOCAL_TZ)},
        ).one()
    return str(row[0]), str(row[1]), row[2]


def html_kpis(doc: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'data-kpi="(\w+)">\s*<div class="label">[^<]*</div>\s*<div class="value">([^<]*)</div>',
            doc,
        )
    )


def briefing_audits() -> int:
    with session_scope(admin=True) as s:
        return int(
            s.execute(
                text("SELECT count(*) FROM audit_log WHERE object_type = 'briefing'")
            ).scalar_one()
        )


# ----------------------------------------------------------------------------- the PDF
@needs_chromium
@needs_poppler
def test_pdf_text_carries_area_period_and_kpis_equal_to_sql(session, busy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    code, name, day = busy
    req = parse_request(period="daily", day=day, area=code[:6], fmt="pdf", lang="zh-CN")
    before = briefing_audits()
    with unit_of_work() as s:
        out = briefings.export(s, None, req, render, username="pytest")
    assert out.data.startswith(b"%PDF") and out.filename.endswith(".pdf")
    assert briefing_audits() == before + 1
    pdf = tmp_path / out.filename
    pdf.write_bytes(out.data)
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True)
    lines = [ln.strip() for ln in raw.stdout.splitlines()]
    body = "".join(lines)
    assert f"{name}日调度简报" in body  # the Chinese area name and the period's kind
    assert day.isoformat() in body and (day - timedelta(days=1)).isoformat() in body
    expected = expected_kpis(session, code[:6], *_bounds("daily", day))
    assert int(expected["new"]) > 0
    for key, label in LABELS_ZH.items():
        at = lines.index(label)  # the first occurrence: the KPI tile
        assert lines[at + 1] == expected[key], (key, lines[at : at + 3])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 1 <= pages <= 4 and "A4" in info


def _bounds(kind: str, day: date) -> tuple[datetime, datetime]:
    p = period_for(kind, day)
    return p.start, _until(p, datetime.now(LOCAL_TZ))[0]


def _until(p: Any, now: datetime) -> tuple[datetime, datetime]:
    """A period that includes now ends at now, and the period before it is cut to the
    same span (like for like)."""
    until = min(p.end, now)
    return until, min(p.prev_end, p.prev_start + (until - p.start))


@pytest.mark.parametrize("kind", ["weekly", "monthly"])
def test_weekly_and_monthly_kpis_equal_sql_and_compare_previous(session, busy, kind) -> None:  # type: ignore[no-untyped-def]
    code, name, day = busy
    req = parse_request(period=kind, day=day, area=code, fmt="html", lang="zh-CN")
    now = datetime.now(LOCAL_TZ)
    with unit_of_work() as s:
        doc = briefings.export(s, None, req, render, username="pytest", now=now).data.decode(
            "utf-8"
        )
    p = req.period
    until, prev_until = _until(p, now)
    assert html_kpis(doc) == expected_kpis(session, code[:6], p.start, until)
    previous = expected_kpis(session, code[:6], p.prev_start, prev_until)
    assert f"上期 {previous['new']}" in re.sub(r"\s+", " ", doc)
    assert p.label("zh-CN") in doc
    if kind == "weekly":
        assert p.start.weekday() == 0 and (p.end - p.start).days == 7
    else:
        assert p.start.day == 1 and p.prev_end == p.start


def test_sections_come_from_the_contract_modules(busy) -> None:  # type: ignore[no-untyped-def]
    """Hotspots, department scorecard and top categories are the database's."""
    from governance.scores import scorecard

    code, _name, day = busy
    period = period_for("monthly", day)
    with unit_of_work() as s:
        b = briefings.build(s, code, period, "zh-CN")
    with session_scope() as s:
        depts = scorecard(
            s,
            kind="department",
            scope=code[:6],
            start=period.start,
            end=period.end,
            previous=(period.prev_start, period.prev_end),
        )
    assert [d.key for d in b.departments] == [d.key for d in depts[: len(b.departments)]]
    with session_scope(admin=True) as s:  # the heat map: where and when cases occurred
        occurred = s.execute(
            text("""SELECT count(*) FROM incident i JOIN area g ON g.id = i.grid_id
                    WHERE g.code LIKE :p AND i.occurred_at >= :s AND i.occurred_at < :e
                      AND i.status NOT IN ('merged', 'rejected')"""),
            {"p": code[:6] + "%", "s": period.start, "e": min(period.end, b.generated_at)},
        ).scalar_one()
    assert sum(n for _, n in b.cells) == occurred
    assert all(h.label in ("new", "persistent", "cooling") for h in b.hotspots)
    assert sum(n for _, n, _ in b.categories) <= int(b.kpi("new").value or 0)


# ----------------------------------------------------------------------------- the PNG
def test_map_font_is_cjk_and_draws_real_glyphs(busy) -> None:  # type: ignore[no-untyped-def]
    """The label font maps the area's name to glyphs, and two different characters come
    out as two different bitmaps (a font without CJK draws the same "tofu" box twice)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from briefings.fonts import cjk_font, has_glyphs

    _code, name, _day = busy
    font = cjk_font()
    assert has_glyphs(font.path, name)

    def bitmap(ch: str, family: str) -> Any:
        fig = Figure(figsize=(0.6, 0.6), dpi=100)
        canvas = FigureCanvasAgg(fig)
        fig.text(0.5, 0.5, ch, family=family, fontsize=28, ha="center", va="center")
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., 0].copy()

    with pytest.warns(UserWarning, match="missing from font"):  # DejaVu has no CJK
        tofu_a, tofu_b = bitmap("海", "DejaVu Sans"), bitmap("丰", "DejaVu Sans")
    assert np.array_equal(tofu_a, tofu_b)  # the check can tell tofu from glyphs
    real_a, real_b = bitmap("海", font.family), bitmap("丰", font.family)
    assert not np.array_equal(real_a, real_b)
    assert not np.array_equal(real_a, tofu_a)


@needs_chromium
def test_png_is_the_first_a4_page_and_not_blank(busy) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    code, _name, day = busy
    req = parse_request(period="daily", day=day, area=code, fmt="png", lang="zh-CN")
    with unit_of_work() as s:
        out = briefings.export(s, None, req, render, username="pytest")
    img = Image.open(io.BytesIO(out.data)).convert("RGB")
    assert img.size == (1588, 2246)  # A4 at 192 dpi
    colours = img.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 200  # heat colours, text, outlines — not a blank page
    # the heatmap's warm colours are present (YlOrRd cells)
    import numpy as np

    px = np.asarray(img.resize((397, 561))).astype(int)
    r, g, b = px[..., 0], px[..., 1], px[..., 2]
    warm = int(((r > 200) & (g > 80) & (g < 220) & (b < 120)).sum())
    assert warm > 50


# ----------------------------------------------------------------------------- edge cases
def test_a_period_without_data_says_so(session) -> None:  # type: ignore[no-untyped-def]
    first = session.execute(text("SELECT min(occurred_at) FROM incident")).scalar_one()
    day = (first.astimezone(LOCAL_TZ) - timedelta(days=40)).date()
    req = parse_request(period="daily", day=day, area=None, fmt="html", lang="en")
    with unit_of_work() as s:
        doc = briefings.export(s, None, req, render, username="pytest").data.decode("utf-8")
    assert "No data for this area in this period" in doc
    assert html_kpis(doc) == {
        "new": "0",
        "dispatched": "0",
        "resolved": "0",
        "overdue": "0",
        "on_time": "n/a",
        "satisfaction": "n/a",
    }
    assert "Whole city daily dispatch briefing" in doc


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "hourly"], "未知的简报周期"),
        (["--period", "daily", "--format", "docx"], "未知的输出格式"),
        (["--period", "daily", "--date", "2999-01-01"], "晚于今天"),
        (["--period", "daily", "--date", "28/11/2026"], "格式不对"),
        (["--period", "daily", "--area", "999999"], "没有代码为“999999”的区域"),
        (["--period", "daily", "--area", "12ab"], "区域代码“12ab”格式不对"),
    ],
)
def test_bad_input_is_a_translated_error_and_nothing_is_written(tmp_path, args, message) -> None:  # type: ignore[no-untyped-def]
    from cli.export import export

    out = tmp_path / "b.html"
    before = briefing_audits()
    argv = ["briefing", "--format", "html", "--lang", "zh-CN", "--out", str(out), *args]
    if "--date" not in args:
        argv += ["--date", datetime.now(LOCAL_TZ).date().isoformat()]
    result = CliRunner().invoke(export, argv)
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists() and not list(tmp_path.iterdir())
    assert briefing_audits() == before


def test_errors_in_english_and_unknown_area() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_request(period="yearly", day="2026-01-01", area=None, fmt="pdf", lang="en")
    assert err.value.user_message("en").startswith("Unknown briefing period 'yearly'")
    req = parse_request(period="daily", day="2026-01-01", area="441599", fmt="html", lang="en")
    with pytest.raises(InvalidInput) as nf, unit_of_work() as s:
        briefings.build(s, req.area_code, req.period, "en")
    assert nf.value.user_message("en").startswith("No area has the code '441599'; codes are")


def test_cli_writes_the_file(busy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cli.export import export

    code, name, day = busy
    argv = ["briefing", "--period", "daily", "--area", code, "--date", day.isoformat()]
    result = CliRunner().invoke(export, [*argv, "--format", "html", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (written,) = tmp_path.iterdir()
    assert written.name == f"briefing-daily-{code}-{day.isoformat()}.html"
    assert name in written.read_text("utf-8")


def test_schedule_covers_yesterday_and_weeks_and_months() -> None:
    from cli.export import due_today

    assert due_today(date(2026, 11, 25)) == [("daily", date(2026, 11, 24))]
    assert due_today(date(2026, 11, 30)) == [  # a Monday
        ("daily", date(2026, 11, 29)),
        ("weekly", date(2026, 11, 29)),
    ]
    assert ("monthly", date(2026, 11, 30)) in due_today(date(2026, 12, 1))


def test_overdue_descriptions_are_masked(busy) -> None:  # type: ignore[no-untyped-def]
    from geodata.queries.briefing import most_overdue

    code, _name, busiest = busy
    # a recent day whose end had a case overdue in the county: deadlines falling due at
    # the end of a working day are not overdue yet at midnight, so in the small test city
    # one day's end may have none (run just after midnight, the busiest day was the day
    # just ended, and its end had none)
    with session_scope() as s:
        for back in range(14):
            day = busiest - timedelta(days=back)
            rows = most_overdue(s, code[:6], period_for("daily", day).end, 1)
            if rows:
                break
    assert rows, "the demo city has overdue cases"
    case_id, original = rows[0]["id"], rows[0]["description"]
    with session_scope(admin=True) as s:
        s.execute(
            text("UPDATE incident SET description = :d WHERE id = :id"),
            {"d": "电话13812345678 身份证440102199001011234 反映", "id": case_id},
        )
    try:
        req = parse_request(period="daily", day=day, area=code, fmt="html", lang="zh-CN")
        with unit_of_work() as s:
            doc = briefings.export(s, None, req, render, username="pytest").data.decode("utf-8")
    finally:
        with session_scope(admin=True) as s:
            s.execute(
                text("UPDATE incident SET description = :d WHERE id = :id"),
                {"d": original, "id": case_id},
            )
    assert "138****5678" in doc
    assert "13812345678" not in doc and "440102199001011234" not in doc


# ----------------------------------------------------------------------------- the page
def _post(client, area: str, fmt: str, day: str) -> Any:  # type: ignore[no-untyped-def]
    payload = {
        "output": f"..{BriefIds.DOWNLOAD}.data...{BriefIds.STATUS}.children..",
        "outputs": [
            {"id": BriefIds.DOWNLOAD, "property": "data"},
            {"id": BriefIds.STATUS, "property": "children"},
        ],
        "inputs": [{"id": BriefIds.SUBMIT, "property": "n_clicks", "value": 1}],
        "state": [
            {"id": BriefIds.PERIOD, "property": "value", "value": "daily"},
            {"id": BriefIds.DATE, "property": "date", "value": day},
            {"id": BriefIds.AREA, "property": "value", "value": area},
            {"id": BriefIds.FORMAT, "property": "value", "value": fmt},
        ],
        "changedPropIds": [f"{BriefIds.SUBMIT}.n_clicks"],
    }
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )


def test_page_and_button_for_commander_and_supervisor_scope(busy) -> None:  # type: ignore[no-untyped-def]
    code, name, day = busy
    commander = signed_in_client("commander")
    assert commander.get("/briefings").status_code == 200
    before = briefing_audits()
    resp = _post(commander, code, "html", day.isoformat())
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    body = resp.get_json()["response"]
    download = body[BriefIds.DOWNLOAD]["data"]
    assert download["filename"] == f"briefing-daily-{code}-{day.isoformat()}.html"
    assert name in base64.b64decode(download["content"]).decode("utf-8")
    assert briefing_audits() == before + 1
    with session_scope(admin=True) as s:
        who = s.execute(
            text(
                "SELECT username FROM audit_log WHERE object_type = 'briefing' ORDER BY id DESC LIMIT 1"
            )
        ).scalar_one()
    assert who == "commander"

    supervisor = signed_in_client("supervisor")
    with session_scope(admin=True) as s:
        own, county = s.execute(
            text("""SELECT a.code, c.code FROM app_user u JOIN area a ON a.id = u.area_id
                    JOIN area c ON c.level = 'county' AND left(c.code, 6) = left(a.code, 6)
                    WHERE u.username = 'supervisor'""")
        ).one()
    resp = _post(supervisor, county, "html", day.isoformat())
    body = resp.get_json()["response"]
    assert BriefIds.DOWNLOAD not in body
    assert (
        "权限" in body[BriefIds.STATUS]["children"] or "范围" in body[BriefIds.STATUS]["children"]
    )
    ok = _post(supervisor, own, "html", day.isoformat()).get_json()["response"]
    assert ok[BriefIds.DOWNLOAD]["data"]["filename"].startswith(f"briefing-daily-{own}-")


@pytest.mark.parametrize("username", ["gridworker", "dept", "auditor", "wall"])
def test_other_roles_cannot_export(busy, username) -> None:  # type: ignore[no-untyped-def]
    code, _name, day = busy
    client = signed_in_client(username)
    assert client.get("/briefings").status_code in (302, 403)
    assert _post(client, code, "html", day.isoformat()).status_code == 403
