"""Rebuild a batch's derived files from its records: grades.csv, feedback pages, summary/, canvas.csv.

Always from the records on disk, never from what one run remembers, so a resumed run, a merge of shards and an
uninterrupted run write the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from grader.batch.store import Store, write_atomic
from grader.reporters import canvas, csv_report, feedback_page, summary
from grader.reporters.rows import Row
from grader.schemas import Rubric


@dataclass(frozen=True)
class Written:
    rows: list[Row]
    files: list[Path]
    canvas_skipped: list[str]


def rebuild(store: Store, rubric: Rubric, feedback: str = "md", canvas_column: str | None = None,
            loaded: dict | None = None) -> Written:
    """feedback: 'md' or 'html' (or '' for none); canvas_column: write canvas.csv with this assignment column
    ('' for the rubric's title; None for no canvas.csv); loaded: reports read from their records already (see
    ``Store.rows``)."""
    rows = store.rows(loaded)
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
    return Written(rows, files, skipped)
