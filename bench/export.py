"""Export benchmark: a CSV export of the demo city's incidents (as many as one file holds,
50,000 rows) with the free-text detector and the names the system knows, against the
baseline of the pattern-based masking it replaced (phones and ID numbers by three regular
expressions, no names), in the same process and on the same rows.

    python bench/export.py [--incidents 200000] [--runs 3]
    python bench/export.py --smoke     # one small run on the configured database

Uses (or seeds once) the database ``<name>_bench_export`` so the development data is
untouched. Prints the median time of the whole export (query, masking, CSV, audit record)
both ways, the time spent reading and decrypting the known names, and the detector's cost
per description against the baseline's. ``--smoke`` (run by the test suite,
``tests/integration/test_bench_export.py``) measures a week of incidents once.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from settings import get_settings  # noqa: E402

# -- the baseline: governance.masking.redact_contacts before governance/pii.py -------------
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}\d{7}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def _mask(raw: str) -> str:
    return raw[:3] + "*" * (len(raw) - 7) + raw[-4:] if len(raw) >= 7 else "*" * len(raw)


def pattern_redact(text: str | None) -> str | None:
    """The pattern-based masking the detector replaced."""
    if not text:
        return text
    text = _ID_NUMBER.sub(lambda m: _mask(m.group(0)), text)
    text = _MOBILE.sub(lambda m: _mask(re.sub(r"[- ]", "", m.group(0))), text)
    return _LANDLINE.sub(lambda m: _mask(re.sub(r"[- ]", "", m.group(0))), text)


@contextmanager
def baseline() -> Iterator[None]:
    """Exports as they were: no names read, descriptions through :func:`pattern_redact`."""
    from governance import known_names

    def redact(_self: Any, _incident_id: int | None, text: str | None) -> str | None:
        return pattern_redact(text)

    with (
        mock.patch.object(known_names, "load", lambda _s, _ids: known_names.IncidentNames()),
        mock.patch.object(known_names.IncidentNames, "redact", redact),
    ):
        yield


@dataclass(frozen=True)
class Figures:
    """What one measurement found (seconds, microseconds per row)."""

    rows: int
    baseline_s: float
    detector_s: float
    names_s: float
    reporters: int
    key_persons: int
    pattern_us: float
    detector_us: float


def median_s(fn: Callable[[], object], runs: int) -> float:
    """Median seconds of ``runs`` calls after one warm-up."""
    fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def window_args(cap: int) -> dict[str, str]:
    """Export filters for the newest ``cap`` incidents or fewer (whole local days)."""
    from datetime import timedelta

    from sqlalchemy import text

    from geodata.db import session_scope
    from governance.filters import LOCAL_TZ

    with session_scope() as s:
        oldest = s.execute(
            text("SELECT occurred_at FROM incident ORDER BY occurred_at DESC OFFSET :n LIMIT 1"),
            {"n": cap},
        ).scalar_one_or_none()
        newest = s.execute(text("SELECT max(occurred_at) FROM incident")).scalar_one()
    start = (oldest.astimezone(LOCAL_TZ).date() + timedelta(days=1)) if oldest else None
    args = {"end": newest.astimezone(LOCAL_TZ).date().isoformat()}
    if start is not None:
        args["start"] = start.isoformat()
    else:
        args["window"] = "365d"
        args.pop("end")
    return args


def measure(args: dict[str, str], runs: int) -> Figures:
    """Time the export of ``args`` as the commander both ways, and its parts."""
    from sqlalchemy import text

    from geodata.db import session_scope
    from geodata.models import AppUser
    from governance import exports, known_names, pii
    from governance.accounts import principal_of
    from governance.uow import unit_of_work

    with session_scope(admin=True) as s:
        who = principal_of(s, s.query(AppUser).filter_by(username="commander").one())

    def run() -> int:
        with unit_of_work(who) as s:
            return exports.export(s, "incidents", "csv", args, principal=who).rows

    rows = run()
    with baseline():
        base = median_s(run, runs)
    detector = median_s(run, runs)
    with session_scope(scope=who.rls_scope) as s:
        where, _ = exports._where(s, "incidents", args, who)
        raw = exports._raw_rows(s, "incidents", where, who, "zh-CN")
        t0 = time.perf_counter()
        names = known_names.load(s, [r["id"] for r in raw])
        names_s = time.perf_counter() - t0
        persons = sum(len(v) for v in names.persons.values())
        texts = [(r["id"], r["description"]) for r in raw if r.get("description")]
        n = max(len(texts), 1)
        t0 = time.perf_counter()
        for _iid, d in texts:
            pattern_redact(d)
        pattern_us = (time.perf_counter() - t0) / n * 1e6
        t0 = time.perf_counter()
        for iid, d in texts:
            pii.redact(d, names.matcher(iid))
        detector_us = (time.perf_counter() - t0) / n * 1e6
        total = s.execute(text("SELECT count(*) FROM incident")).scalar_one()
    print(f"incidents in database: {total:,}; exported: {rows:,} rows (CSV, commander)")
    return Figures(
        rows, base, detector, names_s, len(names.reporters), persons, pattern_us, detector_us
    )


def report(f: Figures) -> None:
    extra = f.detector_s - f.baseline_s
    print(f"  baseline (pattern masking, no names)  {f.baseline_s:7.2f} s")
    print(
        f"  detector + known names               {f.detector_s:7.2f} s  "
        f"({extra:+.2f} s, {f.detector_s / f.baseline_s:.2f}x)"
    )
    print(
        f"  of which: names read and decrypted   {f.names_s:7.2f} s  "
        f"({f.reporters:,} reporters, {f.key_persons:,} key persons)"
    )
    print(
        f"  per description: detector {f.detector_us:.1f} µs, pattern masking "
        f"{f.pattern_us:.1f} µs ({f.detector_us / max(f.pattern_us, 1e-9):.1f}x)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> Figures:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--incidents", type=int, default=200_000, help="seed if the db is empty")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="a week of the configured database, once")
    args = ap.parse_args(argv)
    if args.smoke:
        figures = measure({"window": "7d"}, 1)
        report(figures)
        return figures

    from bench.seed import bench_database

    url, owner = bench_database("_bench_export")
    os.environ["MINQING_DATABASE_URL"] = url
    os.environ["MINQING_ADMIN_DATABASE_URL"] = owner
    get_settings.cache_clear()

    from geodata import demo, migrate
    from geodata.db import session_scope
    from governance.demo_accounts import seed_accounts
    from governance.exports import EXPORT_CAP

    migrate.upgrade(owner)
    with session_scope(admin=True) as s:
        if demo.is_empty(s):
            t0 = time.perf_counter()
            demo.seed(s, incidents=args.incidents)
            seed_accounts(s)
            print(f"seeded {args.incidents:,} incidents in {time.perf_counter() - t0:.1f}s")
    figures = measure(window_args(EXPORT_CAP), args.runs)
    report(figures)
    return figures


if __name__ == "__main__":
    main()
