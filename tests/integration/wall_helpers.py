"""Helpers of the wall-screen tests: Dash callback payloads as the browser sends them,
kiosk sessions, and the wall's KPIs computed independently of the app (SQL written
afresh, and the state of open cases at a past instant replayed in Python from the raw
timeline rows)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from callbacks import wall as wall_callbacks
from geodata.db import session_scope
from pages.wall_ids import WallIds

BOUNDS = [[22.6, 115.0], [23.6, 116.2]]
Dep = tuple[str, str, Any]  # (component id, property, value)
REFRESHED, LAYERS = wall_callbacks.REFRESHED, wall_callbacks.LAYER_IDS
OPEN = ("registered", "verified", "dispatched", "accepted", "in_progress", "suspended", "resolved")
HANDLING = ("dispatched", "accepted", "in_progress")


def post_callback(client, payload: dict):  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("_csrf_token")
    return client.post(
        "/_dash-update-component",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-CSRFToken": cookie.value if cookie else ""},
    )


def payload(
    outputs: list[tuple[str, str]], inputs: list[Dep], state: list[Dep] | None = None
) -> dict:
    outs = [{"id": i, "property": p} for i, p in outputs]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": outs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state or []],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }


def refresh_payload(tick: int = 1, shown: Any = None) -> dict:
    """A refresh tick; ``shown``: the fingerprints the wall's store holds (None: it has
    drawn nothing yet, so every part comes back)."""
    return payload(
        [
            *((i, "children") for i in REFRESHED),
            (WallIds.LOCKED, "className"),
            (WallIds.STATUS, "data"),
            (WallIds.SHOWN, "data"),
        ],
        [(WallIds.INTERVAL, "n_intervals", tick)],
        [(WallIds.SHOWN, "data", shown)],
    )


def urls_payload(zoom: float = 9) -> dict:
    return payload(
        [(i, "url") for i in LAYERS],
        [
            (WallIds.MAP, "bounds", BOUNDS),
            (WallIds.MAP, "zoom", zoom),
            (WallIds.INTERVAL, "n_intervals", 1),
        ],
        [(i, "url", None) for i in LAYERS],
    )


def router_payload(path: str) -> dict:
    return payload(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", path), ("_pages_location", "search", "")],
    )


def walk_props(node: Any) -> list[dict]:
    """Every component's props in a JSON layout tree, depth first."""
    out: list[dict] = []
    if isinstance(node, list):
        for n in node:
            out += walk_props(n)
    elif isinstance(node, dict):
        props = node.get("props") or {}
        out.append(props)
        out += walk_props(props.get("children"))
    return out


def kpi_values(response: dict) -> dict[str, float | None]:
    """KPI figures by key (None: no figure), from the rendered tiles of a refresh."""
    return {
        p["data-kpi"]: float(p["data-value"]) if p["data-value"] else None
        for p in walk_props(response["response"][WallIds.KPIS]["children"])
        if "data-kpi" in p
    }


def rows_of(response: dict, component_id: str, attr: str = "data-incident") -> list[str]:
    return [
        p[attr] for p in walk_props(response["response"][component_id]["children"]) if attr in p
    ]


def find_props(node: Any, component_id: str) -> dict:
    """The props of the component with ``component_id`` in a JSON layout tree."""
    if isinstance(node, list):
        for n in node:
            if found := find_props(n, component_id):
                return found
    elif isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return dict(node["props"])
        for v in node.values():
            if found := find_props(v, component_id):
                return found
    return {}


def open_kiosk(token: str):  # type: ignore[no-untyped-def]
    from app import server

    client = server.test_client()
    resp = client.get(f"/wall/k/{token}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/wall"), resp.status
    return client


def new_kiosk(area_code: str | None, name: str = "测试大屏") -> tuple[int, str]:
    from governance.kiosks import create_kiosk_token

    with session_scope() as s:
        tok = create_kiosk_token(s, area_code=area_code, name=name)
    return tok.id, tok.token


