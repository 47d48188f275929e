"""Writing the demo's patrol history: the submissions drawn by
:mod:`geodata.demo.patrol_history` as rows (answers, check-in verdict, a typed reason for
every check-in not on site), COPYed in the order they were sent, and their tasks marked
done. A submission's ``client_id`` is a UUID5 of the seed and the task's target and
period, so it is unique and the same for the same seed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from geodata.demo import patrol_answers, writer
from geodata.demo.patrol_history import Drawn, Tasks, too_fast

REASONS: Final = {
    ("site", "off_site"): (
        "场所大门关闭，在门外查看",
        "场所暂停营业，在周边巡查",
        "施工围挡封闭，在围挡外查看",
        "定位漂移，实际在场所内",
    ),
    ("person", "off_site"): (
        "对象外出，电话回访",
        "对象在亲属家，已电话联系",
        "对象住院，到医院探望",
        "在村委会约见对象",
    ),
    ("site", "no_position"): ("手机定位失败，已拍照留存", "定位权限被拒绝，已现场查看"),
    ("person", "no_position"): ("手机定位失败，已入户走访", "定位权限被拒绝，已电话确认"),
}
SUBMISSION_COLUMNS = [
    "id",
    "task_id",
    "client_id",
    "template_version_id",
    "submitted_by",
    "submitted_at",
    "filled_at",
    "answers",
    "lon",
    "lat",
    "accuracy_m",
    "distance_m",
    "on_site",
    "off_site_reason",
    "flags",
    "late",
    "failed_items",
]
_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
CLIENT_NAMESPACE: Final = uuid.UUID("5d1b3f7e-8a40-4c1e-9f0a-6d2c0e5b7a13")


@dataclass(frozen=True)
class Template:
    id: int
    version_id: int
    name_zh: str
    items: list[dict[str, Any]]


def load_templates(session: Session) -> dict[int, Template]:
    """Each template's current version."""
    rows = session.execute(
        text("""
        SELECT t.id, v.id, t.name_zh, v.items FROM checklist_template t
        JOIN checklist_template_version v ON v.template_id = t.id AND v.version = t.current_version
        ORDER BY t.id""")
    ).all()
    return {int(r[0]): Template(int(r[0]), int(r[1]), str(r[2]), list(r[3])) for r in rows}


@dataclass
class Written:
    """What :func:`write_submissions` stored (by submission, in id order)."""

    ids: np.ndarray
    drawn: Drawn  # reordered by id
    filled: list[patrol_answers.Filled]


def _ts(seconds: np.ndarray) -> list[str]:
    return [s + "+00" for s in np.datetime_as_string(seconds.astype("datetime64[s]")).tolist()]


def _num(x: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in x.tolist()]


def _answers(
    rng: np.random.Generator, t: Tasks, d: Drawn, templates: dict[int, Template]
) -> list[patrol_answers.Filled]:
    """Each submission's answers, with ``d.fails`` of its failable items failed."""
    width = max(len(x.items) for x in templates.values()) if templates else 0
    u_all = d.item_u[:, : width + 2].tolist()
    keys = {k: patrol_answers.failable(x.items) for k, x in templates.items()}
    subject = np.where(t.site[d.row], "site", "person").tolist()
    out = []
    for i, (tid, n_fail, u) in enumerate(
        zip(t.template_id[d.row].tolist(), d.fails.tolist(), u_all, strict=True)
    ):
        tpl, can = templates[tid], keys[tid]
        fail: list[str] = []
        if n_fail and can:
            j = int(u[-2] * len(can))
            fail = [can[j]]
            if n_fail > 1 and len(can) > 1:
                fail.append(can[(j + 1 + int(u[-1] * (len(can) - 1))) % len(can)])
        out.append(patrol_answers.fill(tpl.items, subject[i], fail, u, rng))
    return out


def _reasons(t: Tasks, d: Drawn, on_site: np.ndarray) -> list[str | None]:
    """A typed reason for every check-in not on site (none for the others)."""
    out: list[str | None] = [None] * len(d)
    nopos = np.isnan(d.lon)
    for i in np.flatnonzero(~on_site).tolist():
        key = ("site" if t.site[d.row[i]] else "person", "no_position" if nopos[i] else "off_site")
        out[i] = REASONS[key][int(d.reason_k[i]) % len(REASONS[key])]
    return out


def _flags(d: Drawn) -> list[str]:
    """PostgreSQL array text of each check-in's flags, in ``judge``'s order."""
    nopos = np.isnan(d.lon)
    out = np.full(len(d), "", dtype=object)
    for name, on in (("off_site", d.off_site), ("low_accuracy", d.low_accuracy),
                     ("too_fast", d.too_fast)):  # fmt: skip
        out = np.where(on, out + "," + name, out)
    out = np.where(nopos, ",no_position", out)
    return ["{" + f[1:] + "}" for f in out.tolist()]


def write_submissions(
    session: Session, rng: np.random.Generator, t: Tasks, d: Drawn, templates: dict[int, Template],
    *, seed: int,
) -> Written:  # fmt: skip
    """COPY the submissions (ids in the order they were sent) and mark their tasks done."""
    first = int(session.execute(text("SELECT coalesce(max(id), 0) + 1 FROM patrol_submission"))
                .scalar_one())  # fmt: skip
    order = np.lexsort((t.id[d.row], d.submitted))
    reordered: dict[str, Any] = {
        k: (v[order] if isinstance(v, np.ndarray) else v) for k, v in vars(d).items()
    }
    d = Drawn(**reordered)
    ids = np.arange(first, first + len(d), dtype=np.int64)
    d.too_fast = too_fast(t.worker[d.row], d.filled, ids, d.lon, d.lat)
    filled = _answers(rng, t, d, templates)
    on_site = ~(d.off_site | d.low_accuracy | np.isnan(d.lon))
    version = {k: x.version_id for k, x in templates.items()}
    rows = zip(
        ids.tolist(),
        t.id[d.row].tolist(),
        [str(uuid.uuid5(CLIENT_NAMESPACE, f"{seed}:{key}")) for key in t.key[d.row].tolist()],
        [version[x] for x in t.template_id[d.row].tolist()],
        t.worker[d.row].tolist(),
        _ts(d.submitted),
        _ts(d.filled),
        [_JSON(f.answers) for f in filled],
        _num(d.lon),
        _num(d.lat),
        _num(d.accuracy),
        [None if v != v else round(v, 1) for v in d.distance.tolist()],  # as judge rounds
        np.where(on_site, "t", "f").tolist(),
        _reasons(t, d, on_site),
        _flags(d),
        np.where(d.filled > t.deadline[d.row], "t", "f").tolist(),
        [len(f.failed) for f in filled],
        strict=True,
    )
    writer.copy_rows(session, "patrol_submission", SUBMISSION_COLUMNS, rows)
    session.execute(
        text("""
        UPDATE patrol_task k SET status = 'done', done_at = x.filled_at
        FROM patrol_submission x WHERE x.task_id = k.id AND x.id >= :first"""),
        {"first": first},
    )
    writer.sync_sequences(session, ["patrol_submission"])
    return Written(ids, d, filled)
