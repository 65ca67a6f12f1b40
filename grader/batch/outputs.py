"""Rebuild a batch's derived files from its records: grades.csv, feedback pages, summary/, canvas.csv.

Always from the records on disk, never from what one run remembers, so a resumed run, a merge of shards and an
uninterrupted run write the same files. The reviewers' overrides (``overrides.json``, see ``grader.review``) are
applied first: each report's record gets the review beside the grader's result, and every file counts it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from grader.batch.store import Store, write_atomic
from grader.reporters import canvas, csv_report, feedback_page, summary
from grader.reporters.rows import Row
from grader.review import overrides as review
from grader.schemas import Rubric


@dataclass(frozen=True)
class Written:
    rows: list[Row]
    files: list[Path]
    canvas_skipped: list[str]
    notes: list[str] = field(default_factory=list)  # what the overrides did (applied, stale, of unknown entries)


def _reviewed(store: Store, rows: list[Row], rubric: Rubric) -> tuple[list[Row], list[str]]:
    """The rows with overrides.json applied, each changed report recorded again (the grader's result stays in it,
    the review beside it); and notes on what was applied."""
    overrides = review.load(store.out, rubric)
    out, stale, applied = [], [], 0
    for row in rows:
        if row.report is None:
            out.append(row)
            continue
        report, old = review.apply(row.entry, row.report, overrides)
        if report is not row.report:
            store.save_report(row.entry, report)
        applied += sum(i.review is not None for i in report.items)
        stale += old
        out.append(replace(row, report=report))
    known = {r.entry for r in rows if r.report is not None}
    notes = [f"overrides: {applied} applied"] if overrides else []
    notes += [f"override stale (the answer changed since; not applied): {o.submission} / {o.item}" for o in stale]
    notes += [f"override of a submission without a report here (kept, not applied): {o.submission} / {o.item}"
              for o in overrides.values() if o.submission not in known]
    return out, notes


def rebuild(store: Store, rubric: Rubric, feedback: str = "md", canvas_column: str | None = None,
            loaded: dict | None = None) -> Written:
    """feedback: 'md' or 'html' (or '' for none); canvas_column: write canvas.csv with this assignment column
    ('' for the rubric's title; None for no canvas.csv); loaded: reports read from their records already (see
    ``Store.rows``)."""
    rows, notes = _reviewed(store, store.rows(loaded), rubric)
    out = store.out
    files = [out / "grades.csv"]
    write = partial(write_atomic, durable=False)  # derived: a crash before they reach the disk costs a rerun
    write(files[0], csv_report.to_csv(rows, rubric))
    if feedback:
        folder = out / "feedback"
        for row in rows:
            path = folder / f"{row.entry}.{feedback}"
            write(path, feedback_page.render(row, rubric, feedback))
        files.append(folder)
    files += summary.write_summary(rows, rubric, out / "summary", write=write)
    skipped: list[str] = []
    if canvas_column is not None:
        files.append(out / "canvas.csv")
        write(files[-1], canvas.to_canvas_csv(rows, canvas_column or rubric.title, rubric.max_score))
        skipped = canvas.skipped(rows)
    return Written(rows, files, skipped, notes)


def rebuild_as_before(store: Store, loaded: dict | None = None) -> Written:
    """Rebuild with the options the folder's files were made with: the feedback pages' format (none if there are
    none) and canvas.csv with its assignment column (if there is one)."""
    folder = store.out / "feedback"
    formats = {p.suffix[1:] for p in folder.iterdir()} if folder.is_dir() else set()
    feedback = "html" if "html" in formats else "md" if "md" in formats else ""
    column = None
    try:
        with open(store.out / "canvas.csv", newline="", encoding="utf-8") as fh:
            column = next(csv.reader(fh))[-1]
    except (OSError, StopIteration, IndexError):
        pass
    return rebuild(store, store.rubric(), feedback, column, loaded)