# ----------------------------------------------------------------------------- KPIs
def sql_kpis(session: Any, prefix: str, now: datetime) -> dict[str, float | None]:
    """The six KPIs and their comparisons, independently of the app: window figures in
    SQL (local days via AT TIME ZONE; "today" is cases received, like for like with the
    same span yesterday, merged duplicates and rejected reports left out), the open
    counts at ``now - 24 h`` replayed in Python from the timeline (:func:`open_at`)."""
    row = session.execute(
        text("""
        WITH t AS (SELECT CAST(:now AS timestamptz) AS now,
                   date_trunc('day', CAST(:now AS timestamptz) AT TIME ZONE 'Asia/Shanghai')
                       AT TIME ZONE 'Asia/Shanghai' AS midnight),
             i AS (SELECT i.* FROM incident i LEFT JOIN area g ON g.id = i.grid_id
                   -- city-wide: also the cases flagged outside every grid at intake
                   WHERE :p = '%' OR g.code LIKE :p)
        SELECT
          (SELECT count(*) FROM i, t WHERE reported_at >= t.midnight AND reported_at < t.now
             AND status NOT IN ('merged', 'rejected')),
          (SELECT count(*) FROM i, t WHERE reported_at >= t.midnight - interval '1 day'
             AND reported_at < t.now - interval '1 day'
             AND status NOT IN ('merged', 'rejected')),
          (SELECT count(*) FROM i WHERE status IN ('registered', 'verified')),
          (SELECT count(*) FROM i WHERE status IN ('dispatched', 'accepted', 'in_progress')),
          (SELECT count(*) FROM i, t WHERE status IN ('dispatched', 'accepted', 'in_progress')
             AND CASE status WHEN 'dispatched' THEN accept_due_at ELSE resolve_due_at END
                 < t.now),
          (SELECT 100.0 * avg(CASE WHEN resolved_at <= resolve_due_at THEN 1 ELSE 0 END)
             FROM i, t WHERE resolved_at >= t.midnight AND resolved_at < t.now
               AND resolve_due_at IS NOT NULL),
          (SELECT 100.0 * avg(CASE WHEN resolved_at <= resolve_due_at THEN 1 ELSE 0 END)
             FROM i, t WHERE resolved_at >= t.midnight - interval '1 day'
               AND resolved_at < t.now - interval '1 day' AND resolve_due_at IS NOT NULL),
          (SELECT avg(CASE f.rating WHEN 'satisfied' THEN 100 WHEN 'basic' THEN 60 ELSE 0 END)
             FROM incident_feedback f JOIN i ON i.id = f.incident_id, t
             WHERE f.at >= t.midnight AND f.at < t.now),
          (SELECT avg(CASE f.rating WHEN 'satisfied' THEN 100 WHEN 'basic' THEN 60 ELSE 0 END)
             FROM incident_feedback f JOIN i ON i.id = f.incident_id, t
             WHERE f.at >= t.midnight - interval '1 day' AND f.at < t.now - interval '1 day')
        """),
        {"p": prefix + "%", "now": now},
    ).one()
    keys = ("today", "today_prev", "awaiting", "handling", "overdue", "on_time",
            "on_time_prev", "satisfaction", "satisfaction_prev")  # fmt: skip
    out = {k: None if v is None else float(v) for k, v in zip(keys, row, strict=True)}
    # patrol: visits whose period ends today (yesterday), done by now (now - 24 h)
    visits = session.execute(
        text("""
        WITH d AS (SELECT (CAST(:now AS timestamptz) AT TIME ZONE 'Asia/Shanghai')::date AS today)
        SELECT
          (SELECT 100.0 * avg(CASE WHEN k.done_at < :now THEN 1 ELSE 0 END)
             FROM patrol_task k JOIN area g ON g.id = k.grid_id, d
             WHERE k.last_day = d.today AND k.status <> 'cancelled' AND g.code LIKE :p),
          (SELECT 100.0 * avg(CASE WHEN k.done_at < CAST(:now AS timestamptz) - interval '1 day'
                               THEN 1 ELSE 0 END)
             FROM patrol_task k JOIN area g ON g.id = k.grid_id, d
             WHERE k.last_day = d.today - 1 AND k.status <> 'cancelled' AND g.code LIKE :p)
        """),
        {"p": prefix + "%", "now": now},
    ).one()
    out |= {"patrol": visits[0], "patrol_prev": visits[1]}
    out = {k: None if v is None else float(v) for k, v in out.items()}
    then = open_at(session, prefix, now - timedelta(days=1))
    then.pop("suspended")  # not a tile
    return out | {f"{k}_prev": float(v) for k, v in then.items()}


