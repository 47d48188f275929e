"""The monthly evaluation and the weekly packet in a real Chromium: a supervisor signs
in, opens /evaluation, reads a department's figures (checked against direct SQL over
their street), switches the tab and the language, then opens /consult.

Every wait is on a condition of the page (an element, a text), never on the clock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from geodata.db import session_scope
from governance import evaluation
from governance.demo_accounts import DEMO_ACCOUNTS
from governance.scores import MIN_BASE
from i18n import t
from pages.consult_ids import ConsultIds
from pages.evaluation_ids import EvalIds
from tests.e2e.conftest import Console, sign_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
ROW = f"#{EvalIds.BODY} .mq-eval-row"


def _pct(part: int, whole: int) -> str:
    return "—" if whole < MIN_BASE else f"{100 * part / whole:.1f}%"


def _expected(dept: int, scope: str, month: str, lang: str) -> dict[str, str]:
    """A department's figures over the supervisor's street, straight from SQL, each
    on-time share followed by the number of cases it rests on."""
    start, end = evaluation.parse_month(month)
    p = {"d": dept, "s": start, "e": end, "scope": scope + "%"}
    base = """FROM incident i JOIN area g ON g.id = i.grid_id
              WHERE i.lead_department_id = :d AND g.code LIKE :scope
                AND i.dispatched_at >= :s AND i.dispatched_at < :e"""
    with session_scope(admin=True) as s:

        def n(where: str = "") -> int:
            return int(s.execute(text(f"SELECT count(*) {base} {where}"), p).scalar_one())

        received = n()
        a_due = n(
            "AND i.accept_due_at IS NOT NULL"
            " AND (i.accepted_at IS NOT NULL OR i.accept_due_at <= now())"
        )
        r_due = n(
            "AND i.resolve_due_at IS NOT NULL"
            " AND (i.resolved_at IS NOT NULL OR i.resolve_due_at <= now())"
        )
        return {
            "received": str(received),
            "accepted": _pct(n("AND i.accepted_at <= i.accept_due_at"), a_due)
            + t("eval.base", lang, n=a_due),
            "resolved": _pct(n("AND i.resolved_at <= i.resolve_due_at"), r_due)
            + t("eval.base", lang, n=r_due),
            "reopen": _pct(n("AND i.reopen_count > 0"), received),
        }


def _row_cells(page: Any, key: str) -> dict[str, str]:
    row = page.locator(f'{ROW}[data-key="{key}"]')
    return {
        col: row.locator(f".mq-eval-col-{col}").inner_text().strip()
        for col in ("name", "received", "accepted", "resolved", "reopen", "rank")
    }


def test_supervisor_evaluation_and_consultation(
    anon_page: Any, live_server: str, console: Console
) -> None:
    page = anon_page
    sign_in(page, live_server, "supervisor", PASSWORDS["supervisor"])
    with session_scope(admin=True) as s:
        scope, names_en = s.execute(
            text("""SELECT left(a.code, 9), (SELECT json_object_agg(id, name_en)
                                             FROM department)
                    FROM app_user u JOIN area a ON a.id = u.area_id
                    WHERE u.username = 'supervisor'""")
        ).one()
    page.goto(live_server + "/evaluation")
    page.wait_for_selector(ROW)
    month = evaluation.default_month()
    assert month in page.inner_text(f"#{EvalIds.BODY}")  # the last full month by default
    key = page.locator(ROW).first.get_attribute("data-key")
    assert key is not None
    shown = _row_cells(page, key)
    expected = _expected(int(key), scope, month, "zh-CN")
    assert {k: shown[k] for k in expected} == expected
    assert shown["rank"] == "1"

    # the grid tab: every grid of the supervisor's street, none elsewhere
    page.get_by_text("网格", exact=True).click()
    page.wait_for_selector(".mq-eval-table-grid .mq-eval-row")
    keys = page.locator(".mq-eval-table-grid .mq-eval-row").evaluate_all(
        "rows => rows.map(r => r.dataset.key)"
    )
    assert keys and all(k.startswith(scope) for k in keys)
    page.screenshot(path=str(ROOT / ".data" / "e2e_evaluation_zh.png"), full_page=True)

    # English: same figures, English department name and headings
    page.click(f"#{EvalIds.LANG_BUTTON}")
    page.wait_for_selector(".mq-lang-en")
    page.wait_for_selector(ROW)
    assert "Monthly evaluation" in page.inner_text(".mq-header")
    assert page.locator(f"#{EvalIds.BODY} th.mq-eval-col-received").inner_text() == "Cases"
    english = _row_cells(page, key)
    assert english["name"] == names_en[key]
    expected = _expected(int(key), scope, month, "en")
    assert {k: english[k] for k in expected} == expected
    page.screenshot(path=str(ROOT / ".data" / "e2e_evaluation_en.png"), full_page=True)

    # the weekly packet from the screens menu, in English now, then back in Chinese
    page.click(".mq-nav-summary")  # the shared screens menu
    page.click('a.mq-nav-link[href="/consult"]')
    page.wait_for_url(lambda url: url.endswith("/consult"))
    page.wait_for_selector(".mq-consult-section-stuck")
    assert "Stuck and overdue cases" in page.inner_text(f"#{ConsultIds.STUCK}")
    assert "Recurrent and new hotspots" in page.inner_text(f"#{ConsultIds.HOTSPOTS}")
    assert "Repeated addresses" in page.inner_text(f"#{ConsultIds.REPEATS}")
    page.click(f"#{ConsultIds.LANG_BUTTON}")
    page.wait_for_selector(".mq-lang-zh-CN")
    page.wait_for_selector(".mq-consult-section-repeats")
    assert "同址重复" in page.inner_text(f"#{ConsultIds.REPEATS}")
    page.screenshot(path=str(ROOT / ".data" / "e2e_consult_zh.png"), full_page=True)
    console.check()
