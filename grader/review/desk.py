"""The review desk's actions on a batch's output folder: decide a score for some answers, clear a decision, and what
is left. Every change goes to ``overrides.json`` (locked, atomic) and then into every file of the batch
(``rebuild_as_before``: grades.csv, reports, feedback pages, summary, canvas.csv), so the folder never shows a
decision half-applied. The web page and the ``override`` command both come here.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path

from grader.batch.outputs import Written, rebuild_as_before
from grader.batch.store import Store
from grader.errors import GraderError
from grader.reporters.rows import Row
from grader.review import overrides, queue
from grader.schemas import ItemResult


def _result(rows: Sequence[Row], entry: str, item_id: str) -> ItemResult:
    row = next((r for r in rows if r.entry == entry), None)
    if row is None:
        raise GraderError(f"no submission {entry!r} in this batch (see the submission column of grades.csv)")
    if row.report is None:
        raise GraderError(f"{entry} has no report ({row.error}); only graded submissions can be reviewed")
    result = next((i for i in row.report.items if i.id == item_id), None)
    if result is None:
        raise GraderError(f"{entry} has no item {item_id!r}; items: {', '.join(i.id for i in row.report.items)}")
    return result


def parse_score(text: object) -> float:
    try:
        score = float(str(text).strip())
    except ValueError:
        raise GraderError(f"score {text!r} is not a number") from None
    if not math.isfinite(score):
        raise GraderError(f"score {text!r} is not a number")
    return score


def _loaded(rows: Sequence[Row]) -> dict:
    return {r.entry: r.report for r in rows if r.report is not None}


def decide(store: Store, rows: Sequence[Row], item_id: str, entries: Sequence[str], score: float, comment: str,
           reviewer: str) -> Written:
    """Give ``score`` (and ``comment``) to item ``item_id`` of each of ``entries``, then rebuild the batch's files."""
    if not entries:
        raise GraderError("choose at least one answer to decide")
    rubric = store.rubric()
    new = [overrides.make(e, _result(rows, e, item_id), score, comment, reviewer) for e in entries]
    with overrides.editing(store.out, rubric) as current:
        for o in new:
            current[o.key] = o
    return rebuild_as_before(store, _loaded(rows))


def clear(store: Store, rows: Sequence[Row], item_id: str, entries: Sequence[str]) -> Written:
    """Remove the overrides of item ``item_id`` of ``entries`` (the grader's score counts again); rebuild."""
    with overrides.editing(store.out, store.rubric()) as current:
        missing = [e for e in entries if (e, item_id) not in current]
        if missing:
            raise GraderError(f"no override of {', '.join(missing)} / {item_id} to clear")
        for e in entries:
            del current[(e, item_id)]
    return rebuild_as_before(store, _loaded(rows))


class Desk:
    """One output folder under review: its rows (read once, refreshed on request) and a lock, so the page's
    requests change the folder one at a time."""

    def __init__(self, out: Path, reviewer: str) -> None:
        self.store = Store(out)
        self.rubric = self.store.rubric()
        self.reviewer = reviewer
        self.lock = threading.Lock()
        overrides.load(self.store.out, self.rubric)  # a malformed file stops here, before anything is served
        self.rows: list[Row] = self.store.rows()

    def refresh(self) -> None:
        with self.lock:
            self.rows = self.store.rows()

    def groups(self) -> list[queue.Group]:
        return queue.build(self.rows, self.rubric, overrides.load(self.store.out, self.rubric))

    def decide(self, item_id: str, entries: Sequence[str], score: float, comment: str) -> None:
        with self.lock:
            self.rows = decide(self.store, self.rows, item_id, entries, score, comment, self.reviewer).rows

    def clear(self, item_id: str, entries: Sequence[str]) -> None:
        with self.lock:
            self.rows = clear(self.store, self.rows, item_id, entries).rows