def states_at(
    session: Any, prefix: str, at: datetime, ids: list[int] | None = None
) -> dict[int, tuple[str, Any, Any]]:
    """``{incident id: (status, accept by, resolve by)}`` as the cases stood at ``at``,
    replayed from the raw timeline rows: an incident untouched since ``at`` as it is now
    (if reported by then); otherwise its last transition up to ``at`` with the deadlines
    its last dispatch, a later approved extension or a resume (which moves both) set.
    ``ids``: only these incidents."""
    only = "AND i.id = ANY(:ids)" if ids is not None else ""
    incidents = session.execute(
        text(f"""SELECT i.id, i.status, i.reported_at, i.accept_due_at, i.resolve_due_at
        FROM incident i LEFT JOIN area g ON g.id = i.grid_id
        WHERE (:p = '%' OR g.code LIKE :p) {only}"""),
        {"p": prefix + "%", "ids": ids},
    ).all()
    events: dict[int, list[Any]] = {}
    for e in session.execute(
        text(
            "SELECT incident_id, id, at, action, to_status, detail FROM incident_event "
            + ("WHERE incident_id = ANY(:ids)" if ids is not None else "")
        ),
        {"ids": ids},
    ):
        events.setdefault(e.incident_id, []).append(e)
    out: dict[int, tuple[str, Any, Any]] = {}
    for i in incidents:
        evs = sorted(events.get(i.id, []), key=lambda e: (e.at, e.id))
        if not any(e.at > at for e in evs):
            if i.reported_at > at:
                continue
            out[i.id] = (i.status, i.accept_due_at, i.resolve_due_at)
            continue
        before = [e for e in evs if e.at <= at]
        moved = [e for e in before if e.to_status is not None]
        if not moved:
            continue
        acc, res = i.accept_due_at, i.resolve_due_at
        for e in before:
            detail = e.detail or {}
            if e.action in ("dispatch", "transfer"):
                acc = _ts(detail.get("accept_due_at")) or i.accept_due_at
                res = _ts(detail.get("resolve_due_at")) or i.resolve_due_at
            elif e.action == "approve_extension" and detail.get("until"):
                res = _ts(detail["until"])
            elif e.action == "resume":
                acc = _ts((detail.get("accept_due_at") or {}).get("to")) or acc
                res = _ts((detail.get("resolve_due_at") or {}).get("to")) or res
        out[i.id] = (moved[-1].to_status, acc, res)
    return out


def overdue_ids(states: dict[int, tuple[str, Any, Any]], at: datetime) -> set[int]:
    """The cases overdue at ``at``, by the rule written out: dispatched past accept-by,
    accepted or in progress past resolve-by; a suspended case runs no clock."""
    out = set()
    for iid, (status, acc, res) in states.items():
        due = (
            acc
            if status == "dispatched"
            else res
            if status in ("accepted", "in_progress")
            else None
        )
        if due is not None and due < at:
            out.add(iid)
    return out


def open_at(session: Any, prefix: str, at: datetime) -> dict[str, int]:
    """Awaiting / handling / suspended / overdue cases as they stood at ``at``
    (:func:`states_at`)."""
    states = states_at(session, prefix, at)
    n = {"awaiting": 0, "handling": 0, "suspended": 0, "overdue": len(overdue_ids(states, at))}
    for status, _acc, _res in states.values():
        if status == "suspended":
            n["suspended"] += 1
        elif status in ("registered", "verified"):
            n["awaiting"] += 1
        elif status in HANDLING:
            n["handling"] += 1
    return n


def _ts(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


# ----------------------------------------------------------------------------- privacy
def personal_values(session, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Clear personal values the wall must never show: incident texts of the area that
    hold something personal, addresses, key
    persons' identities, grid workers' names and phones, incident reporters (decrypted
    where the database keeps them encrypted)."""
    from governance.wall_cases import mask_text

    values: list[str] = []
    for desc, addr in session.execute(
        text("""SELECT i.description, i.address FROM incident i JOIN area g
        ON g.id = i.grid_id WHERE g.code LIKE :p"""),
        {"p": prefix + "%"},
    ):
        values.append(addr)
        # a text with something personal in it (a phone, the address) must never be shown
        # whole; one with nothing to mask ("路灯坏了") may be, as the masked text it is
        if desc and mask_text(desc, addr, None) != desc:
            values.append(desc)
    values += [v for row in session.execute(
        text("SELECT worker_name, worker_phone FROM area WHERE worker_name IS NOT NULL")
    ) for v in row]  # fmt: skip
    columns = {
        r[0]
        for r in session.execute(
            text("""SELECT column_name FROM information_schema.columns
            WHERE table_name = 'key_person_identity'""")
        )
    }
    identity = ("full_name", "id_number", "phone", "address")
    if "full_name" in columns:  # stored in clear
        for row in session.execute(text(f"SELECT {', '.join(identity)} FROM key_person_identity")):
            values += list(row)
    else:  # encrypted at rest (migration 0006): decrypt to know what to look for
        from geodata.crypto import cipher

        c = cipher()
        cols = ", ".join(f"{col}_enc" for col in identity)
        for pid, *blobs in session.execute(
            text(f"SELECT person_id, {cols} FROM key_person_identity")
        ):
            for col, blob in zip(identity, blobs, strict=True):
                values.append(c.decrypt(blob, c.place("key_person_identity", col, pid)))
    reporters = session.execute(text("SELECT to_regclass('incident_reporter')")).scalar()
    if reporters:  # who reported an incident (migration 0006), encrypted at rest
        from geodata.crypto import cipher

        c = cipher()
        for iid, name, phone in session.execute(
            text("SELECT incident_id, name_enc, phone_enc FROM incident_reporter")
        ):
            values.append(c.decrypt(name, c.place("incident_reporter", "name", iid)))
            values.append(c.decrypt(phone, c.place("incident_reporter", "phone", iid)))
    return [v for v in values if v and len(v) >= 4]
