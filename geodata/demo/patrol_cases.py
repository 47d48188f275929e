"""The demo patrol history's findings: each failed item one case (source ``patrol``), as
``governance/patrol_submit._raise_case`` raises it, with its path through the closed loop.

A case is registered when its checklist reached the server (``reported_at`` = sent,
``occurred_at`` = filled), at the site for a site visit and at the grid's label point for
a care visit, in the item's ``fail_category`` with its ``fail_priority`` or the
category's default; its external id is ``patrol-<submission id>-<item key>``. Its path
is drawn by the demo's own loop model (:mod:`geodata.demo.lifecycle`) and cut at the
moment of seeding (:mod:`geodata.demo.timeline`), from a generator of its own, so the
city's other incidents stay exactly as they were. The care categories (``care.*``) are
not among the generated incidents' leaves; they are indexed after them here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.demo import lifecycle, patrol_answers, texts, timeline, writer
from geodata.demo.catalog import CARE_GROUPS, LEAVES
from geodata.demo.incidents import IncidentBatch
from geodata.demo.patrol_history import Tasks
from geodata.demo.patrol_writes import Template, Written
from geodata.demo.workcal import WorkCalendar, load_rules
from geodata.hexagons import cells_for_points
from geodata.models import H3_RESOLUTIONS

ALL_LEAVES: Final = LEAVES + [leaf for *_, leaves in CARE_GROUPS for leaf in leaves]
ALL_CODES: Final = [leaf.code for leaf in ALL_LEAVES]
ALL_INDEX: Final = {c: i for i, c in enumerate(ALL_CODES)}
RESOLVE_NOTES: Final = texts.RESOLVE_NOTES | {
    "care": (
        "已协调落实帮扶措施，已回访",
        "已联系家属落实照护，风险消除",
        "已上门核实并联系相关部门跟进",
    )
}
SOURCE: Final = "patrol"
FINDING_COLUMNS = ["submission_id", "item_key", "incident_id"]


def write_cases(
    session: Session,
    rng: np.random.Generator,
    t: Tasks,
    w: Written,
    templates: dict[int, Template],
    now: datetime,
) -> int:
    """The cases of the failed items of the submissions ``w`` and their findings;
    returns how many."""
    sub, key, leaf, prio, desc = [], [], [], [], []
    for i, f in enumerate(w.filled):
        if not f.failed:
            continue
        tpl = templates[int(t.template_id[w.drawn.row[i]])]
        by_key = {item["key"]: item for item in tpl.items}
        for k in f.failed:
            item = by_key[k]
            code = item["fail_category"]
            sub.append(i)
            key.append(k)
            leaf.append(ALL_INDEX[code])
            prio.append(item.get("fail_priority") or ALL_LEAVES[ALL_INDEX[code]].priority)
            desc.append(patrol_answers.description(tpl.name_zh, item, f))
    n = len(sub)
    if not n:
        return 0
    at = np.asarray(sub, dtype=np.int64)
    row = w.drawn.row[at]
    site = t.site[row]
    x = np.where(site, t.lon[row], t.grid_lon[row])
    y = np.where(site, t.lat[row], t.grid_lat[row])
    first = int(session.execute(text("SELECT coalesce(max(id), 0) + 1 FROM incident")).scalar_one())
    ids = np.arange(first, first + n, dtype=np.int64)
    address = [
        t.address[r] if s else None for r, s in zip(row.tolist(), site.tolist(), strict=True)
    ]
    batch = IncidentBatch(
        ids=ids,
        source=[SOURCE] * n,
        external_id=[f"patrol-{w.ids[i]}-{k}" for i, k in zip(sub, key, strict=True)],
        category=[ALL_CODES[c] for c in leaf],
        leaf=np.asarray(leaf, dtype=np.int64),
        occurred=w.drawn.filled[at].astype("datetime64[s]"),
        reported=w.drawn.submitted[at].astype("datetime64[s]"),
        grid_id=t.grid_id[row],
        priority=np.asarray(prio, dtype=np.int64),
        description=desc,
        address=address,  # type: ignore[arg-type]
        x=x,
        y=y,
        h3=cells_for_points(y.tolist(), x.tolist(), H3_RESOLUTIONS),
    )
    rules = load_rules(session, ALL_CODES)
    cal = WorkCalendar.load(
        session, (now - timedelta(days=400)).date(), (now + timedelta(days=400)).date()
    )
    now_s = int(now.timestamp())
    reported = w.drawn.submitted[at]
    paths = lifecycle.simulate(
        rng, ids=ids, reported=reported, sources=batch.source, leaves=batch.leaf,
        priority=batch.priority, grid_ids=batch.grid_id, rules=rules, cal=cal, now=now_s,
        leaf_codes=ALL_CODES, long_suspensions=0,  # the city's two are the incidents'
    )  # fmt: skip
    cut = timeline.cut(
        paths, reported=reported, sources=batch.source, leaves=batch.leaf,
        routes=rules.routing.routes, now=now_s, leaf_codes=ALL_CODES, resolve_notes=RESOLVE_NOTES,
    )  # fmt: skip
    writer.write_incidents(session, batch, cut)
    writer.write_timelines(session, cut)
    writer.copy_rows(
        session,
        "patrol_finding",
        FINDING_COLUMNS,
        zip(w.ids[at].tolist(), key, ids.tolist(), strict=True),
    )
    writer.sync_sequences(session, ["incident"])
    return n
