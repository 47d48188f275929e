"""The weekly packet's faster statements (issue 14) give the very rows the former ones
gave (kept verbatim in ``bench/screens_before.py``), on the test city and on constructed
data (a case moved three times, an overdue case, one address spelled three ways), for
the whole city and for the supervisor's street, over weeks past and the current one;
and the fast address key equals the 同址重复 normalisation on any text (Hypothesis).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench import screens_before
from geodata.db import get_admin_engine, get_engine
from geodata.queries import consult as q
from geodata.queries.duplicates import (
    DROPPED,
    FULL_WIDTH,
    HALF_WIDTH,
    _normalised_sql,
)
from governance import consult
from governance.filters import LOCAL_TZ
from tests.integration.test_consult import week_data  # noqa: F401  (a fixture)

WEEKS = 6


def _weeks() -> list[tuple[datetime, datetime]]:
    """The current (partial) week and the full weeks before it, as the picker offers."""
    now = datetime.now(LOCAL_TZ)
    return [consult.parse_week(w.isoformat(), now) for w in consult.week_options(now)[:WEEKS]]


def _both(session: Session, scope: str | None, start: datetime, end: datetime) -> Any:
    stuck = {"scope": scope, "start": start, "end": end, "min_moves": 2, "limit": 10_000}
    repeats = {
        "scope": scope,
        "start": start,
        "end": end,
        "since": end - timedelta(days=consult.REPEAT_DAYS),
        "min_count": 2,  # lower than the screen's 3: more groups to compare
        "limit": 10_000,
    }
    now = (q.stuck_cases(session, **stuck), q.repeated_addresses(session, **repeats))
    before = (
        screens_before.stuck_cases(session, **stuck),
        screens_before.repeated_addresses(session, **repeats),
    )
    return now, before


@pytest.mark.parametrize("scoped", [False, True], ids=["city", "street"])
def test_same_rows_as_before_over_recent_weeks(
    session: Session,
    week_data: dict[str, Any],  # noqa: F811
    scoped: bool,
) -> None:
    scope = week_data["scope"] if scoped else None
    seen_stuck = seen_repeats = 0
    for start, end in _weeks():
        now, before = _both(session, scope, start, end)
        assert now == before, (start, scope)
        seen_stuck += now[0][1]
        seen_repeats += now[1][1]
    assert seen_stuck > 0 and seen_repeats > 0  # the comparison compared something


def test_same_rows_as_before_with_a_short_page(
    session: Session,
    week_data: dict[str, Any],  # noqa: F811
) -> None:
    """The screen's own limits: the first rows and the totals agree (the order too)."""
    start, end = week_data["start"], week_data["end"]
    args = {"scope": None, "start": start, "end": end}
    assert q.stuck_cases(session, **args, min_moves=2, limit=3) == screens_before.stuck_cases(
        session, **args, min_moves=2, limit=3
    )
    since = end - timedelta(days=90)
    assert q.repeated_addresses(
        session, **args, since=since, min_count=3, limit=2
    ) == screens_before.repeated_addresses(session, **args, since=since, min_count=3, limit=2)


ADDRESS_CHARS = st.sampled_from(
    FULL_WIDTH + HALF_WIDTH + DROPPED + "海滨路号栋室ÄÖß\u0130\\[]^-"
) | st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(address=st.text(ADDRESS_CHARS, max_size=40))
def test_fast_address_key_equals_the_normalisation(session: Session, address: str) -> None:
    params = {
        "a": address,
        "full": FULL_WIDTH,
        "half": HALF_WIDTH,
        "dropped": DROPPED,
        "full_class": q.FULL_WIDTH_CLASS,
        "dropped_class": q.DROPPED_CLASS,
    }
    slow, fast = session.execute(
        text(f"SELECT {_normalised_sql(':a')}, {q.address_key_sql(':a')}"), params
    ).one()
    assert fast == slow


def test_app_connections_run_without_jit() -> None:
    """Every connection the app opens, as the app role and as the owner, has
    PostgreSQL's JIT off (geodata.db.CONNECTION_OPTIONS), whatever the server's default;
    the baseline of bench/screens.py turns it back on for its transactions only."""
    for engine in (get_engine(), get_admin_engine()):
        with Session(engine) as s:
            assert s.execute(text("SHOW jit")).scalar_one() == "off"
    with screens_before.patched(), Session(get_engine()) as s:
        assert s.execute(text("SHOW jit")).scalar_one() == "on"
    with Session(get_engine()) as s:
        assert s.execute(text("SHOW jit")).scalar_one() == "off"
