"""The incident rollup (migration 0024_incident_rollup) stays exact, and density from it
is the raw density.

Random sequences of what the application writes (single and bulk intake over the API,
workflow steps including reject, merge and the resident's reopen, and the corrections
the schema allows but no screen makes yet: category, source, point, time, grid, a status
put back, deletes, one UPDATE of many rows), each followed by: the rollup equals a direct
GROUP BY of the incidents, and the density query from the rollup returns the raw query's
rows for random windows, viewports and filters. Then two writers at once, committed.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import text

from geodata.db import session_scope
from geodata.hexagons import cells_for_points
from geodata.queries import layers as lq
from geodata.queries import rollup as rq
from governance import rollup, workflow
from governance.access import Principal
from governance.errors import MinqingError
from governance.uow import unit_of_work
from tests.integration.test_intake import item, make_token, post

CITY = (114.9, 22.5, 116.3, 23.7)
WORLD = (-180.0, -90.0, 180.0, 90.0)
SOURCES = ("grid", "hotline_12345", "police_110", "iot", "public", "patrol")


def _principal(username: str) -> Principal:
    from geodata.models import AppUser
    from governance.accounts import principal_of

    with session_scope(admin=True) as s:
        return principal_of(s, s.query(AppUser).filter_by(username=username).one())


def drift() -> rollup.Drift:
    with unit_of_work(admin=True) as s:
        return rollup.check(s)


def both_paths(where: lq.IncidentWhere, bbox: tuple[float, ...], res: int) -> tuple[Any, Any]:
    """(density from the rollup, the raw query), unlimited."""
    with session_scope() as s:
        fast = rq.h3_counts(s, bbox, where, res, 10**6)
        raw = [(int(c), int(n)) for c, n in lq.h3_counts(s, bbox, where, res, 10**6)]
    return fast, raw


@pytest.fixture(scope="module")
def city() -> dict[str, Any]:
    """Grid points, leaf categories and the demo principals the machine draws from."""
    with session_scope(admin=True) as s:
        pts = s.execute(
            text("""SELECT ST_X(p), ST_Y(p) FROM (
                      SELECT ST_PointOnSurface(geom) AS p FROM area WHERE level = 'grid'
                      ORDER BY code LIMIT 40) x""")
        ).all()
        cats = s.execute(
            text("""SELECT c.code FROM incident_category c WHERE NOT EXISTS (
                      SELECT 1 FROM incident_category k WHERE k.parent_code = c.code)
                    ORDER BY c.code LIMIT 6""")
        ).scalars()
        cats = list(cats)
    return {
        "points": [(float(x), float(y)) for x, y in pts],
        "categories": cats,
        "commander": _principal("commander"),
        "token": make_token(name="rollup test"),
    }


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from governance import intake_bulk

    monkeypatch.setattr(intake_bulk, "MIN_CHUNK", 2)  # a batch crosses chunk boundaries


def _move(incident_id: int, lon: float, lat: float) -> None:
    cells = cells_for_points([lat], [lon])
    with session_scope(admin=True) as s:
        s.execute(
            text(f"""UPDATE incident SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326),
                        {", ".join(f"h3_{r} = :h{r}" for r in cells)},
                        grid_id = (SELECT a.id FROM area a WHERE a.level = 'grid'
                                   AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))
                                   ORDER BY a.id LIMIT 1)
                     WHERE id = :id"""),
            {
                "id": incident_id,
                "x": lon,
                "y": lat,
                **{f"h{r}": int(c[0]) for r, c in cells.items()},
            },
        )


class RollupMachine(RuleBasedStateMachine):
    """Writes as the application makes them, in any order; the rollup must follow."""

    city: dict[str, Any]

    @initialize()
    def start(self) -> None:
        self.ids: list[int] = []
        self.now = datetime.now(UTC)

    def _when(self, hours: int) -> str:
        return (self.now - timedelta(hours=hours)).isoformat()

    def _item(self, data: st.DataObject) -> dict[str, Any]:
        pt = data.draw(st.sampled_from(self.city["points"]))
        jitter = data.draw(st.sampled_from([0.0, 0.0001, -0.0003]))
        return item(
            (pt[0] + jitter, pt[1] - jitter),
            category=data.draw(st.sampled_from(self.city["categories"])),
            occurred_at=self._when(data.draw(st.integers(0, 24 * 5))),
        )

    @rule(data=st.data())
    def intake_one(self, data: st.DataObject) -> None:
        resp = post(self.city["token"], "/api/v1/incidents", self._item(data))
        assert resp.status_code in (200, 201), resp.get_json()
        self.ids.append(int(resp.get_json()["id"]))

    @rule(data=st.data(), n=st.integers(1, 7))
    def intake_bulk(self, data: st.DataObject, n: int) -> None:
        items = [self._item(data) for _ in range(n)]
        if n > 2:
            items.append(items[0])  # a repeat inside the body
        resp = post(self.city["token"], "/api/v1/incidents/bulk", {"items": items})
        assert resp.status_code == 200, resp.get_json()
        self.ids.extend({int(e["id"]) for e in resp.get_json()["items"]})

    def _pick(self, data: st.DataObject) -> int | None:
        return data.draw(st.sampled_from(self.ids)) if self.ids else None

    @rule(data=st.data(), action=st.sampled_from(["verify", "reject", "merge", "dispatch"]))
    def transition(self, data: st.DataObject, action: str) -> None:
        iid = self._pick(data)
        if iid is None:
            return
        who = self.city["commander"]
        params: dict[str, Any] = {}
        if action == "merge":
            params = {"into": data.draw(st.sampled_from(self.ids))}
        if action == "dispatch":
            with session_scope(admin=True) as s:
                params = {
                    "lead_department_id": s.execute(
                        text("SELECT min(id) FROM department")
                    ).scalar_one()
                }
        with session_scope(admin=True) as s:
            version = s.execute(
                text("SELECT version FROM incident WHERE id = :i"), {"i": iid}
            ).scalar_one()
        try:
            with unit_of_work(who) as s:
                workflow.transition(
                    s,
                    iid,
                    action,
                    expected_version=version,
                    principal=who,
                    note="测试",
                    params=params,
                )
        except MinqingError:
            pass  # refused (wrong state, a merge into itself ...): nothing written

    @rule(data=st.data(), rating=st.sampled_from(["satisfied", "dissatisfied"]))
    def resolve_then_rate(self, data: st.DataObject, rating: str) -> None:
        """Straight to resolved (the handling steps are the workflow tests' business),
        then the resident's rating closes or reopens it."""
        iid = self._pick(data)
        if iid is None:
            return
        with session_scope(admin=True) as s:
            s.execute(
                text(
                    "UPDATE incident SET status = 'resolved' WHERE id = :i AND status IN ('dispatched', 'verified')"
                ),
                {"i": iid},
            )
        try:
            with unit_of_work() as s:
                workflow.resident_feedback(s, iid, rating)
        except MinqingError:
            pass

    @rule(data=st.data(), change=st.sampled_from(["category", "source", "time", "status", "grid"]))
    def correct(self, data: st.DataObject, change: str) -> None:
        iid = self._pick(data)
        if iid is None:
            return
        sets = {
            "category": ("category_code = :v", data.draw(st.sampled_from(self.city["categories"]))),
            "source": ("source = :v", data.draw(st.sampled_from(SOURCES))),
            "time": (
                "occurred_at = occurred_at + CAST(:v AS interval)",
                f"{data.draw(st.integers(-30, 30))} hours",
            ),
            "status": (
                "status = :v, merged_into_id = NULL",
                data.draw(st.sampled_from(["registered", "merged", "rejected", "closed"])),
            ),
            "grid": (
                "grid_id = (SELECT min(id) FROM area WHERE level = 'grid' AND :v)",
                data.draw(st.booleans()),
            ),
        }[change]
        with session_scope(admin=True) as s:
            s.execute(
                text(f"UPDATE incident SET {sets[0]} WHERE id = :i"), {"i": iid, "v": sets[1]}
            )

    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        iid = self._pick(data)
        if iid is not None:
            pt = data.draw(st.sampled_from(self.city["points"]))
            _move(iid, pt[0] + data.draw(st.sampled_from([0.0, 0.00005])), pt[1])

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        iid = self._pick(data)
        if iid is None:
            return
        with session_scope(admin=True) as s:
            s.execute(
                text("UPDATE incident SET merged_into_id = NULL WHERE merged_into_id = :i"),
                {"i": iid},
            )
            s.execute(text("DELETE FROM incident WHERE id = :i"), {"i": iid})
        self.ids.remove(iid)

    @rule(hours=st.integers(-3, 3))
    def many_rows_at_once(self, hours: int) -> None:
        """One UPDATE of many rows (the spike benchmark moves incidents so)."""
        if self.ids:
            with session_scope(admin=True) as s:
                s.execute(
                    text(
                        "UPDATE incident SET occurred_at = occurred_at + make_interval(hours => :h) WHERE id = ANY(:ids)"
                    ),
                    {"h": hours, "ids": self.ids},
                )

    @invariant()
    def rollup_is_exact(self) -> None:
        d = drift()
        assert d.exact, d

    @rule(
        data=st.data(),
        start_h=st.integers(0, 24 * 6),
        span_h=st.integers(1, 24 * 4),
        res=st.sampled_from([6, 8, 10]),
        filtered=st.booleans(),
    )
    def density_agrees(
        self, data: st.DataObject, start_h: int, span_h: int, res: int, filtered: bool
    ) -> None:
        end = (
            self.now
            + timedelta(hours=2)
            - timedelta(hours=start_h, minutes=data.draw(st.integers(0, 59)))
        )
        start = end - timedelta(hours=span_h)
        if data.draw(st.booleans()):  # a whole local day or two, as a date range picks
            day = rq.local_midnight(start.astimezone(rq.LOCAL).date())
            start, end = day, day + timedelta(days=data.draw(st.integers(1, 3)))
        pt = data.draw(st.sampled_from(self.city["points"]))
        half = data.draw(st.sampled_from([0.0, 0.00004, 0.003, 0.05]))
        bbox = data.draw(
            st.sampled_from([WORLD, CITY, (pt[0] - half, pt[1] - half, pt[0] + half, pt[1] + half)])
        )
        where = lq.IncidentWhere(
            start,
            end,
            categories=tuple(self.city["categories"][:2]) if filtered else None,
            sources=("hotline_12345", "grid") if filtered and data.draw(st.booleans()) else None,
            scope=data.draw(st.sampled_from([None, "441502", "441502001"])),
        )
        fast, raw = both_paths(where, bbox, res)
        assert fast == raw


def test_rollup_follows_every_write_and_density_agrees(
    city: dict[str, Any], small_chunks: None
) -> None:
    RollupMachine.city = city
    machine = RollupMachine.TestCase
    machine.settings = settings(
        max_examples=12,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    machine().runTest()


def test_the_density_layer_reads_the_rollup(city: dict[str, Any]) -> None:
    """Rows added to the rollup alone (a stand-in, rolled back) show in the layer: it is
    really read; with the urgency filter the raw path answers and they do not."""
    day = datetime.now(UTC).astimezone(rq.LOCAL).date() - timedelta(days=2)
    lon, lat = city["points"][0]
    cell = int(cells_for_points([lat], [lon])[6][0])
    with session_scope(admin=True) as s:
        s.execute(
            text("""INSERT INTO incident_rollup (day, h3_10, h3_9, h3_8, h3_7, h3_6,
                        category_code, source, grid_id, n, extent)
                    VALUES (:d, 1, 1, 1, 1, :c, :cat, 'grid', 0, 100000,
                            ST_SetSRID(ST_MakePoint(:x, :y), 4326))"""),
            {"d": day, "c": cell, "cat": city["categories"][0], "x": lon, "y": lat},
        )
    start = rq.local_midnight(day)
    where = lq.IncidentWhere(start, start + timedelta(days=1))
    fast, raw = both_paths(where, CITY, 6)
    assert dict(fast)[cell] == dict(raw).get(cell, 0) + 100000
    assert drift().keys == 1
    urgent = lq.IncidentWhere(start, start + timedelta(days=1), urgency=("closed",))
    fast, raw = both_paths(urgent, CITY, 6)
    assert fast == raw


def test_a_row_across_the_viewport_edge_counts_only_its_points_inside(
    city: dict[str, Any],
) -> None:
    """Two incidents of one key (same cells, day, category, source, grid) ~3 m apart, the
    viewport's edge between them: the row's extent crosses the edge, so its raw rows are
    counted, and only the one inside shows (as in the raw query)."""
    x, y = city["points"][5]
    token = city["token"]
    day = datetime.now(UTC).astimezone(rq.LOCAL).date() - timedelta(days=1)
    when = (rq.local_midnight(day) + timedelta(hours=9)).isoformat()
    cat = city["categories"][1]

    def cells(lon: float) -> list[int]:
        return [int(v[0]) for v in cells_for_points([y], [lon]).values()]

    dx = next(d for d in (3e-5, -3e-5, 2e-5, -2e-5, 1e-5, -1e-5) if cells(x + d) == cells(x))
    for lon in (x, x + dx):
        resp = post(token, "/api/v1/incidents", item((lon, y), category=cat, occurred_at=when))
        assert resp.status_code == 201, resp.get_json()
    edge = x + dx / 2  # the viewport's edge between the two
    bbox = (x - 0.01, y - 0.01, edge, y + 0.01) if dx > 0 else (edge, y - 0.01, x + 0.01, y + 0.01)
    with session_scope(admin=True) as s:
        crossing = s.execute(
            text("""SELECT count(*) FROM incident_rollup r
                    WHERE r.day = :d AND r.n >= 2 AND r.extent && ST_MakeEnvelope(:a, :b, :c, :e, 4326)
                      AND NOT ST_MakeEnvelope(:a, :b, :c, :e, 4326) ~ r.extent"""),
            {"d": day, "a": bbox[0], "b": bbox[1], "c": bbox[2], "e": bbox[3]},
        ).scalar_one()
    assert crossing >= 1
    start = rq.local_midnight(day)
    where = lq.IncidentWhere(start, start + timedelta(days=1), categories=(cat,))
    for res in (6, 10):
        fast, raw = both_paths(where, bbox, res)
        assert fast == raw and sum(n for _, n in fast) >= 1


def test_whole_days_of_windows() -> None:
    day = datetime(2026, 3, 9, tzinfo=rq.LOCAL)
    assert rq.whole_days(day, day + timedelta(days=2)) == (
        day.date(),
        (day + timedelta(days=2)).date(),
    )
    assert rq.whole_days(day + timedelta(minutes=1), day + timedelta(days=2)) == (
        (day + timedelta(days=1)).date(),
        (day + timedelta(days=2)).date(),
    )
    assert rq.whole_days(day + timedelta(hours=1), day + timedelta(hours=30)) is None
    # the SQL side agrees on where a local day starts (the rollup's days come from PostgreSQL)
    with session_scope() as s:
        pg = s.execute(
            text("SELECT (CAST(:d AS date)::timestamp AT TIME ZONE 'Asia/Shanghai')"),
            {"d": day.date()},
        ).scalar_one()
    assert pg == rq.local_midnight(day.date())


@pytest.mark.commits
def test_two_writers_on_the_same_keys_at_once(city: dict[str, Any]) -> None:
    """Two transactions move incidents between the same two keys in opposite directions
    and insert rows of both keys; the second waits for the first (each statement locks its
    keys in key order, so neither holds what the other waits for) and both commit."""
    from geodata.db import get_admin_engine

    (x1, y1), (x2, y2) = city["points"][1], city["points"][2]
    ids = []
    with session_scope(admin=True) as s:
        for k, (x, y) in enumerate([(x1, y1), (x2, y2), (x1, y1), (x2, y2)]):
            c = cells_for_points([y], [x])
            ids.append(
                s.execute(
                    text(f"""INSERT INTO incident (source, external_id, category_code, occurred_at,
                            reported_at, status, priority, description, geom, version,
                            {", ".join(f"h3_{r}" for r in c)})
                        VALUES ('grid', :e, :cat, now(), now(), 'registered', 3, '',
                                ST_SetSRID(ST_MakePoint(:x, :y), 4326), 1,
                                {", ".join(f":h{r}" for r in c)}) RETURNING id"""),
                    {
                        "e": f"rollup-{random.random()}-{k}",
                        "cat": city["categories"][0],
                        "x": x,
                        "y": y,
                        **{f"h{r}": int(v[0]) for r, v in c.items()},
                    },
                ).scalar_one()
            )
    engine = get_admin_engine()
    first_done, release, errors = threading.Event(), threading.Event(), []

    def writer(mine: list[int], to: tuple[float, float], first: bool) -> None:
        try:
            with engine.connect() as conn, conn.begin():
                conn.execute(text("SET LOCAL lock_timeout = '60s'"))
                c = cells_for_points([to[1]], [to[0]])
                conn.execute(
                    text(f"""UPDATE incident SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326),
                             {", ".join(f"h3_{r} = :h{r}" for r in c)} WHERE id = ANY(:ids)"""),
                    {
                        "ids": mine,
                        "x": to[0],
                        "y": to[1],
                        **{f"h{r}": int(v[0]) for r, v in c.items()},
                    },
                )
                if first:  # hold the locks until the other writer queues behind them
                    first_done.set()
                    release.wait(60)
        except Exception as exc:  # noqa: BLE001 -- any failure of a writer is reported below
            errors.append(exc)

    a = threading.Thread(target=writer, args=([ids[0], ids[2]], (x2, y2), True))
    b = threading.Thread(target=writer, args=([ids[1], ids[3]], (x1, y1), False))
    a.start()
    first_done.wait(30)
    b.start()
    waited = 0
    with engine.connect() as watch:  # each query in a transaction of its own: fresh stats
        for _ in range(600):
            waited = watch.execute(
                text("""SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                        AND datname = current_database()""")
            ).scalar_one()
            watch.rollback()
            if waited or not b.is_alive():
                break
            threading.Event().wait(0.05)
    release.set()
    a.join(90)
    b.join(90)
    assert errors == []
    assert waited  # the second writer did queue behind the first one's keys
    d = drift()
    assert d.exact, d
    with session_scope(admin=True) as s:
        s.execute(text("DELETE FROM incident WHERE id = ANY(:i)"), {"i": ids})
    assert drift().exact


def test_rebuild_repairs_and_check_finds(city: dict[str, Any]) -> None:
    first = "SELECT {} FROM incident_rollup ORDER BY {} LIMIT 1 OFFSET :k".format(
        "(" + ", ".join(rq.KEY) + ")", ", ".join(rq.KEY)
    )
    with session_scope(admin=True) as s:
        one, two = (s.execute(text(first), {"k": k}).scalar_one() for k in (0, 1))
        key = "(" + ", ".join(rq.KEY) + ")"
        s.execute(
            text(f"UPDATE incident_rollup SET n = n + 1 WHERE CAST({key} AS text) = :k"), {"k": one}
        )
        s.execute(text(f"DELETE FROM incident_rollup WHERE CAST({key} AS text) = :k"), {"k": two})
    d = drift()
    assert d.keys == 2 and not d.exact and len(d.examples) == 2
    from click.testing import CliRunner

    from cli.db import db as db_cli

    runner = CliRunner()
    found = runner.invoke(db_cli, ["rollup-check"])
    assert found.exit_code == 1 and "2 keys differ" in found.output, found.output
    rebuilt = runner.invoke(db_cli, ["rollup-rebuild"])
    assert rebuilt.exit_code == 0 and "rebuilt" in rebuilt.output, rebuilt.output
    assert drift().exact
    again = runner.invoke(db_cli, ["rollup-check"])
    assert again.exit_code == 0 and "exact" in again.output, again.output


def test_the_migration_fills_the_rollup_from_existing_rows(owner_url: str) -> None:
    """0024 keeps what is there: incidents written before it are counted by its fill,
    exactly; its downgrade drops the table and the triggers."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session

    from geodata import migrate
    from tests.conftest import ADMIN_URL

    url = make_url(owner_url).set(database=make_url(owner_url).database + "_rollup")
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    u = url.render_as_string(hide_password=False)
    eng = create_engine(u)
    try:
        migrate.upgrade(u, "0023_alerts")
        with eng.begin() as conn:
            conn.execute(
                text("""INSERT INTO incident_category (code, name_zh, name_en, color,
                            default_priority, sort_order)
                        VALUES ('t.cat', '测试', 'test', '#000000', 3, 1)
                        ON CONFLICT DO NOTHING""")
            )
            for k, (status, x) in enumerate(
                [("registered", 115.3), ("closed", 115.3), ("rejected", 115.3), ("merged", 115.4),
                 ("verified", 115.4)]
            ):  # fmt: skip
                c = cells_for_points([22.8], [x])
                conn.execute(
                    text(f"""INSERT INTO incident (source, external_id, category_code,
                                occurred_at, reported_at, status, priority, description, geom,
                                version, {", ".join(f"h3_{r}" for r in c)})
                            VALUES ('grid', :e, 't.cat', now(), now(), :st, 3, '',
                                    ST_SetSRID(ST_MakePoint(:x, 22.8), 4326), 1,
                                    {", ".join(f":h{r}" for r in c)})"""),
                    {
                        "e": f"m{k}",
                        "st": status,
                        "x": x,
                        **{f"h{r}": int(v[0]) for r, v in c.items()},
                    },
                )
        migrate.upgrade(u)
        with Session(eng) as s:
            assert rq.check(s).exact
            rows = s.execute(text("SELECT n FROM incident_rollup ORDER BY n")).scalars().all()
            assert rows == [1, 2]  # 115.4: one verified (the merged one not); 115.3: two
            s.execute(text("TRUNCATE incident CASCADE"))  # the demo's reset
            assert s.execute(text("SELECT count(*) FROM incident_rollup")).scalar_one() == 0
            s.commit()
        migrate.downgrade(u, "0023_alerts")
        assert "incident_rollup" not in inspect(eng).get_table_names()
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.commits
def test_two_bulk_batches_whose_chunks_cross_keys(city: dict[str, Any], small_chunks: None) -> None:
    """Batch A writes key 1 in its first chunk and key 2 in its second, batch B the
    other way round: without turns per source (``one_batch_per_source``) each could hold
    the key the other's next chunk needs. Both must succeed, and the rollup stay exact."""
    from concurrent.futures import ThreadPoolExecutor

    p1, p2 = city["points"][3], city["points"][4]
    cat = city["categories"][0]

    def batch(tag: str, first: tuple[float, float], second: tuple[float, float]) -> list[Any]:
        pts = [first, first, second, second]  # external ids sort in this order
        return [
            {**item(p, category=cat), "external_id": f"rollup-{tag}-{k}-{random.random()}"}
            for k, p in enumerate(pts)
        ]

    bodies = [batch("a", p1, p2), batch("b", p2, p1)] * 2
    with ThreadPoolExecutor(len(bodies)) as pool:
        out = list(
            pool.map(lambda b: post(city["token"], "/api/v1/incidents/bulk", {"items": b}), bodies)
        )
    assert [r.status_code for r in out] == [200] * len(bodies), [r.get_json() for r in out]
    d = drift()
    assert d.exact, d
