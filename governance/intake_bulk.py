"""Bulk intake, pipelined: Python prepares the next chunk while PostgreSQL writes this one.

A batch of 10,000 incidents costs ~0.4 s of Python (validation, H3 cells, reporter
encryption, CSV) and ~0.65 s of database work (COPY, grid join, the insert with its
timeline events, foreign-key checks and 15 index updates). Done one after the other they
add up; here a worker thread validates and prepares chunk ``k + 1`` while the request's
thread COPYs and inserts chunk ``k`` (psycopg2 releases the GIL while it waits for the
server), so on two cores most of the Python time hides behind the database's
(``bench/ingest.py`` measures it).

Nothing about the outcome changes compared with :func:`governance.intake.write_items`:

- one transaction: a batch with any invalid item is refused whole, listing every
  problem of every item (chunks already written roll back with the transaction);
- idempotency on ``(source, external_id)``, first occurrence in the body wins;
- the batch is taken in ``external_id`` order, byte-wise, chunk after chunk, and each
  chunk's statement inserts in the same order (``COLLATE "C"``): concurrent batches of
  one source take the unique-key locks in one global order and cannot deadlock; and
  batches written in several chunks take turns per source
  (:func:`geodata.queries.intake.one_batch_per_source`), as the incident rollup's rows
  that each chunk adds to could otherwise be locked in opposite orders;
- ids are allocated before the rows are prepared (reporters are encrypted with their
  row id in the associated data): one ``nextval`` call for the batch, for the external
  ids not already stored; ids of items that turn out invalid or replayed stay unused.

The worker thread touches no database connection and no request state: only the items,
the category list, the cipher and the ids handed to it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from geodata.queries import intake as q
from governance.intake_checks import Checker, FieldError, IntakeInvalid, Item

MIN_CHUNK = 1_000  # smaller batches are written in one piece


def chunk_sizes(n: int) -> list[int]:
    """Chunks that double in size: the database writes chunk ``k`` while Python prepares
    chunk ``k + 1``, and per row Python is about twice as fast as the writing, so each
    chunk is ready about when the previous one is written. Each statement also pays a
    fixed cost (the grid join visits every grid once), hence few chunks: a batch of
    10,000 is written as 1,428 + 2,856 + 5,716 rows."""
    sizes, size = [], max(MIN_CHUNK, n // 7)  # 1 + 2 + 4 parts
    while n > 0:
        take = n if n < 2 * size else size
        sizes.append(take)
        n -= take
        size *= 2
    return sizes


_DONE = object()


def _raw_external_id(raw: object) -> str:
    """The external id an item will have if it is valid (sort key and replay look-up)."""
    if isinstance(raw, dict):
        value = raw.get("external_id")
        if isinstance(value, str):
            return value.strip()
    return ""


@dataclass
class _Chunk:
    """Prepared new rows of one chunk, as CSV, and which item each row id belongs to."""

    data: str
    idx_of_id: dict[int, int]


@dataclass
class _Shared:
    """What the worker hands over besides the chunks (read after it is finished)."""

    items: list[Item] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    duplicate_of: dict[int, int] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)


class _Preparer(threading.Thread):
    """Validates the chunks in order and, once the ids are known, prepares their rows."""

    def __init__(
        self,
        raws: Sequence[object],
        order: list[int],
        categories: Mapping[str, int],
        source: str,
        known: set[str],
        prepare_rows: Any,
    ) -> None:
        super().__init__(name="intake-prepare", daemon=True)
        self.raws, self.order = raws, order
        self.checker = Checker(categories, source, datetime.now(UTC))
        self.known = known
        self.prepare_rows = prepare_rows  # (items, ids) -> iterator of prepared rows
        self.ids: list[int] = []
        self.ids_ready = threading.Event()
        self.cancelled = threading.Event()
        self.out: queue.Queue[object] = queue.Queue(maxsize=2)
        self.shared = _Shared()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # noqa: BLE001 - the request's thread re-raises it
            self.failure = exc
        finally:
            self.out.put(_DONE)

    def _run(self) -> None:
        sh, pos, start = self.shared, 0, 0
        for size in chunk_sizes(len(self.order)):
            if self.cancelled.is_set():
                return
            firsts: list[Item] = []
            chunk, start = self.order[start : start + size], start + size
            for i in chunk:
                it = self.checker.item(i, self.raws[i])
                if it is None:
                    continue
                sh.items.append(it)
                if it.external_id in sh.first:
                    sh.duplicate_of[it.index] = sh.first[it.external_id]
                    continue
                sh.first[it.external_id] = it.index
                firsts.append(it)
            if self.checker.errors or not firsts:
                continue  # an invalid batch writes nothing: keep validating only
            self.ids_ready.wait()  # the stored ids are known from then on
            new = [it for it in firsts if it.external_id not in self.known]
            if not new:
                continue
            ids = self.ids[pos : pos + len(new)]
            pos += len(new)
            data, _ = q.rows_csv(self.prepare_rows(new, ids))
            self.out.put(_Chunk(data, {iid: it.index for it, iid in zip(new, ids, strict=True)}))
        sh.errors = sorted(self.checker.errors, key=lambda e: e.index)  # stable: field order kept


@dataclass(frozen=True)
class BulkOutcome:
    """Valid items (index order), id per item index, the new ones and in-body repeats."""

    items: list[Item]
    ids: dict[int, int]
    created: dict[int, int | None]  # new incident id -> its grid id
    idx_of_id: dict[int, int]
    duplicate_of: dict[int, int]
    replayed: dict[str, int]  # external id -> stored id


def write_bulk(
    session: Session,
    raws: Sequence[object],
    categories: Mapping[str, int],
    *,
    source: str,
    area_id: int | None,
    area_code: str | None,
    actor_columns: Mapping[str, object],
    prepare_rows: Any,
    detail: Mapping[str, Any],
) -> BulkOutcome:
    """Validate and insert a batch in the caller's transaction (see the module docstring).

    ``prepare_rows(items, ids)`` yields the prepared rows of new items
    (:func:`governance.intake_write.prepared_rows`). Raises :class:`IntakeInvalid` for invalid items
    (every problem listed) or points outside the actor's area; the caller's transaction
    must then roll back. Points outside every grid are the caller's to refuse.
    """
    order = sorted(range(len(raws)), key=lambda i: _raw_external_id(raws[i]))
    if len(chunk_sizes(len(raws))) > 1:  # one statement locks its rollup keys in order
        q.one_batch_per_source(session, source)
    worker = _Preparer(raws, order, categories, source, set(), prepare_rows)
    worker.start()  # validating the first chunk while the stored ids are looked up
    created: dict[int, int | None] = {}
    idx_of_id: dict[int, int] = {}
    outside: list[int] = []
    try:
        # Replays are looked up first, so that they are neither prepared nor given ids.
        candidates = sorted({e for e in map(_raw_external_id, raws) if e})
        known = q.existing_ids(session, source, candidates)
        worker.known.update(known)
        worker.ids = q.allocate_ids(session, len(candidates) - len(known))
        worker.ids_ready.set()
        while (chunk := worker.out.get()) is not _DONE:
            assert isinstance(chunk, _Chunk)
            if outside:
                continue  # refused already: no more writing, only the remaining checks
            q.stage_csv(session, chunk.data)
            if area_id is not None:
                outside += q.outside_area(session, q.STAGING, {}, area_id)
                if outside:
                    continue
            created.update(
                q.insert_incidents(
                    session, q.STAGING, {}, source=source, actor=actor_columns, detail=detail
                )
            )
            idx_of_id.update(chunk.idx_of_id)
    finally:
        worker.cancelled.set()
        worker.ids_ready.set()
        while worker.is_alive():  # let a worker blocked on a full queue finish
            with contextlib.suppress(queue.Empty):
                worker.out.get(timeout=0.1)
        worker.join()
    if worker.failure is not None:
        raise worker.failure
    sh = worker.shared
    if sh.errors:
        raise IntakeInvalid(sh.errors, len(raws), True)
    if outside:
        errs = [
            FieldError(i, "location", "intake.field.out_of_area", {"area": area_code or ""})
            for i in sorted(outside)
        ]
        raise IntakeInvalid(errs, len(raws), True)
    items = sorted(sh.items, key=lambda it: it.index)
    return _outcome(session, source, items, sh, known, created, idx_of_id)


def _outcome(
    session: Session,
    source: str,
    items: list[Item],
    sh: _Shared,
    known: dict[str, int],
    created: dict[int, int | None],
    idx_of_id: dict[int, int],
) -> BulkOutcome:
    """Ids per item: new rows, stored replays, and rows a concurrent request wrote first
    (prepared as new, skipped by ``ON CONFLICT``: they are replays now)."""
    written_idx = {idx_of_id[i] for i in created}
    lost = [e for e, idx in sh.first.items() if e not in known and idx not in written_idx]
    replayed = dict(known)
    if lost:
        replayed.update(q.existing_ids(session, source, lost))
    ids = {sh.first[e]: iid for e, iid in replayed.items() if e in sh.first}
    ids.update({idx_of_id[iid]: iid for iid in created})
    for later, earlier in sh.duplicate_of.items():
        ids[later] = ids[earlier]
    return BulkOutcome(items, ids, created, idx_of_id, sh.duplicate_of, replayed)
