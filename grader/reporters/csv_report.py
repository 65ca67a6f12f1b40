"""``grades.csv``: one row per submission of a batch.

Columns: ``submission`` (the entry's name), ``name``, ``email``, ``sid`` (blank when unknown; ``; ``-joined for
a group), one column per rubric item id (its score), ``total``, ``error`` (why there is no score), ``reviewed``
(the items whose score a reviewer set, with the grader's score beside: that score counts in the item's column and
the total). A row whose
grading failed has blank scores, never zeros, so it cannot be mistaken for a graded 0. Nothing that changes from
run to run (timings) is written, so the same batch always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grader.reporters.rows import Row, item_score, points, report_score, review_note, reviewed
from grader.schemas import Rubric

IDENTITY = ("name", "email", "sid")


def header(rubric: Rubric) -> list[str]:
    return ["submission", *IDENTITY, *(i.id for i in rubric.items), "total", "error", "reviewed"]


def _identity(row: Row) -> list[str]:
    return ["; ".join(getattr(s, f) for s in row.students if getattr(s, f)) for f in IDENTITY]


def _cells(row: Row, rubric: Rubric) -> list[str]:
    if row.report is None:
        return [""] * (len(rubric.items) + 1) + [row.error or "not graded", ""]
    by_id = {r.id: r for r in row.report.items}
    scores = [points(item_score(by_id[i.id])) if i.id in by_id else "" for i in rubric.items]
    return [*scores, points(report_score(row.report)), "", "; ".join(review_note(i) for i in reviewed(row.report))]


def to_csv(rows: Sequence[Row], rubric: Rubric) -> str:
    """The CSV text (rows in the order given; the batch sorts them by entry name)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header(rubric))
    for row in rows:
        w.writerow([row.entry, *_identity(row), *_cells(row, rubric)])
    return buf.getvalue()
